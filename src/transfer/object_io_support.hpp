// SPDX-License-Identifier: Apache-2.0
// What the object transfers share: block buffers, default sizes, the token a
// transfer callback throws to stop a transfer on purpose, and local-file writes.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>
#include <system_error>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

// Each range request costs the server a few milliseconds before the first
// byte; 16 MiB blocks keep that under a fifth of a sequential read's time.
inline constexpr std::size_t default_block_size = 16u << 20;
inline constexpr std::size_t default_buffer_size = 1u << 20;
inline constexpr std::size_t default_max_buffers = 4;

// Thrown from a transfer callback to abort the transfer on purpose.
struct TransferCancelled {};

struct Block {
  std::unique_ptr<char[]> data;
  std::size_t len = 0;
};

// errno as an error_code; a failed iostream that left errno unset is std::io_errc::stream.
inline std::error_code errno_code(int err) {
  return err != 0 ? std::error_code(err, std::generic_category()) : std::make_error_code(std::io_errc::stream);
}

// Writes all of `data` at `offset` of `fd` (`file` names it in errors): LocalIOError on failure.
inline void write_at(int fd, const std::filesystem::path& file, std::string_view data, std::uint64_t offset) {
  while (!data.empty()) {
    const auto n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw LocalIOError("write", file, errno_code(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
    offset += static_cast<std::uint64_t>(n);
  }
}

}  // namespace lakefs::detail
