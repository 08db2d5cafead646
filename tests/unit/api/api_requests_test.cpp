// SPDX-License-Identifier: Apache-2.0
// The requests the generated operation classes send, checked through a Client
// over lakefs::testing::FakeTransport (no sockets): paths, query strings,
// headers, JSON bodies, credentials, anonymous operations and the streaming
// upload/download operations; then how responses are decoded and errors
// mapped. The last group checks the fake's own scripting rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace lakefs::api {
namespace {

namespace fake = lakefs::testing;
using fake::Reply;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kRepositoryJson =
    R"({"id":"my/repo ü","creation_date":1718000000,"default_branch":"main","storage_namespace":"mem://x"})";
constexpr const char* kEmptyPage =
    R"({"pagination":{"has_more":false,"next_offset":"","results":0,"max_per_page":1000},"results":[]})";

class ApiRequests : public ::testing::Test {
 protected:
  std::shared_ptr<fake::FakeTransport> transport = std::make_shared<fake::FakeTransport>();
  Client client = fake::make_client(transport);
  Api& api = client.api();

  void TearDown() override {
    for (const auto& request : transport->unscripted()) ADD_FAILURE() << "unscripted request: " << request;
  }
};

TEST_F(ApiRequests, GetRepositoryEncodesPathSegment) {
  transport->on("GET", "/repositories/my%2Frepo%20%C3%BC").reply(Reply::json(200, kRepositoryJson));
  const Repository repo = api.repositories.get_repository({.repository = "my/repo ü"});
  EXPECT_EQ(repo.id, "my/repo ü");
  EXPECT_EQ(repo.creation_date, 1718000000);
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/repositories/my%2Frepo%20%C3%BC");
  EXPECT_EQ(r.query, "");
  EXPECT_TRUE(r.body.empty());
  EXPECT_FALSE(r.anonymous);
  EXPECT_EQ(r.authorization.scheme, http::Authorization::Scheme::basic);
  EXPECT_EQ(r.authorization.user, fake::test_access_key_id);
  EXPECT_EQ(r.authorization.secret, fake::test_secret_access_key);
}

TEST_F(ApiRequests, CreateRepositorySendsJsonBodyAndQuery) {
  transport->on("POST", "/repositories").reply(Reply::json(201, kRepositoryJson));
  (void)api.repositories.create_repository(
      {.body = {.name = "r", .storage_namespace = "mem://r", .default_branch = "main"}, .bare = true});
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/repositories");
  EXPECT_EQ(r.query, "bare=true");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"name":"r","storage_namespace":"mem://r","default_branch":"main"})");
  EXPECT_FALSE(r.streamed);
}

TEST_F(ApiRequests, ListObjectsQueryString) {
  transport->on("GET", "/repositories/r/refs/feature%2Fx/objects/ls").reply(Reply::json(200, kEmptyPage));
  const ObjectStatsList page = api.objects.list_objects(
      {.repository = "r", .ref = "feature/x", .presign = false, .after = "a b", .amount = 1000, .prefix = "data/"});
  EXPECT_TRUE(page.results.empty());
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.query, "presign=false&after=a%20b&amount=1000&prefix=data%2F");
  EXPECT_EQ(r.query_param("after"), "a b");
  EXPECT_EQ(r.query_param("prefix"), "data/");
  EXPECT_EQ(r.query_param("delimiter"), std::nullopt);
}

TEST_F(ApiRequests, ArrayQueryParametersRepeatTheKey) {
  transport->on("GET", "/repositories/r/refs/main/commits").reply(Reply::json(200, kEmptyPage));
  (void)api.refs.log_commits({.repository = "r", .ref = "main", .objects = {"a", "b/c"}, .prefixes = {"p"}});
  EXPECT_THAT(transport->last().query, HasSubstr("objects=a&objects=b%2Fc&prefixes=p"));
}

TEST_F(ApiRequests, HealthCheckIsAnonymousAndVoid) {
  transport->on("GET", "/healthcheck").reply(Reply::empty(204));
  api.health_check.health_check();
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.path, "/healthcheck");
  EXPECT_TRUE(r.anonymous);
  EXPECT_EQ(r.authorization.scheme, http::Authorization::Scheme::none);
  EXPECT_TRUE(r.authorization.secret.empty());
}

TEST_F(ApiRequests, DeleteBranchVoidWithQuery) {
  transport->on("DELETE", "/repositories/r/branches/b").reply(Reply::empty(204));
  api.branches.delete_branch({.repository = "r", .branch = "b", .force = true});
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.method, "DELETE");
  EXPECT_EQ(r.path, "/repositories/r/branches/b");
  EXPECT_EQ(r.query, "force=true");
}

