// SPDX-License-Identifier: Apache-2.0
// The asynchronous twins of the generated operations (x_async next to x), on a
// Client over lakefs::testing::FakeTransport: for a JSON, a void, a text, a
// listing (typed and raw), a streamed download and a streamed upload
// operation, the twin sends exactly the request the synchronous method sends
// and decodes the same result; a lakeFS error ends it with the same exception
// type; a request that cannot be built ends the task instead of throwing; the
// task is lazy and can be awaited from a coroutine. Every other operation is
// checked the same way by the generated generated_async_twins_test.cpp.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/testing/fake_transport.hpp"
#include "unit/api/twin_check.hpp"

namespace lakefs::api {
namespace {

namespace fake = lakefs::testing;
using fake::Reply;

constexpr const char* kRepositoryJson =
    R"({"id":"my/repo","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://x"})";
constexpr const char* kObjectJson =
    R"({"path":"a.bin","path_type":"object","physical_address":"mem://x","checksum":"c","mtime":5,"size_bytes":21})";
constexpr const char* kPage =
    R"({"pagination":{"has_more":true,"next_offset":"b","results":1,"max_per_page":1},)"
    R"("results":[{"path":"a","path_type":"object","physical_address":"mem://a","checksum":"c","mtime":1}]})";

class AsyncTwins : public twins::AsyncTwins {
 protected:
  void TearDown() override {
    for (const auto& request : transport->unscripted()) ADD_FAILURE() << "unscripted request: " << request;
  }
};

TEST_F(AsyncTwins, GetRepositorySendsTheSameRequestAndDecodesTheSameModel) {
  transport->on("GET", "/repositories/my%2Frepo")
      .reply(Reply::json(200, kRepositoryJson))
      .reply(Reply::json(200, kRepositoryJson));
  const GetRepositoryRequest request{.repository = "my/repo", .extra_headers = {{"X-Trace", "t-1"}}};

  const Repository from_sync = api.repositories.get_repository(request);
  const fake::RecordedRequest sync_sent = transport->last();
  const Repository from_twin = async::sync_wait(api.repositories.get_repository_async(request));
  const fake::RecordedRequest twin_sent = transport->last();

  EXPECT_EQ(transport->count(), 2u);
  EXPECT_EQ(twin_sent.method, "GET");
  EXPECT_EQ(twin_sent.path, "/repositories/my%2Frepo");
  EXPECT_EQ(twin_sent.header("x-trace"), "t-1");
  EXPECT_EQ(twins::sent(sync_sent), twins::sent(twin_sent));
  EXPECT_EQ(from_twin, from_sync);
  EXPECT_EQ(from_twin.id, "my/repo");
  EXPECT_EQ(from_twin.default_branch, "main");
}

TEST_F(AsyncTwins, StatObjectAgrees) {
  twins::expect_twins_agree_on(
      *transport, transport->on("GET", "/repositories/r/refs/main/objects/stat"), Reply::json(200, kObjectJson),
      [&] { return api.objects.stat_object({.repository = "r", .ref = "main", .path = "a.bin", .presign = false}); },
      [&] {
        return api.objects.stat_object_async({.repository = "r", .ref = "main", .path = "a.bin", .presign = false});
      });
  EXPECT_EQ(transport->last().query, "path=a.bin&presign=false");
}

TEST_F(AsyncTwins, DeleteObjectIsVoidAndSendsTheSameQuery) {
  transport->on("DELETE", "/repositories/r/branches/b/objects").reply(Reply::empty(204)).reply(Reply::empty(204));
  const DeleteObjectRequest request{.repository = "r", .branch = "b", .path = "dir/a b", .force = true};
  api.objects.delete_object(request);
  const fake::RecordedRequest sync_sent = transport->last();
  async::sync_wait(api.objects.delete_object_async(request));
  const fake::RecordedRequest twin_sent = transport->last();
  EXPECT_EQ(twin_sent.method, "DELETE");
  EXPECT_EQ(twin_sent.query, "path=dir%2Fa%20b&force=true");
  EXPECT_EQ(twins::sent(sync_sent), twins::sent(twin_sent));
}

TEST_F(AsyncTwins, CreateBranchReturnsTheSameText) {
  auto route = transport->on("POST", "/repositories/r/branches");
  twins::expect_twins_agree_on(
      *transport, route, Reply::content(201, "c0ffee", "text/html"),
      [&] { return api.branches.create_branch({.repository = "r", .body = {.name = "b", .source = "main"}}); },
      [&] { return api.branches.create_branch_async({.repository = "r", .body = {.name = "b", .source = "main"}}); });
  route.reply(Reply::content(201, "c0ffee", "text/html"));
  EXPECT_EQ(
      async::sync_wait(api.branches.create_branch_async({.repository = "r", .body = {.name = "b", .source = "main"}})),
      "c0ffee");
}

TEST_F(AsyncTwins, ListObjectsTypedAndRawAgree) {
  auto route = transport->on("GET", "/repositories/r/refs/main/objects/ls");
  const ListObjectsRequest request{.repository = "r", .ref = "main", .after = "a", .amount = 1, .prefix = "p/"};
  twins::expect_twins_agree_on(
      *transport, route, Reply::json(200, kPage), [&] { return api.objects.list_objects(request); },
      [&] { return api.objects.list_objects_async(request); });
  twins::expect_twins_agree_on(
      *transport, route, Reply::json(200, kPage), [&] { return api.objects.list_objects_raw(request); },
      [&] { return api.objects.list_objects_raw_async(request); });

  route.reply(Reply::json(200, kPage)).reply(Reply::json(200, kPage));
  const ObjectStatsList page = async::sync_wait(api.objects.list_objects_async(request));
  ASSERT_EQ(page.results.size(), 1u);
  EXPECT_EQ(page.results[0].path, "a");
  EXPECT_TRUE(page.pagination.has_more);
  EXPECT_EQ(page.pagination.next_offset, "b");
  const http::Response raw = async::sync_wait(api.objects.list_objects_raw_async(request));
  EXPECT_EQ(raw.status, 200);
  EXPECT_EQ(raw.body, kPage);
  EXPECT_EQ(transport->last().query, "after=a&amount=1&prefix=p%2F");
}

TEST_F(AsyncTwins, GetObjectStreamsTheSameBytesToTheSink) {
  std::string content(100000, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7);
  const Reply ok = Reply::content(206, content).with_header("ETag", "\"abc\"");
  auto route = transport->on("GET", "/repositories/r/refs/main/objects");
  const GetObjectRequest request{.repository = "r", .ref = "main", .path = "f.bin", .range = "bytes=0-99999"};
  twins::expect_twins_agree_on(
      *transport, route, ok,
      [&] { return twins::streamed([&](auto sink) { return api.objects.get_object(request, sink); }); },
      [&] {
        return twins::streamed_async([&](auto sink) { return api.objects.get_object_async(request, std::move(sink)); });
      });

  route.reply(ok);
  std::string received;
  std::size_t chunks = 0;
  const http::Response response = async::sync_wait(api.objects.get_object_async(request, [&](std::string_view chunk) {
    received.append(chunk);
    ++chunks;
  }));
  EXPECT_EQ(received, content);
  EXPECT_GT(chunks, 1u);
  EXPECT_EQ(response.status, 206);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.header("etag").value_or(""), "\"abc\"");
  EXPECT_EQ(transport->last().header("range"), "bytes=0-99999");
}

TEST_F(AsyncTwins, UploadObjectStreamsTheSameBody) {
  twins::expect_twins_agree_on(
      *transport, transport->on("POST", "/repositories/r/branches/main/objects"), Reply::json(201, kObjectJson),
      [&] {
        return api.objects.upload_object({.repository = "r",
                                          .branch = "main",
                                          .body_source = twins::body_source("streamed request body"),
                                          .body_length = 21,
                                          .path = "a.bin"});
      },
      [&] {
        return api.objects.upload_object_async({.repository = "r",
                                                .branch = "main",
                                                .body_source = twins::body_source("streamed request body"),
                                                .body_length = 21,
                                                .path = "a.bin"});
      });
  const fake::RecordedRequest r = transport->last();
  EXPECT_TRUE(r.streamed);
  EXPECT_EQ(r.body, "streamed request body");
  EXPECT_EQ(r.header("content-type"), "application/octet-stream");
}

TEST_F(AsyncTwins, ServerErrorsBecomeTheSameExceptionType) {
  transport->on("GET", "/repositories/gone").always(Reply::error(404, "repository not found"));
  EXPECT_THROW((void)api.repositories.get_repository({.repository = "gone"}), NotFoundError);
  EXPECT_THROW((void)async::sync_wait(api.repositories.get_repository_async({.repository = "gone"})), NotFoundError);

  transport->on("DELETE", "/repositories/r/branches/main/objects").always(Reply::error(409, "locked"));
  const DeleteObjectRequest request{.repository = "r", .branch = "main", .path = "a"};
  EXPECT_THROW(api.objects.delete_object(request), ConflictError);
  EXPECT_THROW(async::sync_wait(api.objects.delete_object_async(request)), ConflictError);

  transport->on("GET", "/repositories/r/refs/main/objects").always(Reply::error(412, "precondition"));
  std::string received;
  EXPECT_THROW(
      (void)async::sync_wait(api.objects.get_object_async({.repository = "r", .ref = "main", .path = "a"},
                                                          [&](std::string_view chunk) { received.append(chunk); })),
      PreconditionFailedError);
  EXPECT_TRUE(received.empty());  // an error body never reaches the sink
}

TEST_F(AsyncTwins, AResponseThatDoesNotDecodeIsAProtocolErrorForBoth) {
  twins::expect_twins_agree_on(
      *transport, transport->on("GET", "/repositories/r"), Reply::json(200, kRepositoryJson),
      [&] { return api.repositories.get_repository({.repository = "r"}); },
      [&] { return api.repositories.get_repository_async({.repository = "r"}); });
  transport->on("GET", "/repositories/r").always(Reply::json(200, R"({"id":"r"})"));
  EXPECT_THROW((void)api.repositories.get_repository({.repository = "r"}), ProtocolError);
  EXPECT_THROW((void)async::sync_wait(api.repositories.get_repository_async({.repository = "r"})), ProtocolError);
}

TEST_F(AsyncTwins, ARequestThatCannotBeBuiltEndsTheTaskInsteadOfThrowing) {
  // A JSON value to send must be one JSON value: encoding the body throws InvalidArgumentError.
  const CreateRepositoryRequest request{
      .body = {.name = "r", .storage_namespace = "mem://r", .unknown_fields = {{"x", JsonValue{R"(1,"force":true)"}}}}};
  EXPECT_THROW((void)api.repositories.create_repository(request), InvalidArgumentError);
  async::Task<Repository> task;
  EXPECT_NO_THROW(task = api.repositories.create_repository_async(request));
  ASSERT_TRUE(task.valid());
  EXPECT_THROW((void)async::sync_wait(std::move(task)), InvalidArgumentError);
  EXPECT_EQ(transport->count(), 0u);  // nothing reached the wire
}

TEST_F(AsyncTwins, TheTaskIsLazyAndOwnsItsRequest) {
  transport->on("GET", "/repositories/r").reply(Reply::json(200, kRepositoryJson));
  {
    auto dropped = api.repositories.get_repository_async({.repository = "r"});
    EXPECT_TRUE(dropped.valid());
  }
  EXPECT_EQ(transport->count(), 0u);  // a task destroyed before it ran sent nothing

  auto task = [&] {
    std::string name = "r";  // gone before the task runs: the request was taken by value
    return api.repositories.get_repository_async({.repository = name});
  }();
  EXPECT_EQ(transport->count(), 0u);
  EXPECT_EQ(async::sync_wait(std::move(task)).id, "my/repo");
  EXPECT_EQ(transport->last().path, "/repositories/r");
}

// The requests are named variables: GCC 12 destroys a braced temporary of a co_await expression twice (see
// docs/api-layer.md), so `co_await api.x.op_async({...})` is not written in this code base.
async::Task<std::string> default_branch_and_head(Client client, std::string repository) {
  const GetRepositoryRequest get_repository{.repository = repository};
  const Repository repo = co_await client.api().repositories.get_repository_async(get_repository);
  const GetBranchRequest get_branch{.repository = repository, .branch = repo.default_branch};
  const Ref head = co_await client.api().branches.get_branch_async(get_branch);
  co_return repo.default_branch + "@" + head.commit_id;
}

TEST_F(AsyncTwins, TwinsAreAwaitedFromACoroutine) {
  transport->on("GET", "/repositories/r").reply(Reply::json(200, kRepositoryJson));
  transport->on("GET", "/repositories/r/branches/main").reply(Reply::json(200, R"({"id":"main","commit_id":"c1"})"));
  EXPECT_EQ(async::sync_wait(default_branch_and_head(client, "r")), "main@c1");
  EXPECT_EQ(transport->count(), 2u);
}

}  // namespace
}  // namespace lakefs::api
