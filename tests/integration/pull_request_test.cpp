// SPDX-License-Identifier: Apache-2.0
// Pull requests on the real server: open, list, update, merge, close.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace {

class PullRequestTest : public lakefs::test::RepoTest {};

std::vector<std::string> ids(lakefs::Listing<lakefs::PullRequest> listing) {
  std::vector<std::string> out;
  for (const auto& pr : listing) out.push_back(pr.id);
  return out;
}

TEST_F(PullRequestTest, OpenedListedUpdatedMergedAndClosed) {
  auto main = main_branch();
  auto feature = repo().branch("feature").create(main);
  feature.object("new.csv").upload("x\n");
  feature.commit("add new.csv");
  auto other = repo().branch("other").create(main);
  other.object("o.txt").upload("o");
  other.commit("other work");

  const auto pr = repo().create_pull_request("feature", "main", "Add new.csv", "for the report");
  EXPECT_FALSE(pr.id.empty());
  EXPECT_EQ(pr.status, lakefs::PullRequest::Status::open);
  EXPECT_EQ(pr.title, "Add new.csv");
  EXPECT_EQ(pr.description, "for the report");
  EXPECT_EQ(pr.source_branch, "feature");
  EXPECT_EQ(pr.destination_branch, "main");
  EXPECT_FALSE(pr.author.empty());
  EXPECT_GT(pr.creation_date.time_since_epoch().count(), 0);
  EXPECT_FALSE(pr.closed_date);

  const auto second = repo().create_pull_request("other", "main", "Other");
  EXPECT_EQ(ids(repo().pull_requests()).size(), 2u);

  repo().update_pull_request(pr.id, {.title = "Add new.csv (reviewed)"});
  EXPECT_EQ(repo().pull_request(pr.id).title, "Add new.csv (reviewed)");
  EXPECT_EQ(repo().pull_request(pr.id).description, "for the report");

  const auto merge_commit = repo().merge_pull_request(pr.id);
  EXPECT_EQ(main.head().id(), merge_commit);
  EXPECT_EQ(main.object("new.csv").read_all(), "x\n");
  const auto merged = repo().pull_request(pr.id);
  EXPECT_EQ(merged.status, lakefs::PullRequest::Status::merged);
  EXPECT_EQ(merged.merged_commit_id, merge_commit);
  EXPECT_TRUE(merged.closed_date);
  // A merged pull request is no longer open, and cannot be merged again.
  EXPECT_THROW((void)repo().merge_pull_request(pr.id), lakefs::BadRequestError);

  repo().close_pull_request(second.id);
  EXPECT_EQ(repo().pull_request(second.id).status, lakefs::PullRequest::Status::closed);
  EXPECT_THROW((void)repo().merge_pull_request(second.id), lakefs::BadRequestError);
  EXPECT_FALSE(main.object("o.txt").exists());

  EXPECT_TRUE(ids(repo().pull_requests()).empty());
  const auto closed = ids(repo().pull_requests({.status = lakefs::PullRequestsOptions::Which::closed}));
  EXPECT_EQ(closed.size(), 2u);
  EXPECT_EQ(ids(repo().pull_requests({.status = lakefs::PullRequestsOptions::Which::all})).size(), 2u);

  EXPECT_THROW((void)repo().create_pull_request("main", "main", "same"), lakefs::BadRequestError);
  EXPECT_THROW((void)repo().create_pull_request("no-such", "main", "missing"), lakefs::NotFoundError);
  EXPECT_THROW((void)repo().pull_request("no-such-pr"), lakefs::BadRequestError);  // not an id lakeFS makes
}

TEST_F(PullRequestTest, AConflictIsAMergeConflictErrorAndThePullRequestStaysOpen) {
  auto main = main_branch();
  main.object("f").upload("base");
  main.commit("base");
  auto feature = repo().branch("feature").create(main);
  feature.object("f").upload("feature");
  feature.commit("feature");
  main.object("f").upload("main");
  main.commit("main");
  const auto pr = repo().create_pull_request("feature", "main", "conflicting");
  try {
    (void)repo().merge_pull_request(pr.id);
    FAIL() << "merged a conflict";
  } catch (const lakefs::MergeConflictError& e) {
    EXPECT_EQ(e.source_ref(), "feature");
    EXPECT_EQ(e.destination_branch(), "main");
  }
  EXPECT_EQ(repo().pull_request(pr.id).status, lakefs::PullRequest::Status::open);
}

}  // namespace
