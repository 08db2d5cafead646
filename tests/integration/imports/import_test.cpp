// SPDX-License-Identifier: Apache-2.0
// Imports against the real server, from files under the directory the test
// server allows importing from (local://<server dir>/import).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stop_token>
#include <string>
#include <vector>

#include "lakefs/async/task.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using lakefs::test::RepoTest;

class ImportTest : public RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    source_ = fs::path(lakefs::test::server().import_dir) / repo().id();
    fs::create_directories(source_);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(source_, ignored);
    RepoTest::TearDown();
  }

  static void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
  }
  static std::string file_name(int i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "d%02d/f%04d.txt", i % 20, i);
    return buf;
  }
  // `count` small files "d<i%20>/f<i>.txt" under `dir`, each holding "row <i>".
  static void write_tree(const fs::path& dir, int count) {
    for (int i = 0; i < count; ++i) write_file(dir / file_name(i), "row " + std::to_string(i) + "\n");
  }
  // How lakeFS addresses a local file below the import directory: local://<path>, or s3://<bucket>/import/<rel>
  // on the s3 topology (whose bucket is a directory of the S3 server).
  static std::string uri(const fs::path& path) {
    const auto& s = lakefs::test::server();
    return s.import_uri + "/" + path.lexically_relative(s.import_dir).generic_string();
  }

  fs::path source_;
};

TEST_F(ImportTest, ImportsAPrefixAndASingleObjectAsOneCommit) {
  constexpr int kFiles = 2500;
  write_tree(source_ / "tree", kFiles);
  write_file(source_ / "single" / "manifest.json", R"({"files": 2500})");
  auto main = main_branch();
  const auto before = main.head().id();

  auto import = main.import_data({.commit_message = "import raw data", .commit_metadata = {{"source", "test"}}});
  import.prefix(uri(source_ / "tree") + "/", "raw/")
      .object(uri(source_ / "single" / "manifest.json"), "meta/manifest.json");
  ASSERT_EQ(import.sources().size(), 2u);
  EXPECT_THROW((void)import.status(), lakefs::ImportError);  // not started yet

  std::vector<lakefs::ImportStatus> progress;
  const auto status = import.run({.on_progress = [&](const lakefs::ImportStatus& s) { progress.push_back(s); },
                                  .poll_interval = std::chrono::milliseconds(200)});
  EXPECT_FALSE(import.import_id().empty());
  EXPECT_TRUE(status.completed);
  EXPECT_FALSE(status.error);
  EXPECT_EQ(status.ingested_objects, kFiles + 1);
  ASSERT_TRUE(status.commit);
  EXPECT_FALSE(status.metarange_id.empty());
  EXPECT_EQ(status.commit->message, "import raw data");
  EXPECT_EQ(status.commit->metadata.at("source"), "test");
  EXPECT_EQ(status.commit->parents, std::vector<std::string>{before});
  EXPECT_GT(status.update_time.time_since_epoch().count(), 0);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), status);
  for (std::size_t i = 1; i < progress.size(); ++i) {
    EXPECT_LE(progress[i - 1].ingested_objects, progress[i].ingested_objects);
  }

  // The branch now holds exactly the imported tree, in the import commit.
  EXPECT_EQ(main.head().id(), status.commit->id);
  std::size_t under_raw = 0;
  for (const auto& entry : main.objects({.prefix = "raw/"})) {
    const auto& info = entry.object();
    EXPECT_TRUE(info.path.starts_with("raw/d")) << info.path;
    EXPECT_GE(info.size_bytes, 6);  // "row N\n"
    ++under_raw;
  }
  EXPECT_EQ(under_raw, static_cast<std::size_t>(kFiles));
  EXPECT_EQ(main.object("raw/" + file_name(1234)).read_all(), "row 1234\n");
  EXPECT_EQ(main.object("raw/" + file_name(0)).read_all(), "row 0\n");
  EXPECT_EQ(main.object("meta/manifest.json").read_all(), R"({"files": 2500})");
  EXPECT_TRUE(main.uncommitted().to_vector().empty());

  // One import per manager; a finished import cannot be cancelled.
  EXPECT_THROW((void)import.start(), lakefs::ImportError);
  EXPECT_THROW(import.cancel(), lakefs::ImportError);
}

