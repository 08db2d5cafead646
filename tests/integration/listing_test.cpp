// SPDX-License-Identifier: Apache-2.0
// Listings against a model of the tree, on a repository with over 3,000
// objects (several pages of 1,000).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

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
      // The model's objects never end with "/": exactly the common prefixes do.
      EXPECT_EQ(e.is_prefix(), e.path().ends_with("/")) << e;
      EXPECT_EQ(e.is_object(), e.if_object() != nullptr) << e;
      out.push_back(e.path());
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
  auto it = std::ranges::find_if(first, [](const lakefs::ObjectEntry& e) { return e.path() == "a/f1050"; });
  ASSERT_NE(it, first.end());
  EXPECT_EQ(it->object().size_bytes, 1);
}

// The caller's page size, against the real server: 20 objects in pages of 7
// are 3 requests of at most 7 entries; 0 and 1001 are refused before any
// request. Requests are counted from the client's debug log lines.
class ListingPageSize : public lakefs::test::RepoTest {
 protected:
  void SetUp() override {
    RepoTest::SetUp();
    auto main = main_branch();
    for (int i = 0; i < 20; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "p/f%02d", i);
      main.object(name).upload("x");
    }
    main.commit("twenty");
    for (int i = 0; i < 9; ++i) main.commit("empty " + std::to_string(i), {.allow_empty = true});
    auto options = lakefs::test::client_options();
    options.log = {.level = lakefs::LogLevel::debug, .handler = [this](lakefs::LogLevel, std::string_view line) {
                     const std::lock_guard lock(mutex_);
                     lines_.emplace_back(line);
                   }};
    counted_.emplace(options);
  }

  // GET requests logged so far whose line holds `what` (e.g. "/objects/ls?").
  std::size_t requests(const std::string& what) {
    const std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count_if(lines_.begin(), lines_.end(), [&](const std::string& l) {
      return l.starts_with("GET ") && l.find(what) != l.npos;
    }));
  }

  lakefs::Branch counted_main() { return lakefs::Branch(repo().id(), "main", *counted_); }

  std::mutex mutex_;
  std::vector<std::string> lines_;
  std::optional<lakefs::Client> counted_;
};

TEST_F(ListingPageSize, PagesOfSevenListAllTwentyInThreeRequests) {
  auto main = counted_main();
  std::vector<std::string> got;
  for (const auto& e : main.objects({.page_size = 7, .prefix = "p/"})) got.push_back(e.object().path);
  ASSERT_EQ(got.size(), 20u);
  EXPECT_EQ(got.front(), "p/f00");
  EXPECT_EQ(got.back(), "p/f19");
  EXPECT_EQ(requests("/objects/ls?"), 3u);

  // max_amount 10 in pages of 7: two requests (7, then the 3 left).
  EXPECT_EQ(main.objects({.max_amount = 10, .page_size = 7, .prefix = "p/"}).to_vector().size(), 10u);
  EXPECT_EQ(requests("/objects/ls?"), 5u);

  // The log (20 uploads' commit + 9 empty + the repository's first = 11 commits) in pages of 4: 3 requests.
  EXPECT_EQ(main.log({.page_size = 4}).to_vector().size(), 11u);
  EXPECT_EQ(requests("/commits?"), 3u);

  // The diff against the first commit: 20 added, in pages of 7.
  const auto first = main.log().to_vector().back().id;
  EXPECT_EQ(main.diff(first, {.page_size = 7, .type = lakefs::DiffOptions::Type::two_dot}).to_vector().size(), 20u);
  EXPECT_EQ(requests("/diff/"), 3u);
}

