// SPDX-License-Identifier: Apache-2.0
// Faulting in the pages of a large fresh buffer on a background thread, ahead
// of the bytes that will fill it. A 1 GiB std::string filled from the network
// otherwise takes 262,144 page faults on the receiving thread, which on a
// loopback link costs about as much as the transfer itself; one
// madvise(MADV_POPULATE_WRITE) per slice does the same work in the kernel
// without a trap per page, and off the receiving thread. The contents are not
// touched (the kernel maps zeroed pages as a write would), so the receiver
// and the prefaulter never race on a byte. Does nothing where the kernel
// lacks MADV_POPULATE_WRITE (before Linux 5.14).
#pragma once

#include <cstddef>
#include <thread>

namespace lakefs::detail {

class Prefault {
 public:
  /// Buffers smaller than this are left to ordinary page faults.
  static constexpr std::size_t min_size = 64u << 20;

  /// Starts faulting in [begin, begin + size) when it is at least min_size.
  Prefault(char* begin, std::size_t size);
  Prefault(const Prefault&) = delete;
  Prefault& operator=(const Prefault&) = delete;
  /// Stops and joins the thread (a slice in progress completes first).
  ~Prefault();

 private:
  std::jthread thread_;
};

}  // namespace lakefs::detail
