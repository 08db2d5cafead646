// SPDX-License-Identifier: Apache-2.0
// Action runs and hook outputs, with real actions in _lakefs_actions/: a Lua
// hook that fails every commit to main, and one that lets commits to dev pass.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace {

constexpr const char* kDeny = R"(name: deny main
on:
  pre-commit:
    branches: [main]
hooks:
  - id: refuse
    type: lua
    properties:
      script: error("denied by policy")
)";

constexpr const char* kAllow = R"(name: allow dev
on:
  pre-commit:
    branches: [dev]
hooks:
  - id: accept
    type: lua
    properties:
      script: print("looks fine")
)";

class ActionsTest : public lakefs::test::RepoTest {};

TEST_F(ActionsTest, AFailingPreCommitHookStopsTheCommitAndItsRunTellsWhy) {
  // The action files are in place before any event reads the branch: lakeFS caches a branch's list of
  // action files for a few seconds.
  auto main = main_branch();
  auto stage = [](lakefs::Branch& branch) {
    branch.object("_lakefs_actions/deny.yaml").upload(kDeny);
    branch.object("_lakefs_actions/allow.yaml").upload(kAllow);
    branch.object("data.csv").upload("a,b\n");
  };
  stage(main);
  auto dev = repo().branch("dev").create(main);
  stage(dev);
  const auto head_before = main.head().id();

  std::string run_id;
  try {
    (void)main.commit("blocked");
    FAIL() << "the commit went through";
  } catch (const lakefs::HookFailedError& e) {
    run_id = e.run_id();
    EXPECT_EQ(e.status(), 412);
  }
  ASSERT_FALSE(run_id.empty());
  EXPECT_EQ(main.head().id(), head_before);  // nothing was committed

  const auto run = repo().action_run(run_id);
  EXPECT_EQ(run.run_id, run_id);
  EXPECT_EQ(run.branch, "main");
  EXPECT_EQ(run.event_type, "pre-commit");
  EXPECT_EQ(run.status, lakefs::ActionRun::Status::failed);
  EXPECT_TRUE(run.commit_id.empty());
  EXPECT_GT(run.start_time.time_since_epoch().count(), 0);

  const auto hooks = repo().hook_runs(run_id).to_vector();
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_EQ(hooks[0].action, "deny main");
  EXPECT_EQ(hooks[0].hook_id, "refuse");
  EXPECT_EQ(hooks[0].status, lakefs::HookRun::Status::failed);
  EXPECT_NE(repo().hook_output(run_id, hooks[0].hook_run_id).find("denied by policy"), std::string::npos);

  // dev's commit passes its hook: a completed run that names the commit (once lakeFS has filled it in).
  const auto commit = dev.commit("allowed");
  std::vector<lakefs::ActionRun> dev_runs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    dev_runs = repo().action_runs({.branch = "dev"}).to_vector();
    if (dev_runs.size() == 1 && dev_runs[0].commit_id == commit.id) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(dev_runs.size(), 1u);
  EXPECT_EQ(dev_runs[0].status, lakefs::ActionRun::Status::completed);
  EXPECT_EQ(dev_runs[0].commit_id, commit.id);
  const auto dev_hooks = repo().hook_runs(dev_runs[0].run_id).to_vector();
  ASSERT_EQ(dev_hooks.size(), 1u);
  EXPECT_EQ(dev_hooks[0].status, lakefs::HookRun::Status::completed);
  EXPECT_NE(repo().hook_output(dev_runs[0].run_id, dev_hooks[0].hook_run_id).find("looks fine"), std::string::npos);

  // All runs (in run id order); by commit; resumable like every listing.
  const auto all = repo().action_runs().to_vector();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ((std::set<std::string>{all[0].run_id, all[1].run_id}), (std::set<std::string>{run_id, dev_runs[0].run_id}));
  EXPECT_EQ(repo().action_runs({.commit = commit.id}).to_vector().size(), 1u);
  auto first = repo().action_runs({.max_amount = 1});
  (void)first.to_vector();
  const auto rest = repo().action_runs({.after = first.resume_after().value()}).to_vector();
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].run_id, all[1].run_id);

  EXPECT_THROW((void)repo().action_runs({.branch = "dev", .commit = commit.id}), lakefs::InvalidArgumentError);
  EXPECT_THROW((void)repo().action_run("no-such-run"), lakefs::NotFoundError);
}

}  // namespace
