// SPDX-License-Identifier: Apache-2.0
// A user's program built against an installed lakefs-cpp (tests/install: a `cmake --install` prefix;
// tests/package: the Debian packages unpacked into a scratch root; tests/embed: FetchContent).
// Without arguments it resolves a configuration (no server needed). With --server it also works against the
// lakeFS server its environment names (LAKEFS_ENDPOINT and credentials): a repository is created, an object
// written, committed and read back through the high-level API, the server is asked through the generated API
// (client.api(), reached with <lakefs/lakefs.hpp> alone), and the repository is deleted.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>

namespace {

int against_server() {
  const lakefs::Client client;
  client.api().health_check.health_check();
  const auto version = client.api().config.get_config().version_config;
  const auto stamp = std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1);
  const std::string name = "consumer-" + std::to_string(stamp);
  auto repo = client.repository(name).create({.storage_namespace = "local://" + name});
  auto main_branch = repo.branch("main");
  main_branch.object("hello.txt").upload("hello from an installed lakefs-cpp");
  const auto commit = main_branch.commit("consumer test");
  const std::string read = repo.commit(commit.id).object("hello.txt").read_all();
  repo.remove();
  std::cout << "against lakeFS " << (version && version->version ? *version->version : "?") << ": committed "
            << commit.id << ", read back \"" << read << "\"\n";
  return read == "hello from an installed lakefs-cpp" ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
  // Resolving a configuration exercises the library without needing a server.
  const auto resolved = lakefs::resolve_config(
      {.endpoint = "http://127.0.0.1:1", .access_key_id = "k", .secret_access_key = "s", .explicit_only = true});
  std::cout << "lakefs-cpp headers " << lakefs::sdk_version << ", library " << lakefs::library_version() << " "
            << resolved.transport.endpoint << "\n";
  if (resolved.transport.endpoint != "http://127.0.0.1:1/api/v1" ||
      std::strcmp(lakefs::sdk_version, lakefs::library_version()) != 0) {
    return 1;
  }
  return argc > 1 && std::strcmp(argv[1], "--server") == 0 ? against_server() : 0;
} catch (const lakefs::Error& e) {
  std::cerr << "lakefs error: " << e.what() << "\n";
  return 1;
}
