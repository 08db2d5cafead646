// SPDX-License-Identifier: Apache-2.0
#include "support/server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <stdexcept>

namespace lakefs::test {
namespace {

// Every client of the test run logs its requests at debug level into one file beside the server, which
// the sdk_log_check test (tests/CMakeLists.txt) searches for credentials after all tests. Set before any
// client exists; a test that passes its own level or handler is not affected.
[[maybe_unused]] const bool debug_log_to_file = [] {
  if (const char* dir = std::getenv("LAKEFS_TEST_SERVER_DIR"); dir != nullptr) {
    ::setenv("LAKEFS_LOG", "debug", 0);
    ::setenv("LAKEFS_LOG_FILE", (std::string(dir) + "/sdk-debug.log").c_str(), 0);
  }
  return true;
}();

}  // namespace

const TestServer& server() {
  static const TestServer instance = [] {
    const char* dir = std::getenv("LAKEFS_TEST_SERVER_DIR");
    if (dir == nullptr) {
      throw std::runtime_error(
          "LAKEFS_TEST_SERVER_DIR is not set: run the integration tests through ctest (./dev test), whose "
          "fixture starts the lakeFS server");
    }
    std::ifstream in(std::string(dir) + "/env");
    if (!in) throw std::runtime_error(std::string("no server env file in ") + dir + ": did lakefs_server_start run?");
    std::map<std::string, std::string> values;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("export ")) line.erase(0, 7);
      const auto eq = line.find('=');
      if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    TestServer s;
    s.endpoint = values["LAKEFS_ENDPOINT"];
    s.access_key_id = values["LAKEFS_ACCESS_KEY_ID"];
    s.secret_access_key = values["LAKEFS_SECRET_ACCESS_KEY"];
    s.import_dir = values["LAKEFS_TEST_IMPORT_DIR"];
    s.import_uri = values["LAKEFS_TEST_IMPORT_URI"];
    s.dir = dir;
    s.topology = values["LAKEFS_TEST_TOPOLOGY"];
    s.namespace_root = values["LAKEFS_TEST_NAMESPACE_ROOT"];
    s.s3_endpoint = values["LAKEFS_TEST_S3_ENDPOINT"];
    s.s3_access_log = values["LAKEFS_TEST_S3_ACCESS_LOG"];
    if (s.topology.empty() || s.namespace_root.empty() || s.import_uri.empty()) {
      throw std::runtime_error(std::string("the server env file in ") + dir +
                               " lacks LAKEFS_TEST_TOPOLOGY, LAKEFS_TEST_NAMESPACE_ROOT or LAKEFS_TEST_IMPORT_URI");
    }
    return s;
  }();
  return instance;
}

ClientOptions client_options() {
  const auto& s = server();
  return ClientOptions{.endpoint = s.endpoint,
                       .access_key_id = s.access_key_id,
                       .secret_access_key = s.secret_access_key,
                       .explicit_only = true};
}

Client client() { return Client(client_options()); }

std::string unique_name(const std::string& hint) {
  std::string base = hint;
  if (base.empty()) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    base = info != nullptr ? info->name() : "test";
  }
  std::string name = "t-";
  for (const char c : base) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u))
      name += static_cast<char>(std::tolower(u));
    else if (name.back() != '-')
      name += '-';
    if (name.size() >= 40) break;
  }
  static std::atomic<unsigned> counter{0};
  static const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed + counter++);
  static constexpr char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  if (name.back() != '-') name += '-';
  for (int i = 0; i < 8; ++i) name += alphabet[rng() % 36];
  return name;
}

}  // namespace lakefs::test
