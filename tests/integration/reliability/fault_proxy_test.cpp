// SPDX-License-Identifier: Apache-2.0
// The FaultProxy itself, checked with plain libcurl against the real server:
// the other reliability tests mean something only if the proxy keeps
// connections alive like a real server, frames every kind of body, applies
// each fault exactly as described, and always stops.
#include "support/fault_proxy.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "lakefs/lakefs.hpp"
#include "support/proxied_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string headers{};
  std::string body{};
};

// A libcurl handle of the test's own (so connection reuse is libcurl's, not the SDK's).
class Curl {
 public:
  Curl() : easy_(curl_easy_init()) {}
  ~Curl() { curl_easy_cleanup(easy_); }
  Curl(const Curl&) = delete;
  Curl& operator=(const Curl&) = delete;

  /// Sends `method` to `url`; `chunked_body` (when set) goes as a chunked request body.
  Fetched perform(const std::string& method, const std::string& url, std::optional<std::string> chunked_body = {},
                  long timeout_ms = 10'000) {
    Fetched out;
    curl_easy_reset(easy_);
    const auto& s = server();
    const std::string credentials = s.access_key_id + ":" + s.secret_access_key;
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, 2'000L);
    curl_easy_setopt(easy_, CURLOPT_USERPWD, credentials.c_str());
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &append);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &out.body);
    curl_easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &append);
    curl_easy_setopt(easy_, CURLOPT_HEADERDATA, &out.headers);
    curl_slist* headers = nullptr;
    std::string_view left;
    if (chunked_body) {
      left = *chunked_body;
      curl_easy_setopt(easy_, CURLOPT_POST, 1L);
      curl_easy_setopt(easy_, CURLOPT_READFUNCTION, &read_some);
      curl_easy_setopt(easy_, CURLOPT_READDATA, &left);
      headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
      headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
      headers = curl_slist_append(headers, "Expect: 100-continue");  // the proxy answers the expectation itself
      curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers);
    } else if (method == "HEAD") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    out.code = curl_easy_perform(easy_);
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &out.status);
    curl_slist_free_all(headers);
    return out;
  }

 private:
  static std::size_t append(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  }
  // Small pieces, so the body really goes out as several chunks.
  static std::size_t read_some(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* left = static_cast<std::string_view*>(user);
    const auto n = std::min({size * count, left->size(), std::size_t{1000}});
    left->copy(buffer, n);
    left->remove_prefix(n);
    return n;
  }

  CURL* easy_;
};

class FaultProxyTest : public ProxiedRepoTest {
 protected:
  std::string url(const std::string& path) { return proxy_->endpoint() + "/api/v1" + path; }
  std::string upload_url(const std::string& object_path) {
    return url("/repositories/" + repo().id() + "/branches/main/objects?path=" + object_path);
  }
  std::string object_url(const std::string& object_path) {
    return url("/repositories/" + repo().id() + "/refs/main/objects?path=" + object_path);
  }
};

TEST_F(FaultProxyTest, KeepsConnectionsAliveAcrossEveryKindOfBody) {
  for (int i = 0; i < 30; ++i) {  // a listing long enough that the server sends it chunked
    repo().branch("main").object("listing/object-with-a-rather-long-name-" + std::to_string(i)).upload("x");
  }
  const std::string upload(250'000, 'u');
  Curl curl;
  const auto health = curl.perform("GET", url("/healthcheck"));  // 204: no body
  EXPECT_EQ(health.code, CURLE_OK);
  EXPECT_EQ(health.status, 204);
  const auto put = curl.perform("POST", upload_url("chunked.bin"), upload);  // chunked request body
  EXPECT_EQ(put.code, CURLE_OK);
  EXPECT_EQ(put.status, 201) << put.body;
  const auto get = curl.perform("GET", object_url("chunked.bin"));  // Content-Length response
  EXPECT_EQ(get.code, CURLE_OK);
  EXPECT_TRUE(get.body == upload) << get.body.size() << " bytes";
  const auto head = curl.perform("HEAD", object_url("chunked.bin"));  // Content-Length but no body
  EXPECT_EQ(head.code, CURLE_OK);
  EXPECT_EQ(head.status, 200);
  const auto list = curl.perform("GET", url("/repositories/" + repo().id() + "/refs/main/objects/ls?amount=1000"));
  EXPECT_EQ(list.code, CURLE_OK);
  EXPECT_NE(list.headers.find("chunked"), std::string::npos) << "the listing was not chunked:\n" << list.headers;
  EXPECT_NE(list.body.find("object-with-a-rather-long-name-29"), std::string::npos);
  const auto again = curl.perform("GET", url("/healthcheck"));
  EXPECT_EQ(again.code, CURLE_OK);

  EXPECT_EQ(proxy_->connections_accepted(), 1u) << proxy_->log();
  const auto seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 6u) << proxy_->log();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].index_on_connection, i + 1);
    EXPECT_TRUE(seen[i].forwarded);
    EXPECT_EQ(seen[i].fault, Fault::none);
  }
  EXPECT_EQ(repo().branch("main").object("chunked.bin").read_all(), upload);
}