TEST_F(ImportTest, WithMergeTheImportLandsOnASideBranchAndIsMergedKeepingTheBranchsOwnChanges) {
  write_tree(source_ / "tree", 30);
  auto main = main_branch();
  main.object("raw/old.txt").upload("old");
  main.commit("before the side branch");
  // The side branch exists from an earlier import; main has changed since.
  (void)repo().branch("_main_imported").create(main);
  main.object("raw/main-only.txt").upload("mine");
  main.commit("main's own change");

  auto import = main.import_data({.commit_message = "import raw", .merge = true, .merge_message = "merge the import"});
  import.prefix(uri(source_ / "tree") + "/", "raw/");
  EXPECT_EQ(import.import_branch().id(), "_main_imported");
  const auto status = import.run({.poll_interval = std::chrono::milliseconds(200)});
  ASSERT_TRUE(status.commit);
  ASSERT_TRUE(status.merge_commit);
  EXPECT_EQ(status.commit->message, "import raw");

  // The import commit is on the side branch; main got a merge commit of it.
  auto side = repo().branch("_main_imported");
  EXPECT_EQ(side.head().id(), status.commit->id);
  EXPECT_EQ(main.head().id(), *status.merge_commit);
  const auto merge = main.get_commit();
  EXPECT_EQ(merge.message, "merge the import");
  EXPECT_EQ(merge.parents.size(), 2u);
  EXPECT_EQ(main.object("raw/" + file_name(7)).read_all(), "row 7\n");
  // The import replaced raw/ on the side branch (old.txt is gone), but main's own change since is kept: a plain
  // import into main would have removed it.
  EXPECT_FALSE(main.object("raw/old.txt").exists());
  EXPECT_EQ(main.object("raw/main-only.txt").read_all(), "mine");
  // A second wait() does not merge again.
  EXPECT_EQ(import.wait().merge_commit, status.merge_commit);
  EXPECT_EQ(main.head().id(), *status.merge_commit);
}

TEST_F(ImportTest, StageLinksAnObjectAlreadyInTheStoreWithoutCopyingIt) {
  write_file(source_ / "staged.bin", "already in the store");
  const auto address = uri(source_ / "staged.bin");
  auto main = main_branch();
  auto object = main.object("linked/staged.bin");
  const auto info = object.stage({.physical_address = address,
                                  .size_bytes = 20,
                                  .checksum = "etag-1",
                                  .content_type = "application/x-test",
                                  .metadata = {{"origin", "store"}}});
  EXPECT_EQ(info.path, "linked/staged.bin");
  EXPECT_EQ(info.size_bytes, 20);
  EXPECT_EQ(info.checksum, "etag-1");
  const auto stat = object.stat();
  // The local block store reports the address below its own root; either way it is the file staged.
  EXPECT_TRUE(stat.physical_address.ends_with(address.substr(address.find("://") + 3))) << stat.physical_address;
  EXPECT_EQ(stat.content_type, "application/x-test");
  EXPECT_EQ(stat.metadata, (lakefs::Metadata{{"origin", "store"}}));
  EXPECT_EQ(object.read_all(), "already in the store");  // read from where it already was
  EXPECT_EQ(main.uncommitted().to_vector().size(), 1u);

  // Refused before anything is sent: data lakeFS manages, or what the server needs to record it.
  const auto inside = repo().properties().storage_namespace + "/data/x";
  EXPECT_THROW(object.stage({.physical_address = inside, .size_bytes = 1, .checksum = "c"}),
               lakefs::InvalidArgumentError);
  EXPECT_THROW(object.stage({.physical_address = address, .checksum = "c"}), lakefs::InvalidArgumentError);
  EXPECT_THROW(object.stage({.physical_address = address, .size_bytes = 1}), lakefs::InvalidArgumentError);
  EXPECT_THROW(object.stage({.physical_address = "", .size_bytes = 1, .checksum = "c"}), lakefs::InvalidArgumentError);
}