TEST_F(ApiRequests, GetObjectStreamsToSink) {
  std::string content(200000, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 7);
  transport->on("GET", "/repositories/r/refs/main/objects", "path=dir/file.bin")
      .reply(Reply::content(206, content)
                 .with_header("ETag", "\"abc\"")
                 .with_header("Content-Range", "bytes 0-199999/500000"));
  std::string received;
  std::size_t chunks = 0;
  const http::Response response =
      api.objects.get_object({.repository = "r", .ref = "main", .path = "dir/file.bin", .range = "bytes=0-199999"},
                             [&](std::string_view chunk) {
                               received.append(chunk);
                               ++chunks;
                             });
  EXPECT_EQ(received, content);
  EXPECT_GT(chunks, 1u);  // delivered piece by piece, as from the wire
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.status, 206);
  EXPECT_EQ(response.header("etag").value_or(""), "\"abc\"");
  EXPECT_EQ(response.header("content-range").value_or(""), "bytes 0-199999/500000");
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.path, "/repositories/r/refs/main/objects");
  EXPECT_EQ(r.query, "path=dir%2Ffile.bin");
  EXPECT_EQ(r.header("range"), "bytes=0-199999");
}

TEST_F(ApiRequests, ErrorBodyOfAStreamingRequestIsNotSentToTheSink) {
  transport->on("GET", "/repositories/r/refs/main/objects").reply(Reply::error(404, "object not found"));
  std::string received;
  EXPECT_THROW((void)api.objects.get_object({.repository = "r", .ref = "main", .path = "gone"},
                                            [&](std::string_view chunk) { received.append(chunk); }),
               NotFoundError);
  EXPECT_TRUE(received.empty());
}