TEST_F(FaultProxyTest, RespondAnswersWithoutForwardingAndKeepsTheConnection) {
  proxy_->add_rule({.method = "GET",
                    .path_contains = "/healthcheck",
                    .fault = Fault::respond,
                    .status = 429,
                    .headers = {{"Retry-After", "7"}},
                    .body = "<html>slow down</html>"});
  Curl curl;
  const auto first = curl.perform("GET", url("/healthcheck"));
  EXPECT_EQ(first.code, CURLE_OK);
  EXPECT_EQ(first.status, 429);
  EXPECT_NE(first.headers.find("Retry-After: 7"), std::string::npos) << first.headers;
  EXPECT_EQ(first.body, "<html>slow down</html>");
  const auto second = curl.perform("GET", url("/healthcheck"));  // the rule is used up
  EXPECT_EQ(second.status, 204);

  const auto seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 2u) << proxy_->log();
  EXPECT_FALSE(seen[0].forwarded);
  EXPECT_EQ(seen[0].fault, Fault::respond);
  EXPECT_TRUE(seen[1].forwarded);
  EXPECT_EQ(proxy_->connections_accepted(), 1u);
}

TEST_F(FaultProxyTest, ResetsAndClosesBeforeOrAfterForwarding) {
  proxy_->add_rule({.method = "GET", .path_contains = "/healthcheck", .fault = Fault::reset_before_forward});
  proxy_->add_rule({.method = "GET", .path_contains = "/healthcheck", .fault = Fault::reset_after_forward});
  proxy_->add_rule({.method = "GET", .path_contains = "/healthcheck", .fault = Fault::close_after_forward});
  for (int i = 0; i < 3; ++i) {
    Curl curl;  // a fresh connection each time, so libcurl does not retry on its own
    const auto result = curl.perform("GET", url("/healthcheck"));
    EXPECT_NE(result.code, CURLE_OK) << "attempt " << i;
    EXPECT_EQ(result.status, 0) << "attempt " << i;
  }
  const auto seen = proxy_->requests();
  ASSERT_EQ(seen.size(), 3u) << proxy_->log();
  EXPECT_FALSE(seen[0].forwarded);
  EXPECT_TRUE(seen[1].forwarded);
  EXPECT_EQ(seen[1].upstream_status, 204);
  EXPECT_TRUE(seen[2].forwarded);
  EXPECT_EQ(proxy_->connections_accepted(), 3u);
}

TEST_F(FaultProxyTest, TruncatesTheBody) {
  repo().branch("main").object("ten-thousand.bin").upload(std::string(10'000, 't'));
  proxy_->add_rule(
      {.method = "GET", .path_contains = "/objects?path=", .fault = Fault::truncate_response, .body_bytes = 100});
  Curl curl;
  const auto cut = curl.perform("GET", object_url("ten-thousand.bin"));
  EXPECT_EQ(cut.code, CURLE_PARTIAL_FILE);
  EXPECT_EQ(cut.status, 200);
  EXPECT_EQ(cut.body, std::string(100, 't'));
  const auto whole = curl.perform("GET", object_url("ten-thousand.bin"));
  EXPECT_EQ(whole.code, CURLE_OK);
  EXPECT_EQ(whole.body.size(), 10'000u);
}

TEST_F(FaultProxyTest, StallsThenAnswersAndStopEndsAStallThatNeverEnds) {
  proxy_->add_rule({.method = "GET", .path_contains = "/healthcheck", .fault = Fault::stall, .stall_for = 300ms});
  {
    Curl curl;
    const auto start = Clock::now();
    const auto result = curl.perform("GET", url("/healthcheck"));
    EXPECT_EQ(result.code, CURLE_OK);
    EXPECT_EQ(result.status, 204);
    EXPECT_GE(Clock::now() - start, 300ms);
  }

  proxy_->add_rule({.method = "GET", .path_contains = "/healthcheck", .fault = Fault::stall});  // forever
  Fetched stalled;
  std::thread client([&] {
    Curl curl;
    stalled = curl.perform("GET", url("/healthcheck"), {}, 20'000);
  });
  const auto deadline = Clock::now() + 5s;
  while (proxy_->requests().size() < 2 || proxy_->requests()[1].upstream_status == 0) {
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(10ms);
  }
  const auto start = Clock::now();
  proxy_.reset();  // must not wait for the stall
  EXPECT_LT(Clock::now() - start, 2s);
  client.join();
  EXPECT_NE(stalled.code, CURLE_OK);
}

}  // namespace
}  // namespace lakefs::test
