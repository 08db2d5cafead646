// SPDX-License-Identifier: Apache-2.0
// The filesystem behind the FUSE operations: the pinned snapshot (re-pinned by a background thread when following
// a branch), the open files, and the block reader. main.cpp mounts it; the FUSE callbacks call into it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "block_cache.hpp"
#include "block_reader.hpp"
#include "options.hpp"
#include "snapshot.hpp"

struct fuse_operations;

namespace lakefs_mount {

/// The largest read the kernel sends (main.cpp mounts with it as max_read, and op_init repeats it). A reply from the
/// disk cache is spliced through a pipe that must hold it whole, with a page for its header and one per block it
/// spans (libfuse's sizing), and a pipe holds at most 1 MiB unless the system allows more (pipe-max-size): so 1 MiB
/// less four pages, for a reply of up to two blocks. A reply that needs more is copied instead (still correct).
inline constexpr std::size_t max_read_bytes = (std::size_t{1} << 20) - 4 * 4096 - 4096;

/// What the ref resolved to at mount time.
struct Pinned {
  std::string commit_id{};
  std::int64_t commit_date = 0;
  /// The ref is a branch (only a branch can be followed).
  bool branch = false;
};

/// Resolves `options.ref` of `options.repository`. Throws std::runtime_error with a message for the user when the
/// repository or ref does not exist, and the SDK's errors otherwise.
[[nodiscard]] Pinned resolve(const lakefs::Client& client, const MountOptions& options);

class Filesystem {
 public:
  Filesystem(lakefs::Client client, const MountOptions& options, const Pinned& pinned, bool pre_sign);
  ~Filesystem();
  Filesystem(const Filesystem&) = delete;
  Filesystem& operator=(const Filesystem&) = delete;

  /// The snapshot new lookups see.
  [[nodiscard]] std::shared_ptr<Snapshot> snapshot() const;
  [[nodiscard]] BlockReader& reader() noexcept { return reader_; }
  [[nodiscard]] const MountOptions& options() const noexcept { return options_; }
  /// Counters as text (user.lakefs.stats on the root).
  [[nodiscard]] std::string stats() const;

  /// Starts the follow thread when following (after the mount, so a daemon's fork happens before any thread).
  void start();
  /// Stops it.
  void stop();

  /// The FUSE operations; the fuse private data must be a Filesystem*.
  [[nodiscard]] static const fuse_operations& operations();

 private:
  void follow(const std::stop_token& stop);

  lakefs::Client client_;
  MountOptions options_;
  BlockCache cache_;
  BlockReader reader_;
  mutable std::mutex mutex_;
  std::shared_ptr<Snapshot> snapshot_;
  std::atomic<std::uint64_t> repins_{0};
  std::jthread follower_;
};

}  // namespace lakefs_mount
