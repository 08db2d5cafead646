// SPDX-License-Identifier: Apache-2.0
// Reference::annotate's first_parent against the real server, on a history
// with a merge: the latest commit that changed an entry is found on any line
// of the history by default, and only on the branch's own (first-parent) line
// with first_parent.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class AnnotateTest : public RepoTest {
 protected:
  // Each entry's path and the id of the commit annotate gives it.
  static std::map<std::string, std::string> commits_of(Listing<Annotation> listing) {
    std::map<std::string, std::string> out;
    for (const auto& a : listing) {
      const auto path = std::visit([](const auto& v) { return v.path; }, a.entry);
      out[path] = a.commit ? a.commit->id : "(none)";
    }
    return out;
  }
};

TEST_F(AnnotateTest, FirstParentLooksOnlyAlongTheBranchsOwnLineOfAMergedHistory) {
  auto main = main_branch();
  main.object("data/f").upload("0");
  main.object("other/g").upload("0");
  const auto c0 = main.commit("c0: f and g").id;
  auto feature = repo().branch("feature").create(main);
  feature.object("data/f").upload("changed on feature");
  const auto on_feature = feature.commit("f changed on feature").id;
  main.object("other/g").upload("changed on main");
  const auto on_main = main.commit("g changed on main").id;
  const auto merge = feature.merge_into(main, {.message = "merge feature"});
  ASSERT_EQ(main.get_commit().parents, (std::vector<std::string>{on_main, on_feature}));
  ASSERT_EQ(main.get_commit().id, merge);

  // By default f's latest change is the feature's commit, reached through the merge's second parent (lakeFS
  // skips merge commits themselves when it looks for a path).
  EXPECT_EQ(commits_of(main.annotate({.recursive = true})),
            (std::map<std::string, std::string>{{"data/f", on_feature}, {"other/g", on_main}}));
  // Along main's first parents only, f last changed in c0; g's answer is on that line already.
  EXPECT_EQ(commits_of(main.annotate({.recursive = true, .first_parent = true})),
            (std::map<std::string, std::string>{{"data/f", c0}, {"other/g", on_main}}));
  // One level, the same for the common prefixes.
  EXPECT_EQ(commits_of(main.annotate()),
            (std::map<std::string, std::string>{{"data/", on_feature}, {"other/", on_main}}));
  EXPECT_EQ(commits_of(main.annotate({.first_parent = true})),
            (std::map<std::string, std::string>{{"data/", c0}, {"other/", on_main}}));
}

}  // namespace
}  // namespace lakefs::test
