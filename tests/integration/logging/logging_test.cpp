// SPDX-License-Identifier: Apache-2.0
// Logging against the real server: the LAKEFS_LOG switch, the line format,
// a handler, retry lines, and that no line ever holds a credential.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/fault_proxy.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

struct Captured {
  std::mutex mutex;
  std::vector<std::pair<LogLevel, std::string>> lines;

  LoggingOptions options(LogLevel level) {
    return {.level = level, .handler = [this](LogLevel l, std::string_view line) {
              std::lock_guard lock(mutex);
              lines.emplace_back(l, std::string(line));
            }};
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string out;
    for (const auto& [level, line] : lines) out += std::string(to_string(level)) + ": " + line + "\n";
    return out;
  }
};

void expect_no_credentials(const std::string& text) {
  const auto& s = server();
  EXPECT_EQ(text.find(s.access_key_id), std::string::npos);
  EXPECT_EQ(text.find(s.secret_access_key), std::string::npos);
  EXPECT_EQ(text.find("Authorization"), std::string::npos);
  EXPECT_EQ(text.find("Basic "), std::string::npos);
}

TEST(Logging, EnvironmentSwitchWritesRequestLinesToTheLogFile) {
  TempDir dir;
  const auto file = dir.path / "sdk.log";
  // The test process's own switch (the support code set LAKEFS_LOG=debug for the whole run).
  ASSERT_EQ(::setenv("LAKEFS_LOG", "debug", 1), 0);
  ASSERT_EQ(::setenv("LAKEFS_LOG_FILE", file.c_str(), 1), 0);
  const Client client(client_options());
  EXPECT_EQ(client.server_version(), "1.84.0");
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("lakefs: debug: GET /config 200 "), std::string::npos) << text.str();
  EXPECT_NE(text.str().find(", request id "), std::string::npos) << text.str();
  expect_no_credentials(text.str());
}

TEST(Logging, LevelOffFromTheEnvironmentLogsNothing) {
  TempDir dir;
  const auto file = dir.path / "sdk.log";
  ASSERT_EQ(::setenv("LAKEFS_LOG", "off", 1), 0);
  ASSERT_EQ(::setenv("LAKEFS_LOG_FILE", file.c_str(), 1), 0);
  EXPECT_EQ(Client(client_options()).server_version(), "1.84.0");
  EXPECT_FALSE(std::filesystem::exists(file) && std::filesystem::file_size(file) > 0);
}

class LoggingRepo : public RepoTest {};

TEST_F(LoggingRepo, HandlerGetsOneLinePerRequestWithQueryValuesRedacted) {
  Captured captured;
  auto options = client_options();
  options.log = captured.options(LogLevel::debug);
  const Client client(options);
  auto branch = client.repository(repo().id()).branch("main");
  branch.object("secret-looking/path.txt").upload("data");
  for (const auto& entry : branch.objects({.prefix = "secret-looking/"})) (void)entry;
  const std::string all = captured.all();
  EXPECT_NE(all.find("debug: POST /repositories/" + repo().id() + "/branches/main/objects?path=<redacted> 201 "),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("prefix=<redacted>"), std::string::npos) << all;
  EXPECT_EQ(all.find("secret-looking"), std::string::npos) << "a query value was logged:\n" << all;
  expect_no_credentials(all);
}

TEST(Logging, RetriesAreLoggedWithReasonAndDelay) {
  FaultProxy proxy(server().endpoint);
  proxy.add_rule({.method = "GET", .path_contains = "/config", .fault = Fault::respond, .status = 503});
  Captured captured;
  auto options = client_options();
  options.endpoint = proxy.endpoint();
  options.log = captured.options(LogLevel::info);
  options.retry = RetryOptions{.max_retries = 2, .initial_backoff = std::chrono::milliseconds(1)};
  EXPECT_EQ(Client(options).server_version(), "1.84.0");
  const std::string all = captured.all();
  EXPECT_NE(all.find("info: retry 1/2 of GET /config in "), std::string::npos) << all;
  EXPECT_NE(all.find(" ms: HTTP 503"), std::string::npos) << all;
  EXPECT_EQ(all.find("debug:"), std::string::npos) << "info level passed a debug line:\n" << all;
  expect_no_credentials(all);
}

}  // namespace
}  // namespace lakefs::test
