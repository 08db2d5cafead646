// SPDX-License-Identifier: Apache-2.0
#include "transfer/prefault.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL and the thread ends
#endif

namespace lakefs::detail {

Prefault::Prefault(char* begin, std::size_t size) {
  if (begin == nullptr || size < min_size) return;
  const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) / page * page;
  const auto last = (reinterpret_cast<std::uintptr_t>(begin) + size) / page * page;
  if (last <= first) return;
  thread_ = std::jthread([first, last](const std::stop_token& stop) {
    constexpr std::uintptr_t slice = 8u << 20;
    for (std::uintptr_t at = first; at < last && !stop.stop_requested(); at += slice) {
      // NOLINTNEXTLINE(performance-no-int-to-ptr): a page-aligned address inside the caller's buffer
      if (::madvise(reinterpret_cast<void*>(at), std::min(slice, last - at), MADV_POPULATE_WRITE) != 0) return;
    }
  });
}

Prefault::~Prefault() = default;  // jthread: request_stop() and join()

}  // namespace lakefs::detail
