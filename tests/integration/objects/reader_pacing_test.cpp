// SPDX-License-Identifier: Apache-2.0
// ObjectReader pulls its stream from the client's engine: a reader that falls behind pauses its transfer (the
// engine stops reading that connection, TCP holds the server back) instead of blocking a thread, and the reader runs
// no thread of its own. Against the real server, through a FaultProxy that counts the body bytes it hands over.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <future>
#include <random>
#include <string>
#include <thread>

#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/proxied_fixture.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kMiB = 1u << 20;

std::string random_bytes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    const std::uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

// Threads of this process right now.
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

class ReaderPacingTest : public ProxiedRepoTest {};

TEST_F(ReaderPacingTest, ASlowReaderPausesItsTransferWithoutStallingTheEngineAndLosesNoByte) {
  constexpr std::size_t kSize = 48 * kMiB;
  const std::string data = random_bytes(kSize, 7);
  (void)main_branch().object("slow.bin").upload(data);
  (void)main_branch().object("small.txt").upload("small");
  Client client(proxied_options());
  const auto object = Repository(repo().id(), client).branch("main").object("slow.bin");

  ObjectReader reader = object.reader({.block_size = kMiB});
  std::string got(64 * 1024, '\0');
  reader.read(got.data(), static_cast<std::streamsize>(got.size()));
  ASSERT_EQ(got, data.substr(0, got.size()));

  // The reader stops reading. Its transfer fills the reader's 1 MiB ring and pauses; what else the server sends
  // waits in the sockets' buffers. Without the pause, loopback would deliver all 48 MiB well within this time.
  std::this_thread::sleep_for(800ms);
  const std::uint64_t sent_while_idle = proxy().body_bytes_to_clients();
  EXPECT_LT(sent_while_idle, 24 * kMiB) << "body bytes handed to the client while the reader was idle";

  // The paused transfer holds back no other work of the engine: another request on the same client completes now.
  auto stat = async::spawn(Repository(repo().id(), client).branch("main").object("small.txt").stat_async());
  ASSERT_EQ(stat.wait_for(2s), std::future_status::ready) << "the engine is stuck behind the idle reader";
  EXPECT_EQ(stat.get().size_bytes, 5);
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(proxy().body_bytes_to_clients() - sent_while_idle, 2 * kMiB)
      << "the paused stream moved on although the reader took nothing";

  // Then it reads the rest slowly, in pieces, and gets every byte once, in order.
  std::string rest;
  rest.reserve(kSize);
  std::string piece(256 * 1024, '\0');
  for (std::size_t i = 0;; ++i) {
    reader.read(piece.data(), static_cast<std::streamsize>(piece.size()));
    rest.append(piece.data(), static_cast<std::size_t>(reader.gcount()));
    if (reader.gcount() < static_cast<std::streamsize>(piece.size())) break;
    if (i % 16 == 0) std::this_thread::sleep_for(20ms);
  }
  ASSERT_EQ(rest.size(), kSize - got.size());
  EXPECT_TRUE(rest == data.substr(got.size())) << "the bytes after the pauses differ from the object's";
}

TEST_F(ReaderPacingTest, AReaderRunsNoThreadOfItsOwn) {
  constexpr std::size_t kSize = 8 * kMiB;
  const std::string data = random_bytes(kSize, 11);
  auto object = main_branch().object("threads.bin");
  (void)object.upload(data);
  // The engine exists before counting: the reader's requests run there, or on the reading thread.
  (void)async::sync_wait(object.stat_async());
  const std::size_t threads = thread_count();

  ObjectReader reader = object.reader({.block_size = kMiB});
  std::string half(kSize / 2, '\0');
  reader.read(half.data(), static_cast<std::streamsize>(half.size()));
  ASSERT_EQ(half, data.substr(0, half.size()));
  EXPECT_EQ(thread_count(), threads) << "while streaming";

  reader.seekg(0);  // backwards: blocks from here, with a read-ahead of the next one
  std::string blocks(3 * kMiB, '\0');
  reader.read(blocks.data(), static_cast<std::streamsize>(blocks.size()));
  ASSERT_EQ(blocks, data.substr(0, blocks.size()));
  EXPECT_EQ(thread_count(), threads) << "while reading blocks ahead";
}

TEST_F(ReaderPacingTest, AReaderOnTheEngineThreadIsRefused) {
  auto object = main_branch().object("x.txt");
  (void)object.upload("x");
  auto opened_on_engine = [](StoredObject target) -> async::Task<bool> {
    (void)co_await target.stat_async();  // now on the engine thread
    try {
      ObjectReader reader = target.reader();
    } catch (const InvalidStateError&) {
      co_return true;
    }
    co_return false;
  };
  EXPECT_TRUE(async::sync_wait(opened_on_engine(object)))
      << "a reader waits for the engine's transfers: on the engine's own thread it must be refused";
}

}  // namespace
}  // namespace lakefs::test
