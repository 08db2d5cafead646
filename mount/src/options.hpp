// SPDX-License-Identifier: Apache-2.0
// lakefs-mount's command line: what to mount, where, and how (docs/mount.md, "Usage").
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lakefs_mount {

/// Whether blocks are read straight from the object store through pre-signed URLs.
enum class PreSign { automatic, always, never };

/// Which fetched blocks go into the disk cache.
enum class CacheFill {
  /// Those the disk takes without holding up a read: when --fetch-threads blocks already wait for it, a block is
  /// not cached.
  best_effort,
  /// Every one: when the disk is behind the network, the read waits for the writes.
  all,
};

/// The parsed command line.
struct MountOptions {
  std::string repository{};
  /// A branch, tag, commit id or expression ("main~2"), as given.
  std::string ref{};
  /// The path prefix mounted as the root: empty, or ending with '/'.
  std::string prefix{};
  std::filesystem::path mountpoint{};
  bool foreground = false;
  /// The on-disk block cache; empty = $XDG_CACHE_HOME/lakefs-mount (else ~/.cache/lakefs-mount).
  std::filesystem::path cache_dir{};
  std::uint64_t cache_size = std::uint64_t{4} << 30;
  CacheFill cache_fill = CacheFill::best_effort;
  std::size_t block_size = std::size_t{1} << 20;
  /// Largest read-ahead window of a sequential reader, in bytes (0 disables read-ahead).
  std::size_t read_ahead = std::size_t{16} << 20;
  /// Block downloads in flight at once for read-ahead.
  std::size_t fetch_threads = 8;
  /// Directory entries kept in memory (least recently used directories are listed again when needed).
  std::size_t max_entries = 1'000'000;
  /// A branch is re-pinned to its head this often; unset = pinned once at mount time.
  std::optional<std::chrono::seconds> follow{};
  PreSign pre_sign = PreSign::automatic;
  /// Per-attempt request timeout; unset = the client's (discovered) setting.
  std::optional<std::chrono::seconds> timeout{};
  /// Extra options for FUSE (-o allow_other,...).
  std::vector<std::string> fuse_options{};
  /// libfuse's debug output (implies foreground).
  bool debug = false;
  /// Where a daemon writes its messages (empty: nowhere).
  std::filesystem::path log_file{};
};

/// The parser's answer when the program should exit instead of mounting: --help, --version, or a usage error.
struct Exit {
  int code = 0;
  /// Printed to stdout when code is 0, else to stderr.
  std::string message{};
};

/// Parses argv (without the program name).
[[nodiscard]] std::variant<MountOptions, Exit> parse_arguments(const std::vector<std::string_view>& args);

/// "64M", "1G", "4096", "512K" (powers of 1024; an optional trailing "iB" or "B"). Nullopt when malformed or
/// when the value overflows 64 bits.
[[nodiscard]] std::optional<std::uint64_t> parse_size(std::string_view text);

/// The help text.
[[nodiscard]] std::string usage_text();

}  // namespace lakefs_mount
