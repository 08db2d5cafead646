// SPDX-License-Identifier: Apache-2.0
// What ~ObjectWriter() does with a writer still open, on the fake transport:
// left normally it closes (uploads); left while an exception unwinds it sends
// nothing; and a close() that fails in the destructor cannot throw, so it is
// logged at error level (without credentials) and handed to
// WriterOptions::on_destructor_error.
#include <gtest/gtest.h>

#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

constexpr const char* kUpload = "/repositories/repo/branches/main/objects";

std::string stats_json(const std::string& path, std::size_t size) {
  return R"({"path":")" + path +
         R"(","path_type":"object","physical_address":"local://x","checksum":"c","size_bytes":)" +
         std::to_string(size) + R"(,"mtime":1796000000})";
}

struct Lines {
  std::mutex mutex;
  std::vector<std::pair<lakefs::LogLevel, std::string>> lines;
  lakefs::LoggingOptions options() {
    return {.level = lakefs::LogLevel::warning, .handler = [this](lakefs::LogLevel level, std::string_view line) {
              std::lock_guard lock(mutex);
              lines.emplace_back(level, std::string(line));
            }};
  }
};

TEST(WriterDestructor, LeftNormallyTheWriterIsClosedAndTheObjectUploaded) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", kUpload).always(lt::Reply::json(201, stats_json("out.txt", 11)));
  const auto client = lt::make_client(fake);
  int reported = 0;
  {
    auto out = client.repository("repo").branch("main").object("out.txt").writer(
        {.pre_sign = false, .on_destructor_error = [&](std::exception_ptr) { ++reported; }});
    out << "hello world";
  }  // no close(): the destructor closes
  EXPECT_EQ(reported, 0);
  ASSERT_EQ(fake->count("POST", kUpload), 1u);
  EXPECT_EQ(fake->last().body, "hello world");
}

TEST(WriterDestructor, LeftByAnExceptionTheWriterSendsNothing) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", kUpload).always(lt::Reply::json(201, stats_json("out.txt", 5)));
  const auto client = lt::make_client(fake);
  int reported = 0;
  try {
    auto out = client.repository("repo").branch("main").object("out.txt").writer(
        {.pre_sign = false, .on_destructor_error = [&](std::exception_ptr) { ++reported; }});
    out << "half";
    throw std::runtime_error("the producer failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(reported, 0);
  EXPECT_EQ(fake->count("POST", kUpload), 0u) << "an abandoned writer must not upload";
}

// A writer made during the unwinding of one exception and left normally inside it (a catch-free cleanup scope)
// still closes: the test compares with the count at its construction, not with zero.
TEST(WriterDestructor, AWriterMadeWhileAnotherExceptionUnwindsStillClosesOnItsOwnNormalExit) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", kUpload).always(lt::Reply::json(201, stats_json("log.txt", 3)));
  const auto client = lt::make_client(fake);
  struct Cleanup {
    lakefs::Client client;
    ~Cleanup() {
      auto out = client.repository("repo").branch("main").object("log.txt").writer({.pre_sign = false});
      out << "bye";
    }
  };
  try {
    Cleanup cleanup{client};
    throw std::runtime_error("unwinding");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(fake->count("POST", kUpload), 1u);
}

TEST(WriterDestructor, AFailedCloseIsLoggedAndHandedToTheHandlerNotThrown) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", kUpload).always(lt::Reply::error(403, "read-only repository"));
  Lines log;
  const auto client = lt::make_client(fake, {.log = log.options()});
  std::exception_ptr reported;
  int calls = 0;
  {
    auto out = client.repository("repo")
                   .branch("main")
                   .object("denied.txt")
                   .writer({.pre_sign = false, .on_destructor_error = [&](std::exception_ptr e) {
                              reported = std::move(e);
                              ++calls;
                              throw std::logic_error("a throwing handler is ignored");
                            }});
    out << "data";
  }  // must not throw
  EXPECT_EQ(calls, 1);
  ASSERT_TRUE(reported);
  try {
    std::rethrow_exception(reported);
  } catch (const lakefs::ObjectAccessDeniedError& e) {
    EXPECT_EQ(e.status(), 403);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected error: " << e.what();
  }
  std::lock_guard lock(log.mutex);
  ASSERT_EQ(log.lines.size(), 1u);
  EXPECT_EQ(log.lines[0].first, lakefs::LogLevel::error);
  const std::string& line = log.lines[0].second;
  EXPECT_NE(line.find("lakefs://repo/main/denied.txt"), std::string::npos) << line;
  EXPECT_NE(line.find("without close()"), std::string::npos) << line;
  EXPECT_NE(line.find("read-only repository"), std::string::npos) << line;
  EXPECT_EQ(line.find(lt::test_access_key_id), std::string::npos) << line;
  EXPECT_EQ(line.find(lt::test_secret_access_key), std::string::npos) << line;
}

TEST(WriterDestructor, AStoppedWriterIsDiscardedWithoutAReport) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", kUpload).always(lt::Reply::error(500, "broken"));
  Lines log;
  const auto client = lt::make_client(fake, {.log = log.options()});
  int reported = 0;
  const auto count = [&](std::exception_ptr) { ++reported; };
  {
    std::stop_source stop;
    auto out = client.repository("repo")
                   .branch("main")
                   .object("stopped.txt")
                   .writer({.pre_sign = false, .call = {.stop = stop.get_token()}, .on_destructor_error = count});
    out << "x";
    stop.request_stop();
  }
  EXPECT_EQ(fake->count("POST", kUpload), 0u);
  EXPECT_EQ(reported, 0);
  std::lock_guard lock(log.mutex);
  EXPECT_TRUE(log.lines.empty());
}

}  // namespace
