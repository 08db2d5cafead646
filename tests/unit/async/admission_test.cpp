// SPDX-License-Identifier: Apache-2.0
// Admission of the object tasks (src/async/admission.cpp), on the fake transport: tasks beyond max_in_flight wait
// before they build a request and then all run; a stop ends the waiting ones without sending anything; the waiters
// are bounded by max_queued_requests; a task the SDK runs inside an admitted one does not wait on the gate its own
// task holds. (Against the real server: tests/integration/async/.)
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/models.hpp"
#include "lakefs/async/combinators.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace lt = lakefs::testing;
using async::Task;
using namespace std::chrono_literals;

constexpr const char* kStat = "/repositories/repo/refs/main/objects/stat";
constexpr const char* kStore = "http://store.test/bucket/repo/data/abc";

std::string stat_json(std::size_t size, const std::string& physical_address = "local://repo/data/abc") {
  api::ObjectStats s;
  s.path = "data.bin";
  s.path_type = api::Enum<api::ObjectStatsPathType>("object");
  s.physical_address = physical_address;
  s.checksum = "abc";
  s.size_bytes = static_cast<std::int64_t>(size);
  s.mtime = 1796000000;
  return api::to_json(s);
}

Client client_with(const std::shared_ptr<lt::FakeTransport>& fake, std::size_t max_in_flight,
                   std::size_t max_queued = 1'000'000) {
  ClientOptions options;
  options.max_in_flight = max_in_flight;
  options.max_queued_requests = max_queued;
  return lt::make_client(fake, options);
}

// A client whose every stat answers `size` after `delay`, and the object to stat.
struct SlowStats {
  SlowStats(std::chrono::milliseconds delay, std::size_t max_in_flight, std::size_t max_queued = 1'000'000,
            std::int64_t size = 1)
      : client(client_with(fake, max_in_flight, max_queued)) {
    lt::Reply slow = lt::Reply::json(200, stat_json(static_cast<std::size_t>(size)));
    slow.delay = delay;
    fake->on("GET", kStat).always(slow);
  }
  [[nodiscard]] StoredObject object() const { return client.repository("repo").ref("main").object("data.bin"); }
  [[nodiscard]] std::size_t stats() const { return fake->count("GET", kStat); }

  std::shared_ptr<lt::FakeTransport> fake = std::make_shared<lt::FakeTransport>();
  Client client;
};

TEST(AsyncAdmission, ObjectTasksBeyondMaxInFlightWaitTheirTurnAndAllRun) {
  const SlowStats server(5ms, 2, 1'000'000, 42);
  const StoredObject object = server.object();
  std::vector<Task<ObjectInfo>> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(object.stat_async());
  const std::vector<ObjectInfo> infos = async::sync_wait(async::when_all(std::move(tasks)));
  ASSERT_EQ(infos.size(), 20u);
  for (const ObjectInfo& info : infos) EXPECT_EQ(info.size_bytes, 42);
  EXPECT_EQ(server.stats(), 20u);
}

TEST(AsyncAdmission, AStopEndsTheWaitingTasksBeforeTheyBuildARequest) {
  const SlowStats server(200ms, 1);
  const StoredObject object = server.object();
  std::stop_source stop;
  std::vector<Task<ObjectInfo>> tasks;
  for (int i = 0; i < 50; ++i) tasks.push_back(object.stat_async());
  std::future<std::vector<ObjectInfo>> all =
      async::spawn(async::when_all(std::move(tasks)).with_stop(stop.get_token()));
  while (server.stats() == 0) std::this_thread::sleep_for(1ms);
  stop.request_stop();
  EXPECT_THROW((void)all.get(), CancelledError);
  EXPECT_EQ(server.stats(), 1u) << "only the admitted task sent its request";
}

TEST(AsyncAdmission, ACallsOwnStopTokenEndsItsWaitToo) {
  const SlowStats server(100ms, 1);
  const StoredObject object = server.object();
  std::future<ObjectInfo> first = async::spawn(object.stat_async());
  while (server.stats() == 0) std::this_thread::sleep_for(1ms);
  std::stop_source stop;
  StatOptions options;
  options.call.stop = stop.get_token();
  std::future<ObjectInfo> waiting = async::spawn(object.stat_async(options));
  std::this_thread::sleep_for(10ms);
  stop.request_stop();
  try {
    (void)waiting.get();
    ADD_FAILURE() << "no CancelledError";
  } catch (const CancelledError& e) {
    EXPECT_FALSE(e.outcome_unknown());
    EXPECT_NE(std::string(e.what()).find("nothing was sent"), std::string::npos) << e.what();
  }
  EXPECT_EQ(first.get().size_bytes, 1);
  EXPECT_EQ(server.stats(), 1u);
}

TEST(AsyncAdmission, MaxQueuedRequestsBoundsTheWaitingTasks) {
  const SlowStats server(50ms, 1, /*max_queued=*/2);
  const StoredObject object = server.object();
  std::vector<Task<ObjectInfo>> tasks;
  for (int i = 0; i < 6; ++i) tasks.push_back(object.stat_async());
  EXPECT_THROW((void)async::sync_wait(async::when_all(std::move(tasks))), InvalidStateError);
  EXPECT_LE(server.stats(), 3u);
}

TEST(AsyncAdmission, AnAdmittedTaskThatStatsInsideDoesNotWaitOnItsOwnSlot) {
  // A pre-signed read is a stat and then the object store's GET, both inside the one admitted task: with one
  // slot, the inner stat must not queue behind the task that holds it.
  auto fake = std::make_shared<lt::FakeTransport>();
  api::StorageConfig config;
  config.blockstore_type = "s3";
  config.pre_sign_support = true;
  fake->on("GET", "/config")
      .always(lt::Reply::json(
          200, R"({"version_config":{"version":"1.84.0"},"storage_config":)" + api::to_json(config) + "}"));
  fake->on("GET", kStat).always(lt::Reply::json(200, stat_json(5, std::string(kStore) + "?X-Amz-Signature=S")));
  fake->on("GET", kStore).always(lt::Reply::content(200, "hello"));
  Client client = client_with(fake, 1);
  const StoredObject object = client.repository("repo").ref("main").object("data.bin");
  std::vector<Task<std::string>> reads;
  for (int i = 0; i < 3; ++i) reads.push_back(object.read_all_async({.pre_sign = true}));
  const std::vector<std::string> bodies = async::sync_wait(async::when_all(std::move(reads)));
  ASSERT_EQ(bodies.size(), 3u);
  for (const std::string& body : bodies) EXPECT_EQ(body, "hello");
}

TEST(AsyncAdmission, AFailureBeforeTheFirstRequestLeavesTheSlot) {
  const SlowStats server(0ms, 1, 1'000'000, 7);
  // An empty destination path fails in the task, before any request: each such failure gives its slot back.
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW((void)async::sync_wait(server.object().copy_async("main", "")), InvalidArgumentError);
  }
  EXPECT_EQ(async::sync_wait(server.object().stat_async()).size_bytes, 7);
}

}  // namespace
}  // namespace lakefs
