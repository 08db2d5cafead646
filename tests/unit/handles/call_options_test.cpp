// SPDX-License-Identifier: Apache-2.0
// Every method of the handles that sends a request takes its options last, by
// value, and every request it sends carries them: a stop token, a timeout and
// an extra header given to the call reach the transport on each of its
// requests. Driven through lakefs::testing::FakeTransport, one test per handle
// type; the fake answers each route with a minimal valid body.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <sstream>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs {
namespace {

namespace fake = lakefs::testing;
using fake::Reply;
using std::chrono::milliseconds;

constexpr milliseconds kTimeout{4321};
constexpr const char* kMarker = "x-call-marker";

constexpr const char* kRepository =
    R"({"id":"repo","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://repo"})";
constexpr const char* kRef = R"({"id":"main","commit_id":"c1"})";
constexpr const char* kCommit =
    R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":1718000000,"meta_range_id":""})";
constexpr const char* kStats =
    R"({"path":"a.txt","path_type":"object","physical_address":"mem://repo/a","checksum":"e1","size_bytes":3,"mtime":1718000000})";
constexpr const char* kEmptyPage =
    R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})";
constexpr const char* kPullRequest =
    R"({"id":"p1","status":"open","creation_date":"2024-06-10T06:13:20Z","title":"t","author":"me","description":"d","source_branch":"f","destination_branch":"main"})";
constexpr const char* kRun =
    R"({"run_id":"run1","branch":"main","start_time":"2024-06-10T06:13:20Z","event_type":"pre-commit","status":"completed","commit_id":"c1"})";

class CallOptionsTest : public ::testing::Test {
 protected:
  std::shared_ptr<fake::FakeTransport> transport = std::make_shared<fake::FakeTransport>();
  Client client = fake::make_client(transport);
  std::stop_source source;