TEST_F(ApiRequests, UploadObjectStreamsOctetStream) {
  transport->on("POST", "/repositories/r/branches/main/objects")
      .reply(Reply::json(
          201,
          R"({"path":"a.bin","path_type":"object","physical_address":"mem://x","checksum":"c","mtime":5,"size_bytes":100000})"));
  std::size_t produced = 0;
  const std::size_t total = 100000;
  const ObjectStats stats = api.objects.upload_object({
      .repository = "r",
      .branch = "main",
      .body_source =
          [&](char* buf, std::size_t size) {
            const std::size_t n = std::min(size, total - produced);
            for (std::size_t i = 0; i < n; ++i) buf[i] = static_cast<char>('a' + (produced + i) % 26);
            produced += n;
            return n;
          },
      .body_length = total,
      .path = "a.bin",
      .if_none_match = "*",
  });
  EXPECT_EQ(stats.size_bytes, std::optional<std::int64_t>(100000));
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/repositories/r/branches/main/objects");
  EXPECT_EQ(r.query, "path=a.bin");
  EXPECT_EQ(r.header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.header("If-None-Match"), "*");
  EXPECT_TRUE(r.streamed);
  EXPECT_EQ(r.body_length, std::optional<std::uint64_t>(total));
  ASSERT_EQ(r.body.size(), total);
  EXPECT_EQ(r.body[26], 'a');
  EXPECT_EQ(r.body[total - 1], static_cast<char>('a' + (total - 1) % 26));
}

TEST_F(ApiRequests, ExtraHeadersAreSent) {
  transport->on("GET", "/repositories/r").reply(Reply::json(200, kRepositoryJson));
  (void)api.repositories.get_repository({.repository = "r", .extra_headers = {{"X-Trace", "t-1"}}});
  EXPECT_EQ(transport->last().header("x-trace"), "t-1");
}

TEST_F(ApiRequests, ArrayBodyAndArrayResponse) {
  transport->on("PUT", "/repositories/r/settings/branch_protection").reply(Reply::empty(204));
  api.repositories.set_branch_protection_rules(
      {.repository = "r", .body = {{.pattern = "main"}, {.pattern = "rel/*"}}});
  EXPECT_EQ(transport->last().body, R"([{"pattern":"main"},{"pattern":"rel/*"}])");
  transport->on("GET", "/repositories/r/settings/branch_protection").reply(Reply::json(200, R"([{"pattern":"main"}])"));
  const auto rules = api.repositories.get_branch_protection_rules({.repository = "r"});
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].pattern, "main");
}

TEST_F(ApiRequests, MultiTagOperationAvailableOnEveryTag) {
  transport->on("POST", "/auth/users/u/external/principals").reply(Reply::empty(201)).reply(Reply::empty(201));
  api.external.create_user_external_principal({.user_id = "u", .principal_id = "arn:x"});
  EXPECT_EQ(transport->last().path, "/auth/users/u/external/principals");
  EXPECT_EQ(transport->last().query, "principalId=arn%3Ax");
  api.experimental.create_user_external_principal({.user_id = "u", .principal_id = "p"});
  EXPECT_EQ(transport->last().method, "POST");
  EXPECT_EQ(transport->last().query_param("principalId"), "p");
  EXPECT_EQ(transport->count("POST", "/auth/users/u/external/principals"), 2u);
}

TEST_F(ApiRequests, UndecodableResponseIsProtocolError) {
  transport->on("GET", "/repositories/r").reply(Reply::json(200, R"({"id":"r"})"));
  EXPECT_THROW((void)api.repositories.get_repository({.repository = "r"}), ProtocolError);
}

TEST_F(ApiRequests, ServerErrorsPropagate) {
  transport->on("GET", "/repositories/nope")
      .reply(Reply::error(404, "repository not found").with_header("X-Request-ID", "req-42"));
  try {
    (void)api.repositories.get_repository({.repository = "nope"});
    FAIL() << "no exception";
  } catch (const NotFoundError& e) {
    EXPECT_EQ(e.status(), 404);
    EXPECT_EQ(e.server_message(), "repository not found");
    EXPECT_EQ(e.request_id(), "req-42");
    EXPECT_EQ(e.method(), "GET");
    EXPECT_EQ(e.path(), "/repositories/nope");
  }
}

// ---------------------------------------------------------------- the fake's own rules

TEST(FakeTransportScripts, UnscriptedRequestGetsA404NamingIt) {
  auto transport = std::make_shared<fake::FakeTransport>();
  const Client client = fake::make_client(transport);
  try {
    (void)client.api().repositories.get_repository({.repository = "nowhere"});
    FAIL() << "no exception";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.server_message(), HasSubstr("no reply scripted for GET /repositories/nowhere"));
  }
  ASSERT_EQ(transport->unscripted().size(), 1u);
  EXPECT_FALSE(transport->last().scripted);
  EXPECT_THAT(transport->last().describe(), HasSubstr("[unscripted]"));
}

TEST(FakeTransportScripts, QueueIsUsedInOrderThenAlwaysThenRunsOut) {
  auto transport = std::make_shared<fake::FakeTransport>();
  const Client client = fake::make_client(transport, {.retry = RetryOptions{.max_retries = 0}});
  transport->on("GET", "/repositories/a").reply(Reply::error(409, "first")).reply(Reply::json(200, kRepositoryJson));
  EXPECT_THROW((void)client.api().repositories.get_repository({.repository = "a"}), ConflictError);
  EXPECT_EQ(client.api().repositories.get_repository({.repository = "a"}).default_branch, "main");
  try {
    (void)client.api().repositories.get_repository({.repository = "a"});
    FAIL() << "no exception";
  } catch (const NotFoundError& e) {
    EXPECT_THAT(e.server_message(), HasSubstr("no reply left for GET /repositories/a (all 2 scripted"));
  }
  transport->on("GET", "/repositories/a").always(Reply::json(200, kRepositoryJson));
  for (int i = 0; i < 3; ++i) (void)client.api().repositories.get_repository({.repository = "a"});
  EXPECT_EQ(transport->count("GET", "/repositories/a"), 6u);
  EXPECT_EQ(transport->remaining(), 0u);
}

TEST(FakeTransportScripts, RoutesWithQueryParametersWinAndCompareDecodedValues) {
  auto transport = std::make_shared<fake::FakeTransport>();
  const Client client = fake::make_client(transport);
  transport->on("GET", "/repositories/r/refs/main/objects").always(Reply::content(200, "any"));
  transport->on("GET", "/repositories/r/refs/main/objects", "path=dir%2Fa.txt").reply(Reply::content(200, "A"));
  transport->on("GET", "/repositories/r/refs/main/objects", "path=dir/b.txt").reply(Reply::content(200, "B"));
  const auto read = [&](const std::string& path) {
    std::string data;
    (void)client.api().objects.get_object({.repository = "r", .ref = "main", .path = path},
                                          [&](std::string_view chunk) { data.append(chunk); });
    return data;
  };
  EXPECT_EQ(read("dir/b.txt"), "B");
  EXPECT_EQ(read("dir/a.txt"), "A");
  EXPECT_EQ(read("dir/a.txt"), "any");  // its own reply is used up: the route without query answers
  EXPECT_EQ(read("other"), "any");
}

TEST(FakeTransportScripts, DescribeNeverShowsCredentials) {
  auto transport = std::make_shared<fake::FakeTransport>();
  const Client client = fake::make_client(transport);
  transport->on("POST", "/repositories").reply(Reply::json(201, kRepositoryJson));
  (void)client.api().repositories.create_repository({.body = {.name = "r", .storage_namespace = "mem://r"}});
  const std::string text = transport->last().describe();
  EXPECT_THAT(text, HasSubstr("POST /repositories (basic auth, "));
  EXPECT_THAT(text, Not(HasSubstr(std::string(fake::test_access_key_id))));
  EXPECT_THAT(text, Not(HasSubstr(std::string(fake::test_secret_access_key))));
}

TEST(FakeTransportScripts, PreSignedUrlsAreMatchedWithoutTheirQuery) {
  auto transport = std::make_shared<fake::FakeTransport>();
  transport->on("GET", "https://bucket.example/obj").reply(Reply::content(200, "data"));
  http::Request request;
  request.path = "/pre-signed/obj";
  request.absolute_url = "https://bucket.example/obj?X-Amz-Signature=s3cr3t";
  const http::Result result = transport->perform(std::move(request));
  EXPECT_EQ(result.response.body, "data");
  const fake::RecordedRequest r = transport->last();
  EXPECT_EQ(r.query_param("X-Amz-Signature"), "s3cr3t");
  EXPECT_THAT(r.describe(), Not(HasSubstr("s3cr3t")));
}

}  // namespace
}  // namespace lakefs::api
