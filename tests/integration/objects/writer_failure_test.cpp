// SPDX-License-Identifier: Apache-2.0
// A writer whose upload fails because the server dies mid-write: close()
// throws, and after the server restarts on the same data there is no object.
// This test owns its server (the shared one must not be killed).
#include <gtest/gtest.h>

#include <string>

#include "lakefs/lakefs.hpp"
#include "support/own_server.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

TEST(WriterFailure, ServerKilledMidWriteThrowsFromCloseAndLeavesNoObject) {
  OwnServer server;
  const auto name = unique_name();
  {
    auto client = server.client();
    auto repo = Repository(name, client).create({.storage_namespace = "local://" + name});
    auto branch = repo.branch("main");
    branch.object("witness.txt").upload("staged before the crash");

    auto out = branch.object("partial.bin").writer({.buffer_size = 64 * 1024, .max_buffers = 2});
    const std::string chunk(256 * 1024, 'x');
    for (int i = 0; i < 8; ++i) out << chunk;  // 2 MiB on its way

    server.kill();
    bool write_failed = false;
    try {
      for (int i = 0; i < 256 && out; ++i) out << chunk;  // the upload fails under these writes
    } catch (const TransportError&) {
      write_failed = true;  // the failure surfaces on a write (badbit is in the exception mask)
    }
    EXPECT_THROW((void)out.close(), TransportError);
    EXPECT_TRUE(write_failed || !out.good());
  }

  server.restart();
  auto client = server.client();
  auto branch = Repository(name, client).branch("main");
  EXPECT_EQ(branch.object("witness.txt").read_all(), "staged before the crash");  // the data survived
  EXPECT_THROW((void)branch.object("partial.bin").stat(), ObjectNotFoundError);
  std::size_t changes = 0;
  for (const auto& change : branch.uncommitted()) {
    EXPECT_EQ(change.path, "witness.txt");
    ++changes;
  }
  EXPECT_EQ(changes, 1u);
}

}  // namespace
}  // namespace lakefs::test