TEST_F(ImportTest, CancelARunningImport) {
  write_tree(source_, 3000);
  auto main = main_branch();
  const auto before = main.head().id();
  auto import = main.import_data({.commit_message = "to be cancelled"}).prefix(uri(source_), "big/");
  (void)import.start();
  // lakeFS publishes completion at the earliest on its first status tick, a second after the start, so a cancel
  // sent right away finds the import running. Should the machine be slow enough to miss that window, the cancel
  // is refused with a typed error and the import must then have completed.
  bool cancelled = true;
  try {
    import.cancel();
  } catch (const lakefs::ImportError&) {
    cancelled = false;
  }
  RecordProperty("cancelled_while_running", cancelled ? "yes" : "no");
  if (cancelled) {
    const auto status = import.status();
    EXPECT_FALSE(status.completed);
    EXPECT_FALSE(status.commit);
    ASSERT_TRUE(status.error);
    EXPECT_NE(status.error->find("Canceled"), std::string::npos) << *status.error;
    try {
      (void)import.wait({.poll_interval = std::chrono::milliseconds(100)});
      FAIL() << "waiting for a cancelled import succeeded";
    } catch (const lakefs::ImportError& e) {
      EXPECT_NE(std::string(e.what()).find("Canceled"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(import.import_id()), std::string::npos) << e.what();
    }
  } else {
    const auto status = import.status();
    EXPECT_TRUE(status.completed);
    ASSERT_TRUE(status.commit);
    EXPECT_EQ(status.commit->parents, std::vector<std::string>{before});
  }
}

TEST_F(ImportTest, WaitAsyncPollsOnTheEngineAndMergesOnce) {
  write_tree(source_ / "tree", 40);
  auto main = main_branch();
  auto import = main.import_data({.commit_message = "import async", .merge = true, .merge_message = "merge async"});
  import.prefix(uri(source_ / "tree") + "/", "raw/");
  const auto copy_before_start = import;
  (void)import.start();
  const auto copy = import;  // a copy of a started import shares its merge

  std::vector<lakefs::ImportStatus> progress;
  bool on_engine = true;
  const auto status =
      lakefs::async::sync_wait(import.wait_async({.on_progress =
                                                      [&](const lakefs::ImportStatus& s) {
                                                        progress.push_back(s);
                                                        on_engine = on_engine && lakefs::async::on_engine_thread();
                                                      },
                                                  .poll_interval = std::chrono::milliseconds(100)}));
  EXPECT_TRUE(status.completed);
  ASSERT_TRUE(status.commit);
  EXPECT_EQ(status.commit->message, "import async");
  ASSERT_TRUE(status.merge_commit);
  EXPECT_EQ(main.head().id(), *status.merge_commit);
  EXPECT_EQ(main.get_commit().message, "merge async");
  EXPECT_EQ(main.object("raw/" + file_name(3)).read_all(), "row 3\n");
  ASSERT_GE(progress.size(), 2u);  // the completed poll, then the merge
  EXPECT_TRUE(progress.back().merge_commit);
  EXPECT_TRUE(on_engine) << "on_progress runs on the engine thread";

  // The merge is remembered: the manager, its copy and a later wait() report it, and nothing merges again.
  EXPECT_EQ(import.status().merge_commit, status.merge_commit);
  EXPECT_EQ(copy.wait().merge_commit, status.merge_commit);
  EXPECT_EQ(main.head().id(), *status.merge_commit);
  EXPECT_THROW((void)lakefs::async::sync_wait(copy_before_start.wait_async()), lakefs::ImportError);  // not started
}

TEST_F(ImportTest, AStoppedWaitAsyncLeavesNoImportRunning) {
  write_tree(source_, 3000);
  auto main = main_branch();
  auto import = main.import_data({.commit_message = "stopped"}).prefix(uri(source_), "big/");
  (void)import.start();
  std::stop_source stop;
  stop.request_stop();  // before the first poll: the wait sends the cancel (and no status poll) at once
  bool cancelled = false;
  try {
    const auto status = lakefs::async::sync_wait(import.wait_async({.call = {.stop = stop.get_token()}}));
    EXPECT_TRUE(status.completed);  // the import had completed before the cancel reached it
  } catch (const lakefs::CancelledError& e) {
    cancelled = true;
    EXPECT_TRUE(e.outcome_unknown());
  }
  RecordProperty("cancelled_while_running", cancelled ? "yes" : "no");
  // Either way nothing runs on: the import either failed as cancelled or completed.
  const auto after = import.status();
  EXPECT_TRUE(after.completed || (after.error && after.error->find("Canceled") != std::string::npos));
}

TEST_F(ImportTest, DisallowedSourceFailsWithTheServersMessage) {
  // Quickstart: outside the directory the server allows importing from ("forbidden"). s3 topology (where lakeFS has
  // no such list): a bucket that does not exist (the S3 server's NoSuchBucket).
  const bool s3 = lakefs::test::server().s3();
  const auto outside = fs::path(lakefs::test::server().dir) / ("not-importable-" + repo().id());
  const std::string source =
      s3 ? "s3://lakefs-cpp-no-such-bucket/" + repo().id() + "/" : "local://" + outside.string() + "/";
  const std::string expected = s3 ? "NoSuchBucket" : "forbidden";
  auto main = main_branch();
  const auto before = main.head().id();
  auto import = main.import_data().prefix(source, "x/");
  try {
    (void)import.run({.poll_interval = std::chrono::milliseconds(200)});
    FAIL() << "importing from a disallowed path succeeded";
  } catch (const lakefs::ImportError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(import.import_id()), std::string::npos) << what;
    EXPECT_NE(what.find(expected), std::string::npos) << what;
  }
  const auto status = import.status();
  EXPECT_FALSE(status.completed);
  ASSERT_TRUE(status.error);
  EXPECT_NE(status.error->find(expected), std::string::npos) << *status.error;
  EXPECT_EQ(main.head().id(), before);

  // Bad input never reaches the server.
  EXPECT_THROW((void)main.import_data().start(), lakefs::InvalidArgumentError);
  EXPECT_THROW(main.import_data().object("local://" + outside.string(), ""), lakefs::InvalidArgumentError);
}

}  // namespace