TEST_F(ListingPageSize, ZeroAndOverAThousandAreInvalidArguments) {
  auto main = counted_main();
  const auto before = requests("");
  for (const std::size_t bad : {std::size_t{0}, std::size_t{1001}}) {
    EXPECT_THROW((void)main.objects({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.log({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.diff("main", {.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.uncommitted({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)lakefs::Repository(repo().id(), *counted_).branches({.page_size = bad}),
                 lakefs::InvalidArgumentError);
  }
  EXPECT_EQ(requests(""), before);  // nothing was sent
  // 1 and 1000 are lakeFS's own limits: accepted.
  EXPECT_EQ(main.objects({.page_size = 1000, .prefix = "p/"}).to_vector().size(), 20u);
  EXPECT_EQ(main.objects({.max_amount = 2, .page_size = 1, .prefix = "p/"}).to_vector().size(), 2u);
}

// Every listing resumes: pages of 3 chained through resume_after() give
// exactly the full listing, and a loop that breaks resumes after its item.
class ResumableListing : public lakefs::test::RepoTest {
 protected:
  template <typename T, typename Make, typename Key>
  void check(const char* what, Make make, Key key) {
    SCOPED_TRACE(what);
    std::vector<std::string> full;
    for (const auto& item : make(std::string{}, std::optional<std::size_t>{})) full.push_back(key(item));
    ASSERT_GE(full.size(), 5u);
    std::vector<std::string> chained;
    std::optional<std::string> cursor = "";
    int listings = 0;
    while (cursor) {
      lakefs::Listing<T> list = make(*cursor, std::optional<std::size_t>{3});
      for (const auto& item : list) chained.push_back(key(item));
      cursor = list.resume_after();
      ASSERT_LT(++listings, 20);
    }
    EXPECT_EQ(chained, full);
    // A loop that breaks at the third item resumes with the fourth.
    lakefs::Listing<T> list = make(std::string{}, std::optional<std::size_t>{});
    int seen = 0;
    for (const auto& item : list) {
      (void)item;
      if (++seen == 3) break;
    }
    ASSERT_EQ(list.resume_after(), std::optional(full[2]));
    std::vector<std::string> rest;
    for (const auto& item : make(full[2], std::optional<std::size_t>{})) rest.push_back(key(item));
    EXPECT_EQ(rest, std::vector<std::string>(full.begin() + 3, full.end()));
  }
};

TEST_F(ResumableListing, EveryListingResumesWhereItStopped) {
  auto main = main_branch();
  const auto base = main.head().id();
  for (int i = 0; i < 8; ++i) {
    main.object("d/f" + std::to_string(i)).upload("x");
    main.commit("c" + std::to_string(i));
  }
  auto work = repo().branch("work").create(main);
  for (int i = 0; i < 7; ++i) work.object("w" + std::to_string(i) + "/f").upload("y");
  for (int i = 0; i < 6; ++i) repo().branch("b" + std::to_string(i)).create(main);
  for (int i = 0; i < 6; ++i) repo().tag("t" + std::to_string(i)).create(main);
  std::vector<lakefs::Repository> extra;
  for (int i = 0; i < 5; ++i) {
    const auto id = repo().id() + "-r" + std::to_string(i);
    extra.push_back(lakefs::Repository(id, lakefs_client())
                        .create({.storage_namespace = lakefs::test::server().storage_namespace(id)}));
  }
  struct Cleanup {
    std::vector<lakefs::Repository>& repos;
    ~Cleanup() {
      for (auto& r : repos) r.remove();
    }
  } cleanup{extra};
  using Max = std::optional<std::size_t>;
  const auto path_of = [](const lakefs::ObjectEntry& e) { return e.path(); };
  const auto change_path = [](const lakefs::Change& c) { return c.path; };

  check<lakefs::ObjectEntry>(
      "objects", [&](const std::string& after, Max max) { return main.objects({.max_amount = max, .after = after}); },
      path_of);
  check<lakefs::ObjectEntry>(
      "objects by level",
      [&](const std::string& after, Max max) {
        return work.objects({.max_amount = max, .delimiter = "/", .after = after});
      },
      path_of);
  check<lakefs::Commit>(
      "log", [&](const std::string& after, Max max) { return main.log({.max_amount = max, .after = after}); },
      [](const lakefs::Commit& c) { return c.id; });
  check<lakefs::Change>(
      "diff",
      [&](const std::string& after, Max max) {
        return main.diff(base, {.max_amount = max, .type = lakefs::DiffOptions::Type::two_dot, .after = after});
      },
      change_path);
  check<lakefs::Change>(
      "uncommitted",
      [&](const std::string& after, Max max) { return work.uncommitted({.max_amount = max, .after = after}); },
      change_path);
  check<lakefs::Branch>(
      "branches", [&](const std::string& after, Max max) { return repo().branches({.max_amount = max, .after = after}); },
      [](const lakefs::Branch& b) { return b.id(); });
  check<lakefs::Tag>(
      "tags", [&](const std::string& after, Max max) { return repo().tags({.max_amount = max, .after = after}); },
      [](const lakefs::Tag& t) { return t.id(); });
  check<lakefs::Repository>(
      "repositories",
      [&](const std::string& after, Max max) {
        return lakefs::repositories({.max_amount = max, .prefix = repo().id(), .after = after}, lakefs_client());
      },
      [](const lakefs::Repository& r) { return r.id(); });
}

}  // namespace