  void SetUp() override {
    on("GET", "/repositories/repo", Reply::json(200, kRepository));
    on("POST", "/repositories", Reply::json(201, kRepository));
    on("DELETE", "/repositories/repo", Reply::empty(204));
    on("GET", "/repositories/repo/metadata", Reply::json(200, "{}"));
    on("GET", "/repositories/repo/branches", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/tags", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/branches/main", Reply::json(200, kRef));
    on("GET", "/repositories/repo/branches/f", Reply::json(200, kRef));
    on("POST", "/repositories/repo/branches", Reply::json(201, "\"f\""));
    on("DELETE", "/repositories/repo/branches/f", Reply::empty(204));
    on("POST", "/repositories/repo/branches/main/commits", Reply::json(201, kCommit));
    on("GET", "/repositories/repo/commits/c1", Reply::json(200, kCommit));
    on("GET", "/repositories/repo/commits/main", Reply::json(200, kCommit));
    on("GET", "/repositories/repo/commits/v1", Reply::json(200, kCommit));
    on("POST", "/repositories/repo/branches/main/revert", Reply::empty(204));
    on("POST", "/repositories/repo/branches/main/cherry-pick", Reply::json(201, kCommit));
    on("PUT", "/repositories/repo/branches/main", Reply::empty(204));
    on("GET", "/repositories/repo/branches/main/diff", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/refs/main/commits", Reply::json(200, kEmptyPage));
    on("GET", "/repositories", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/actions/runs", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/pulls", Reply::json(200, kEmptyPage));
    on("POST", "/repositories/repo/branches/main/objects/delete", Reply::json(200, R"({"errors":[]})"));
    on("GET", "/repositories/repo/refs/main/diff/f", Reply::json(200, kEmptyPage));
    on("GET", "/repositories/repo/refs/main/objects/ls", Reply::json(200, kEmptyPage));
    on("POST", "/repositories/repo/refs/main/merge/f", Reply::json(200, R"({"reference":"c2"})"));
    on("GET", "/repositories/repo/refs/main/merge/f",
       Reply::json(200, R"({"source_commit_id":"c1","destination_commit_id":"c2","base_commit_id":"c0"})"));
    on("POST", "/repositories/repo/tags", Reply::json(201, kRef));
    on("DELETE", "/repositories/repo/tags/v1", Reply::empty(204));
    on("GET", "/repositories/repo/settings/branch_protection", Reply::json(200, "[]").with_header("ETag", "\"e\""));
    on("PUT", "/repositories/repo/settings/branch_protection", Reply::empty(204));
    on("GET", "/repositories/repo/settings/gc_rules",
       Reply::json(200, R"({"default_retention_days":7,"branches":[]})"));
    on("PUT", "/repositories/repo/settings/gc_rules", Reply::empty(204));
    on("DELETE", "/repositories/repo/settings/gc_rules", Reply::empty(204));
    on("GET", "/repositories/repo/actions/runs/run1", Reply::json(200, kRun));
    on("GET", "/repositories/repo/actions/runs/run1/hooks/h1/output", Reply::content(200, "log"));
    on("POST", "/repositories/repo/pulls", Reply::json(201, R"({"id":"p1"})"));
    on("GET", "/repositories/repo/pulls/p1", Reply::json(200, kPullRequest));
    on("PUT", "/repositories/repo/pulls/p1/merge", Reply::json(200, R"({"reference":"c2"})"));
    on("PATCH", "/repositories/repo/pulls/p1", Reply::empty(204));
    on("GET", "/repositories/repo/refs/main/objects/stat", Reply::json(200, kStats));
    on("GET", "/repositories/repo/refs/main/objects", Reply::content(200, "abc"));
    on("POST", "/repositories/repo/branches/main/objects", Reply::json(201, kStats));
    on("PUT", "/repositories/repo/branches/main/objects", Reply::json(201, kStats));
    on("DELETE", "/repositories/repo/branches/main/objects", Reply::empty(204));
    on("POST", "/repositories/repo/branches/main/objects/copy", Reply::json(201, kStats));
    on("PUT", "/repositories/repo/branches/main/objects/stat/user_metadata", Reply::empty(201));
    on("GET", "/config",
       Reply::json(200, R"({"version_config":{"version":"1.84.0"},"storage_config":{)"
                        R"("blockstore_type":"local","blockstore_namespace_example":"local://x",)"
                        R"("blockstore_namespace_ValidityRegex":"^local://","pre_sign_support":false,)"
                        R"("pre_sign_support_ui":false,"import_support":false,"import_validity_regex":""}})"));
  }

  void on(std::string_view method, std::string_view path, Reply reply) {
    transport->on(method, path).always(std::move(reply));
  }

  // The options every call is given.
  CallOptions call() {
    CallOptions options;
    options.timeout = kTimeout;
    options.stop = source.get_token();
    options.headers = {{kMarker, "1"}};
    return options;
  }

  // Runs `fn` and checks it sent at least one request, every one scripted and carrying call()'s options (a
  // transaction's cleanup, a DELETE of a path starting with `cleanup`, without the stop token).
  void expect_options_reach_every_request(const std::string& name, const std::function<void()>& fn,
                                          const std::string& cleanup = {}) {
    transport->clear_requests();
    try {
      fn();
    } catch (const std::exception& e) {
      ADD_FAILURE() << name << " threw: " << e.what();
    }
    const auto sent = transport->requests();
    EXPECT_FALSE(sent.empty()) << name << " sent nothing";
    for (const auto& request : sent) {
      EXPECT_TRUE(request.scripted) << name << ": unscripted " << request;
      EXPECT_EQ(request.call.timeout, kTimeout) << name << ": " << request;
      const bool is_cleanup = !cleanup.empty() && request.method == "DELETE" && request.path.starts_with(cleanup);
      EXPECT_EQ(request.stoppable, !is_cleanup) << name << ": stop token on " << request;
      EXPECT_EQ(request.header(kMarker), "1") << name << ": " << request;
    }
  }
};

TEST_F(CallOptionsTest, RepositoryMethodsPassThemOn) {
  Repository repo("repo", client);
  expect_options_reach_every_request("create",
                                     [&] { repo.create({.storage_namespace = "mem://repo", .call = call()}); });
  expect_options_reach_every_request("remove", [&] { repo.remove({.call = call()}); });
  expect_options_reach_every_request("properties", [&] { (void)repo.properties(call()); });
  expect_options_reach_every_request("storage_id", [&] { (void)repo.storage_id(call()); });
  expect_options_reach_every_request("metadata", [&] { (void)repo.metadata(call()); });
  expect_options_reach_every_request("branches", [&] { (void)repo.branches({.call = call()}).to_vector(); });
  expect_options_reach_every_request("tags", [&] { (void)repo.tags({.call = call()}).to_vector(); });
  expect_options_reach_every_request("stale_transactions",
                                     [&] { (void)repo.stale_transactions(std::chrono::hours(1), call()); });
  expect_options_reach_every_request("remove_stale_transactions",
                                     [&] { (void)repo.remove_stale_transactions(std::chrono::hours(1), call()); });
  expect_options_reach_every_request("branch_protection_rules", [&] { (void)repo.branch_protection_rules(call()); });
  expect_options_reach_every_request("add_branch_protection_rule",
                                     [&] { repo.add_branch_protection_rule("main", call()); });
  expect_options_reach_every_request("gc_rules", [&] { (void)repo.gc_rules(call()); });
  expect_options_reach_every_request("set_gc_rules", [&] { repo.set_gc_rules({.default_retention_days = 7}, call()); });
  expect_options_reach_every_request("delete_gc_rules", [&] { repo.delete_gc_rules(call()); });
  expect_options_reach_every_request("action_runs", [&] { (void)repo.action_runs({.call = call()}).to_vector(); });
  expect_options_reach_every_request("action_run", [&] { (void)repo.action_run("run1", call()); });
  expect_options_reach_every_request("hook_output", [&] { (void)repo.hook_output("run1", "h1", call()); });
  expect_options_reach_every_request("create_pull_request",
                                     [&] { (void)repo.create_pull_request("f", "main", "t", "d", call()); });
  expect_options_reach_every_request("pull_requests", [&] { (void)repo.pull_requests({.call = call()}).to_vector(); });
  expect_options_reach_every_request("pull_request", [&] { (void)repo.pull_request("p1", call()); });
  expect_options_reach_every_request("merge_pull_request", [&] { (void)repo.merge_pull_request("p1", call()); });
  expect_options_reach_every_request("close_pull_request", [&] { repo.close_pull_request("p1", call()); });
  expect_options_reach_every_request("update_pull_request",
                                     [&] { repo.update_pull_request("p1", {.title = "t2"}, call()); });
  expect_options_reach_every_request("repositories", [&] { (void)repositories({.call = call()}, client).to_vector(); });
}

TEST_F(CallOptionsTest, ReferenceBranchAndTagMethodsPassThemOn) {
  Branch main("repo", "main", client);
  Branch feature("repo", "f", client);
  Tag tag("repo", "v1", client);
  expect_options_reach_every_request("get_commit", [&] { (void)main.get_commit(call()); });
  expect_options_reach_every_request("log", [&] { (void)main.log({.call = call()}).to_vector(); });
  expect_options_reach_every_request("diff", [&] { (void)main.diff("f", {.call = call()}).to_vector(); });
  expect_options_reach_every_request("objects", [&] { (void)main.objects({.call = call()}).to_vector(); });
  expect_options_reach_every_request("merge_into", [&] { (void)main.merge_into("f", {.call = call()}); });
  expect_options_reach_every_request("merge_base", [&] { (void)main.merge_base("f", call()); });
  expect_options_reach_every_request("create", [&] { feature.create("main", {.call = call()}); });
  expect_options_reach_every_request("remove", [&] { feature.remove({.call = call()}); });
  expect_options_reach_every_request("head", [&] { (void)main.head(call()); });
  expect_options_reach_every_request("commit", [&] { (void)main.commit("m", {.call = call()}); });
  expect_options_reach_every_request("revert", [&] { (void)main.revert("c1", {.call = call()}); });
  expect_options_reach_every_request("cherry_pick", [&] { (void)main.cherry_pick("c1", {.call = call()}); });
  expect_options_reach_every_request("reset_changes", [&] { main.reset_changes(call()); });
  expect_options_reach_every_request("reset_object", [&] { main.reset_object("a.txt", call()); });
  expect_options_reach_every_request("reset_prefix", [&] { main.reset_prefix("a/", call()); });
  expect_options_reach_every_request("uncommitted", [&] { (void)main.uncommitted({.call = call()}).to_vector(); });
  expect_options_reach_every_request("remove_objects", [&] { main.remove_objects({"a.txt"}, {.call = call()}); });
  expect_options_reach_every_request("tag create", [&] { tag.create("main", {.call = call()}); });
  expect_options_reach_every_request("tag remove", [&] { tag.remove({.call = call()}); });
}

TEST_F(CallOptionsTest, ObjectMethodsPassThemOn) {
  WriteableObject object("repo", "main", "a.txt", client);
  expect_options_reach_every_request("stat", [&] { (void)object.stat({.call = call()}); });
  expect_options_reach_every_request("exists", [&] { (void)object.exists(call()); });
  expect_options_reach_every_request("read_all", [&] { (void)object.read_all({.call = call()}); });
  expect_options_reach_every_request("read_range", [&] { (void)object.read_range(0, 3, ReadOptions{.call = call()}); });
  expect_options_reach_every_request("reader", [&] {
    auto in = object.reader({.call = call()});
    std::string text;
    in >> text;
  });
  expect_options_reach_every_request("copy", [&] { (void)object.copy("main", "b.txt", {.call = call()}); });
  expect_options_reach_every_request("upload", [&] { object.upload("abc", {.call = call()}); });
  expect_options_reach_every_request("writer", [&] {
    auto out = object.writer({.call = call()});
    out << "abc";
    (void)out.close();
  });
  expect_options_reach_every_request("update_metadata", [&] { object.update_metadata({{"k", "v"}}, call()); });
  expect_options_reach_every_request("remove", [&] { object.remove(call()); });
  expect_options_reach_every_request("commit", [&] { (void)object.commit("m", {.call = call()}); });
}

TEST_F(CallOptionsTest, ClientMethodsPassThemOn) {
  expect_options_reach_every_request("server_version", [&] { (void)client.server_version(call()); });
  expect_options_reach_every_request("server_config", [&] { (void)client.server_config(call()); });
  expect_options_reach_every_request("storage_config", [&] { (void)client.storage_config(call()); });
}

TEST_F(CallOptionsTest, ATransactionSendsItsOwnRequestsWithItsOptions) {
  // Creating the ephemeral branch, looking for changes, committing, merging, reading the result and removing the
  // branch: every request of the transaction itself carries TransactionOptions::call.
  transport->on("POST", "/repositories/repo/branches").always(Reply::json(201, "\"tx\""));
  Branch main("repo", "main", client);
  std::string ephemeral;
  expect_options_reach_every_request(
      "begin_transaction + commit",
      [&] {
        auto tx = main.begin_transaction({.allow_empty = true, .call = call()});
        ephemeral = tx.id();
        transport->on("GET", "/repositories/repo/branches/" + ephemeral).always(Reply::json(200, kRef));
        transport->on("GET", "/repositories/repo/branches/" + ephemeral + "/diff").always(Reply::json(200, kEmptyPage));
        transport->on("POST", "/repositories/repo/branches/" + ephemeral + "/commits")
            .always(Reply::json(201, kCommit));
        transport->on("POST", "/repositories/repo/refs/" + ephemeral + "/merge/main")
            .always(Reply::json(200, R"({"reference":"c2"})"));
        transport->on("GET", "/repositories/repo/commits/c2").always(Reply::json(200, kCommit));
        transport->on("DELETE", "/repositories/repo/branches/" + ephemeral).always(Reply::empty(204));
        (void)tx.commit();
      },
      "/repositories/repo/branches/tx-");
  // A stop requested before the transaction's end still removes its branch (the cleanup drops only the token).
  auto tx = main.begin_transaction({.call = call()});
  ephemeral = tx.id();
  transport->on("DELETE", "/repositories/repo/branches/" + ephemeral).always(Reply::empty(204));
  source.request_stop();
  transport->clear_requests();
  tx.rollback();
  ASSERT_EQ(transport->count("DELETE", "/repositories/repo/branches/" + ephemeral), 1u);
  EXPECT_EQ(transport->last().call.timeout, kTimeout);
  EXPECT_EQ(transport->last().header(kMarker), "1");
}

TEST_F(CallOptionsTest, AStopRequestedBeforeTheCallSendsNothing) {
  source.request_stop();
  Branch main("repo", "main", client);
  EXPECT_THROW((void)main.commit("m", {.call = call()}), CancelledError);
  EXPECT_THROW((void)main.head(call()), CancelledError);
  EXPECT_THROW((void)main.object("a.txt").exists(call()), CancelledError);
  EXPECT_THROW((void)Tag("repo", "v1", client).create("main", {.call = call()}), CancelledError);
  EXPECT_EQ(transport->count(), 0u);
}

}  // namespace
}  // namespace lakefs
