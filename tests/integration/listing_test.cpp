// Listings against a model of the tree, on a repository with over 3,000
// objects (several pages of 1,000).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace {

class ListingTest : public lakefs::test::RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    // 3 top-level dirs x 1,100 files + 5 root files = 3,305 objects.
    for (const char* dir : {"a", "b", "c"}) {
      for (int i = 0; i < 1100; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "%s/f%04d", dir, i);
        model_.push_back(name);
      }
    }
    for (int i = 0; i < 5; ++i) model_.push_back("root" + std::to_string(i));
    std::sort(model_.begin(), model_.end());
    // Upload with 4 concurrent workers sharing one client.
    auto main = main_branch();
    std::vector<std::future<void>> workers;
    for (int w = 0; w < 4; ++w) {
      workers.push_back(std::async(std::launch::async, [&, w] {
        for (std::size_t i = w; i < model_.size(); i += 4) main.object(model_[i]).upload("x");
      }));
    }
    for (auto& f : workers) f.get();
    main.commit("tree");
  }

  std::vector<std::string> list(const lakefs::ListObjectsOptions& options) {
    std::vector<std::string> out;
    for (const auto& e : main_branch().objects(options)) {
      if (const auto* o = std::get_if<lakefs::ObjectInfo>(&e)) {
        out.push_back(o->path);
      } else {
        out.push_back(std::get<lakefs::CommonPrefix>(e).path);
      }
    }
    return out;
  }

  std::vector<std::string> model_;
};

TEST_F(ListingTest, MatchesTheModel) {
  EXPECT_EQ(list({}), model_);

  std::vector<std::string> under_b;
  std::copy_if(model_.begin(), model_.end(), std::back_inserter(under_b),
               [](const std::string& p) { return p.starts_with("b/"); });
  EXPECT_EQ(list({.prefix = "b/"}), under_b);

  EXPECT_EQ(list({.delimiter = "/"}),
            (std::vector<std::string>{"a/", "b/", "c/", "root0", "root1", "root2", "root3", "root4"}));

  std::vector<std::string> after(std::upper_bound(model_.begin(), model_.end(), "b/f0500"), model_.end());
  EXPECT_EQ(list({.after = "b/f0500"}), after);

  const auto limited = list({.max_amount = 1500});
  EXPECT_EQ(limited, std::vector<std::string>(model_.begin(), model_.begin() + 1500));

  EXPECT_TRUE(list({.prefix = "nothing-here/"}).empty());
  EXPECT_EQ(list({.max_amount = 0}).size(), 0u);
}

TEST_F(ListingTest, RangesAlgorithmsWork) {
  auto objects = main_branch().objects({.prefix = "c/"});
  const auto n = std::ranges::distance(objects.begin(), objects.end());
  EXPECT_EQ(n, 1100);
  auto first = main_branch().objects({.prefix = "a/"});
  auto it = std::ranges::find_if(
      first, [](const lakefs::ObjectEntry& e) { return std::get<lakefs::ObjectInfo>(e).path == "a/f1050"; });
  ASSERT_NE(it, first.end());
  EXPECT_EQ(std::get<lakefs::ObjectInfo>(*it).size_bytes, 1);
}

}  // namespace
