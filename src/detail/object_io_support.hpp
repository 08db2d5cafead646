// What ObjectReader and ObjectWriter share: block buffers, default sizes,
// and the token a transfer callback throws to stop a transfer on purpose.
#pragma once

#include <cstddef>
#include <memory>

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

}  // namespace lakefs::detail
