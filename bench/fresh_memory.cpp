// SPDX-License-Identifier: Apache-2.0
// What keeping BYTES in fresh memory costs the CPU, with no network: the part
// of read_all()'s work that `curl -o /dev/null` never does. Reserves a string
// of BYTES as read_all() does (from Content-Length), faults its pages in with
// madvise(MADV_POPULATE_WRITE) as read_all()'s prefaulting thread does (by
// writing one byte per page where the kernel lacks it), then copies BYTES into
// it in chunks of libcurl's receive buffer (512 KiB, the SDK's), as read_all()
// copies each chunk out of libcurl's buffer. Both on one thread, timed by the
// thread's own CPU clock.
//
//   fresh_memory BYTES
//
// Prints {"seconds": CPU of both, "fault_in": CPU of the first, "copy": CPU of
// the second}. scenarios/20-objects.sh adds it to the CPU that curl and the
// server spend on the same GET, which bounds read_all()'s time from below.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif

namespace {

double thread_cpu() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fresh_memory BYTES\n");
    return 2;
  }
  const std::size_t bytes = std::strtoull(argv[1], nullptr, 10);
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::string chunk(512 * 1024, 'x');

  const double start = thread_cpu();
  std::string data;
  data.reserve(bytes);
  const auto begin = reinterpret_cast<std::uintptr_t>(data.data());
  const auto first = (begin + page - 1) / page * page;
  const auto last = (begin + bytes) / page * page;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): page-aligned addresses inside the string's buffer
  if (last > first && ::madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE) != 0) {
    for (std::size_t at = 0; at < bytes; at += page) data.data()[at] = 0;  // an older kernel: touch each page
  }
  const double faulted = thread_cpu();
  while (data.size() < bytes) data.append(chunk, 0, std::min(chunk.size(), bytes - data.size()));
  const double copied = thread_cpu();

  if (data.size() != bytes || data[bytes / 2] != 'x') return 1;
  std::printf("{\"seconds\": %.4f, \"fault_in\": %.4f, \"copy\": %.4f}\n", copied - start, faulted - start,
              copied - faulted);
  return 0;
}
