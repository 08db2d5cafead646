// SPDX-License-Identifier: Apache-2.0
// The server dies (SIGKILL) in the middle of a multi-request operation; after
// it restarts on the same data, nothing half-done is visible. These tests own
// their server: the shared one of the CTest fixture must never be killed.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/own_server.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;

// A client that gives up quickly on a dead server, so the test measures the SDK, not back-off.
Client impatient_client(const OwnServer& server) {
  auto options = server.client_options();
  options.connect_timeout = 2s;
  options.request_timeout = 20s;
  options.retry = RetryOptions{.max_retries = 1};
  return Client(options);
}

TEST(ServerCrash, KilledMidTransactionLeavesTheSourceBranchUnchanged) {
  OwnServer server;
  const auto name = unique_name();
  std::string base;
  {
    auto client = impatient_client(server);
    auto repo = Repository(name, client).create({.storage_namespace = "local://" + name});
    auto main = repo.branch("main");
    main.object("data/existing.txt").upload("before the transaction");
    base = main.commit("base").id;

    bool second_write_reached = false;
    try {
      (void)main.transact([&](Transaction& tx) {
        tx.object("data/first.txt").upload("written before the crash");
        tx.object("data/existing.txt").upload("overwritten before the crash");
        server.kill();
        second_write_reached = true;
        tx.object("data/second.txt").upload("written after the crash");
      });
      ADD_FAILURE() << "the transaction succeeded although the server was killed inside it";
    } catch (const Error& e) {
      SUCCEED() << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "expected a lakefs::Error, got: " << e.what();
    }
    EXPECT_TRUE(second_write_reached);
  }

  server.restart();
  auto client = server.client();
  auto main = Repository(name, client).branch("main");
  EXPECT_EQ(main.head().id(), base);
  EXPECT_TRUE(main.uncommitted().to_vector().empty());
  EXPECT_EQ(paths_at(main), (std::set<std::string>{"data/existing.txt"}));
  EXPECT_EQ(main.object("data/existing.txt").read_all(), "before the transaction");
}

TEST(ServerCrash, KilledMidUploadDirectoryLeavesOnlyCompleteObjects) {
  OwnServer server;
  const auto name = unique_name();
  TempDir dir;
  // Distinct contents per file, large enough that uploads are in flight when the server dies.
  std::map<std::string, std::string> files;
  for (int i = 0; i < 16; ++i) {
    char file_name[32];
    std::snprintf(file_name, sizeof file_name, "f%02d.bin", i);
    std::string content(1024 * 1024 + static_cast<std::size_t>(i), static_cast<char>('a' + i));
    for (std::size_t j = 0; j < content.size(); j += 4096) content[j] = static_cast<char>(j / 4096 + i);
    std::ofstream(dir.path / file_name, std::ios::binary) << content;
    files["up/" + std::string(file_name)] = std::move(content);
  }

  {
    auto client = impatient_client(server);
    auto main = Repository(name, client).create({.storage_namespace = "local://" + name}).branch("main");
    std::atomic<bool> killed{false};
    // Killed from the progress callback once two files are done, while other workers are still sending theirs.
    const auto kill_after_two = [&](const TransferProgress& progress) {
      if (progress.objects_done == 2 && !killed.exchange(true)) server.kill();
    };
    const auto e = [&]() -> std::exception_ptr {
      try {
        const auto summary =
            main.upload_directory(dir.path, "up", {.concurrency = 4, .on_progress = kill_after_two, .pre_sign = false});
        // Failures are reported in the summary; none may be silent.
        EXPECT_FALSE(summary.ok());
        EXPECT_LT(summary.objects, files.size());
        EXPECT_FALSE(summary.failures.empty());
        for (const auto& failure : summary.failures) EXPECT_FALSE(failure.message.empty()) << failure.object_path;
      } catch (...) {
        return std::current_exception();
      }
      return nullptr;
    }();
    EXPECT_TRUE(killed.load());
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const Error& error) {
        SUCCEED() << error.what();
      } catch (const std::exception& other) {
        ADD_FAILURE() << "expected a lakefs::Error, got: " << other.what();
      }
    }
  }

  server.restart();
  auto client = server.client();
  auto main = Repository(name, client).branch("main");
  std::size_t present = 0;
  for (const auto& entry : main.objects({.prefix = "up/"})) {
    const auto& info = entry.object();
    SCOPED_TRACE(info.path);
    const auto expected = files.find(info.path);
    ASSERT_NE(expected, files.end()) << "an object that was never uploaded";
    EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(expected->second.size()));
    EXPECT_TRUE(main.object(info.path).read_all() == expected->second) << "the object's content is not the file's";
    ++present;
  }
  EXPECT_LT(present, files.size()) << "every upload completed: the server was killed too late to test anything";
}

}  // namespace
}  // namespace lakefs::test
