// A writer whose upload fails because the server dies mid-write: close()
// throws, and after the server restarts on the same data there is no object.
// This test owns its server (the shared one must not be killed).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "lakefs/lakefs.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

// A lakeFS server of this test's own; stopped (and its data deleted) on every exit path.
class OwnServer {
 public:
  OwnServer() : dir_(fs::temp_directory_path() / unique_name("own-server")) { run("start"); }
  ~OwnServer() {
    std::error_code ec;
    (void)std::system(command("stop").c_str());
    fs::remove_all(dir_, ec);
  }
  OwnServer(const OwnServer&) = delete;
  OwnServer& operator=(const OwnServer&) = delete;

  void kill() { run("kill"); }
  void restart() { run("restart"); }

  [[nodiscard]] Client client() const {
    std::ifstream in(dir_ / "env");
    std::map<std::string, std::string> env;
    for (std::string line; std::getline(in, line);) {
      if (line.starts_with("export ")) line.erase(0, 7);
      const auto eq = line.find('=');
      if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return Client(ClientOptions{.endpoint = env["LAKEFS_ENDPOINT"],
                                .access_key_id = env["LAKEFS_ACCESS_KEY_ID"],
                                .secret_access_key = env["LAKEFS_SECRET_ACCESS_KEY"],
                                .explicit_only = true});
  }

 private:
  [[nodiscard]] std::string command(const std::string& action) const {
    return std::string(LAKEFS_SOURCE_DIR) + "/scripts/lakefs-server.sh " + action + " '" + dir_.string() + "'";
  }
  void run(const std::string& action) const {
    if (std::system(command(action).c_str()) != 0) throw std::runtime_error("lakefs-server.sh " + action + " failed");
  }

  fs::path dir_;
};

TEST(WriterFailure, ServerKilledMidWriteThrowsFromCloseAndLeavesNoObject) {
  OwnServer server;
  const auto name = unique_name();
  {
    auto client = server.client();
    auto repo = Repository(name, client).create({.storage_namespace = "local://" + name});
    auto branch = repo.branch("main");
    branch.object("witness.txt").upload("staged before the crash");

    auto out = branch.object("partial.bin").writer({.buffer_size = 64 * 1024, .max_buffers = 2});
    const std::string chunk(256 * 1024, 'x');
    for (int i = 0; i < 8; ++i) out << chunk;  // 2 MiB on its way

    server.kill();
    bool write_failed = false;
    try {
      for (int i = 0; i < 256 && out; ++i) out << chunk;  // the upload fails under these writes
    } catch (const TransportError&) {
      write_failed = true;  // the failure surfaces on a write (badbit is in the exception mask)
    }
    EXPECT_THROW((void)out.close(), TransportError);
    EXPECT_TRUE(write_failed || !out.good());
  }

  server.restart();
  auto client = server.client();
  auto branch = Repository(name, client).branch("main");
  EXPECT_EQ(branch.object("witness.txt").read_all(), "staged before the crash");  // the data survived
  EXPECT_THROW((void)branch.object("partial.bin").stat(), ObjectNotFoundError);
  std::size_t changes = 0;
  for (const auto& change : branch.uncommitted()) {
    EXPECT_EQ(change.path, "witness.txt");
    ++changes;
  }
  EXPECT_EQ(changes, 1u);
}

}  // namespace
}  // namespace lakefs::test
