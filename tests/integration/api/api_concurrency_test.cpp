// SPDX-License-Identifier: Apache-2.0
// One Client shared by 8 threads issuing mixed requests (writes, reads,
// listings, branch and repository calls) against the real server at the same
// time. Each thread checks what it gets back; the sanitizer build (ASan/UBSan)
// runs it like every test, so a data race on the pooled handles shows up as a
// crash or a wrong answer here.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

class ApiConcurrency : public RepoTest {};

TEST_F(ApiConcurrency, EightThreadsShareOneClient) {
  constexpr int kThreads = 8;
  constexpr int kObjectsPerThread = 12;
  const Client shared = lakefs_client();  // copies share one transport and pool
  const std::string r = repo().id();
  const std::string main_commit = shared.api().branches.get_branch({.repository = r, .branch = "main"}).commit_id;

  std::atomic<int> calls{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(failures_mutex);
    failures.push_back(what);
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        const auto& a = shared.api();
        const std::string prefix = "thread-" + std::to_string(t) + "/";
        for (int i = 0; i < kObjectsPerThread; ++i) {
          const std::string path = prefix + "obj-" + std::to_string(i);
          // Content unique to thread and object, of varying size.
          const std::string content = path + ":" + std::string(static_cast<std::size_t>(100 * i + t), char('a' + t));
          std::size_t offset = 0;
          const auto uploaded = a.objects.upload_object({.repository = r,
                                                         .branch = "main",
                                                         .body_source =
                                                             [&](char* buf, std::size_t size) {
                                                               const std::size_t n =
                                                                   std::min(size, content.size() - offset);
                                                               content.copy(buf, n, offset);
                                                               offset += n;
                                                               return n;
                                                             },
                                                         .body_length = content.size(),
                                                         .path = path});
          if (uploaded.size_bytes != static_cast<std::int64_t>(content.size())) fail("size of " + path);

          std::string got;
          (void)a.objects.get_object({.repository = r, .ref = "main", .path = path},
                                     [&](std::string_view chunk) { got.append(chunk); });
          if (got != content) fail("content of " + path);

          const auto stat = a.objects.stat_object({.repository = r, .ref = "main", .path = path});
          if (stat.checksum != uploaded.checksum) fail("checksum of " + path);

          const auto listed = a.objects.list_objects({.repository = r, .ref = "main", .prefix = prefix});
          if (listed.results.size() != static_cast<std::size_t>(i + 1)) {
            fail(prefix + " lists " + std::to_string(listed.results.size()) + " objects, expected " +
                 std::to_string(i + 1));
          }
          if (a.repositories.get_repository({.repository = r}).id != r) fail("get_repository");
          if (a.refs.log_commits({.repository = r, .ref = main_commit, .amount = 1}).results.at(0).id != main_commit) {
            fail("log_commits");
          }
          calls += 6;
        }
        const std::string branch = "b-" + std::to_string(t);
        const auto created =
            a.branches.create_branch({.repository = r, .body = {.name = branch, .source = main_commit}});
        if (created != main_commit) fail("create_branch " + branch);
        if (a.branches.get_branch({.repository = r, .branch = branch}).commit_id != main_commit) fail("get " + branch);
        try {
          (void)a.branches.get_branch({.repository = r, .branch = "missing-" + std::to_string(t)});
          fail("missing branch did not throw");
        } catch (const NotFoundError&) {
        }
        calls += 3;
      } catch (const std::exception& e) {
        fail(std::string("thread ") + std::to_string(t) + " threw: " + e.what());
      }
    });
  }
  for (auto& th : threads) th.join();

  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(calls.load(), kThreads * (kObjectsPerThread * 6 + 3));

  // Everything every thread wrote is there, exactly once.
  const auto& a = shared.api();
  std::set<std::string> paths;
  std::string after;
  for (;;) {
    const auto page = a.objects.list_objects({.repository = r, .ref = "main", .after = after, .amount = 25});
    for (const auto& o : page.results) paths.insert(o.path);
    if (!page.pagination.has_more) break;
    after = page.pagination.next_offset;
  }
  EXPECT_EQ(paths.size(), static_cast<std::size_t>(kThreads * kObjectsPerThread));
  EXPECT_EQ(paths.count("thread-7/obj-11"), 1u);
  EXPECT_EQ(a.branches.list_branches({.repository = r}).results.size(), static_cast<std::size_t>(kThreads + 1));
}

}  // namespace
}  // namespace lakefs::test
