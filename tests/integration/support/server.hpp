// SPDX-License-Identifier: Apache-2.0
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
  std::string import_dir;  // a local directory whose files the server can import ...
  std::string import_uri;  // ... as lakeFS addresses it: local://DIR or s3://BUCKET/import
  std::string dir;         // the fixture's state directory
  std::string topology;    // "quickstart" (local KV and block store) or "s3" (PostgreSQL + an S3 server)
  std::string namespace_root;  // a repository's storage namespace is this + its name
  std::string s3_endpoint;     // s3 topology: the S3 server (http://127.0.0.1:PORT)
  std::string s3_access_log;   // s3 topology: the S3 server's access log (one line per request)

  [[nodiscard]] bool s3() const { return topology == "s3"; }
  /// The storage namespace for a new repository named `name`.
  [[nodiscard]] std::string storage_namespace(const std::string& name) const { return namespace_root + name; }
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
