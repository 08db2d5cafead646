// SPDX-License-Identifier: Apache-2.0
// Random access to a versioned file, the way a columnar-format reader or a
// filesystem does it: read a fixed-size footer at the end of the file into a
// buffer of your own, then the records it points at from several threads
// through one ObjectRangeReader (one version, one pre-signed URL when the
// server's store can pre-sign), and see a pinned version refused once the file
// on the branch is replaced.
//
// The client finds the server and credentials in the environment
// (LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY) or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "support/example_env.hpp"

namespace {

constexpr std::size_t kRecord = 64;  // fixed-size records
constexpr std::size_t kFooter = 8;   // the footer: the record count, as 8 little-endian bytes

// A file of `count` records ("record 0", "record 1", ... padded to kRecord bytes) and its footer.
std::string make_file(std::uint64_t count) {
  std::string file;
  for (std::uint64_t i = 0; i < count; ++i) {
    std::string record = "record " + std::to_string(i);
    record.resize(kRecord, ' ');
    file += record;
  }
  for (int b = 0; b < 8; ++b) file += static_cast<char>((count >> (8 * b)) & 0xFF);
  return file;
}

}  // namespace

int main() try {
  lakefs::Client client;
  const example::ScratchRepository scratch(client, "random-access");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  auto main_branch = repo.branch("main");
  auto file = main_branch.object("tables/records.bin");
  file.upload(make_file(10000));
  const auto commit = main_branch.commit("10000 records");

  // The footer, into a buffer of our own: a read of 8 bytes at the end.
  auto at_commit = repo.ref(commit.id).object("tables/records.bin");
  const auto info = at_commit.stat();
  const auto size = static_cast<std::uint64_t>(info.size_bytes);
  std::vector<std::byte> footer(kFooter);
  if (at_commit.read_range(size - kFooter, footer) != kFooter) throw std::runtime_error("short footer");
  std::uint64_t count = 0;
  for (std::size_t b = 0; b < kFooter; ++b) count |= std::to_integer<std::uint64_t>(footer[b]) << (8 * b);
  std::cout << "Footer: " << count << " records of " << kRecord << " bytes\n";

  // Records from four threads through one reader: each read goes straight into the thread's buffer.
  const auto records = at_commit.range_reader({.if_match = info.checksum});
  std::vector<std::string> first_of_each(4);
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::vector<std::byte> record(kRecord);
        const std::uint64_t index = t * count / 4;
        if (records.read_range(index * kRecord, record) == kRecord) {
          first_of_each[t].assign(reinterpret_cast<const char*>(record.data()), record.size());
        }
      });
    }
  }
  for (const auto& record : first_of_each)
    std::cout << "  " << record.substr(0, record.find_last_not_of(' ') + 1) << "\n";

  // A sink: count the records in the first 1 MiB without holding it in memory.
  std::uint64_t bytes = 0;
  records.read_range(0, 1 << 20, [&](std::string_view chunk) { bytes += chunk.size(); });
  std::cout << "Streamed " << bytes << " bytes (" << bytes / kRecord << " records) through a sink\n";

  // Pinned to the version we read: once the file on main is replaced, a read that names that version fails
  // instead of mixing two files.
  file.upload(make_file(5));
  try {
    std::vector<std::byte> record(kRecord);
    (void)file.read_range(0, record, {.if_match = info.checksum});
    std::cout << "unexpected: the replaced file was read\n";
    return 1;
  } catch (const lakefs::ObjectChangedError& e) {
    std::cout << "Replaced on main, as expected: " << e.what() << "\n";
  }
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
