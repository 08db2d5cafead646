// SPDX-License-Identifier: Apache-2.0
// Transport::perform() (src/transport/http.cpp): the blocking call the client
// makes for every attempt. Its default runs start() on a copy of the request
// and waits for the completion, which may come from another thread after
// start() has returned; the libcurl transport overrides it to run the attempt
// on the caller's request itself.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/transport.hpp"

namespace lakefs {
namespace {

// Completes every attempt on a thread of its own, 5 ms after start() returned, answering a repository.
class LaterTransport final : public Transport {
 public:
  ~LaterTransport() override {
    for (auto& t : threads_) t.join();
  }
  void start(http::Request request, http::Completion done) override {
    std::lock_guard lock(mutex_);
    seen_.push_back(request.path);
    threads_.emplace_back([request = std::move(request), done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      http::Result result;
      result.response.status = 200;
      result.response.body = R"({"id":"r","creation_date":1,"default_branch":"main","storage_namespace":"local://r"})";
      result.response.headers.emplace_back("content-type", "application/json");
      result.request_sent = true;
      result.bytes_received = result.response.body.size();
      done(std::move(result));
    });
  }
  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> seen_;
  std::vector<std::thread> threads_;
};

TEST(TransportPerform, TheDefaultWaitsForACompletionFromAnotherThread) {
  LaterTransport transport;
  http::Request request;
  request.path = "/repositories/r";
  const http::Result result = transport.perform(request);
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.header("Content-Type"), std::optional<std::string_view>("application/json"));
  EXPECT_EQ(request.path, "/repositories/r");  // start() got a copy: the caller's request is untouched
  EXPECT_EQ(transport.seen(), std::vector<std::string>{"/repositories/r"});
}

TEST(TransportPerform, AClientOnATransportThatCompletesLaterDecodesItsAnswers) {
  auto transport = std::make_shared<LaterTransport>();
  Client client(ClientOptions{.endpoint = "http://127.0.0.1:1",
                              .access_key_id = "AKIAEXAMPLE",
                              .secret_access_key = "secret",
                              .transport = transport,
                              .explicit_only = true});
  for (int i = 0; i < 3; ++i) {
    const api::Repository repo = client.api().repositories.get_repository({.repository = "r"});
    EXPECT_EQ(repo.id, "r");
    EXPECT_EQ(repo.storage_namespace, "local://r");
  }
  EXPECT_EQ(transport->seen().size(), 3U);
}

}  // namespace
}  // namespace lakefs
