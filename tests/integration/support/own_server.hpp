// SPDX-License-Identifier: Apache-2.0
// A lakeFS server of one test's own, for tests that kill and restart it (the
// shared server of the CTest fixture must never be killed). Started in the
// constructor, stopped and its data deleted on every exit path.
#pragma once

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

#include "lakefs/client.hpp"
#include "support/server.hpp"

namespace lakefs::test {

class OwnServer {
 public:
  OwnServer() : OwnServer(std::map<std::string, std::string>{}) {}
  /// With extra environment for lakeFS, e.g. {{"LAKEFS_AUTH_LOGIN_DURATION", "3s"}} (lakeFS reads any
  /// configuration key from LAKEFS_<KEY>, dots as underscores). Values must not hold a single quote.
  explicit OwnServer(std::map<std::string, std::string> server_env)
      : dir_(std::filesystem::temp_directory_path() / unique_name("own-server")), server_env_(std::move(server_env)) {
    run("start");
  }
  ~OwnServer() {
    std::error_code ec;
    (void)std::system(command("stop").c_str());
    std::filesystem::remove_all(dir_, ec);
  }
  OwnServer(const OwnServer&) = delete;
  OwnServer& operator=(const OwnServer&) = delete;

  /// SIGKILL, like a crash; the data stays for restart().
  void kill() { run("kill"); }
  /// Starts it again on the same data and port.
  void restart() { run("restart"); }
  /// s3 topology (server_env LAKEFS_TEST_TOPOLOGY=s3): SIGKILLs the S3 server, leaving lakeFS running.
  void kill_object_store() {
    std::ifstream in(dir_ / "s3.pid");
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || ::kill(static_cast<pid_t>(pid), SIGKILL) != 0) {
      throw std::runtime_error("no S3 server to kill in " + dir_.string());
    }
  }

  /// Explicit options for a client of this server (read afresh: valid after restart()).
  [[nodiscard]] ClientOptions client_options() const {
    std::ifstream in(dir_ / "env");
    std::map<std::string, std::string> env;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("export ")) line.erase(0, 7);
      const auto eq = line.find('=');
      if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return ClientOptions{.endpoint = env["LAKEFS_ENDPOINT"],
                         .access_key_id = env["LAKEFS_ACCESS_KEY_ID"],
                         .secret_access_key = env["LAKEFS_SECRET_ACCESS_KEY"],
                         .explicit_only = true};
  }

  [[nodiscard]] Client client() const { return Client(client_options()); }

 private:
  [[nodiscard]] std::string command(const std::string& action) const {
    std::string assignments;
    for (const auto& [name, value] : server_env_) assignments += name + "='" + value + "' ";
    return assignments + std::string(LAKEFS_SOURCE_DIR) + "/scripts/lakefs-server.sh " + action + " '" + dir_.string() +
           "'";
  }
  void run(const std::string& action) const {
    if (std::system(command(action).c_str()) != 0) throw std::runtime_error("lakefs-server.sh " + action + " failed");
  }

  std::filesystem::path dir_;
  std::map<std::string, std::string> server_env_;  // set for every start and restart
};

}  // namespace lakefs::test
