// Access to the real lakeFS server that the CTest fixture started
// (scripts/lakefs-server.sh), and helpers giving each test its own repository.
#pragma once

#include <string>

#include "lakefs/client.hpp"

namespace lakefs::test {

struct TestServer {
  std::string endpoint;  // http://127.0.0.1:PORT (without /api/v1)
  std::string access_key_id;
  std::string secret_access_key;
  std::string import_dir;  // a directory the server may import from (local://...)
  std::string dir;         // the fixture's state directory
};

/// The running test server. Fails the test (throws) when the fixture is missing.
const TestServer& server();

/// Explicit options for a client of the test server.
ClientOptions client_options();

/// A client of the test server.
Client client();

/// A repository id unique to this test and process: "t-<test>-<random>".
std::string unique_name(const std::string& hint = "");

}  // namespace lakefs::test
