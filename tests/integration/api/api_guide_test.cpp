// SPDX-License-Identifier: Apache-2.0
// docs/api-layer.md, run: every ```cpp block of the guide appears verbatim
// below (checked by the first test, so guide and test cannot drift apart), and
// the other tests call that code against the real lakeFS server.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"

namespace {

// ---- begin: the guide's code, verbatim
std::vector<std::string> branch_names(const lakefs::Client& client, const std::string& repo) {
  lakefs::api::Api& api = client.api();
  std::vector<std::string> names;
  std::string after;
  for (;;) {
    const lakefs::api::RefList page = api.branches.list_branches({.repository = repo, .after = after, .amount = 100});
    for (const lakefs::api::Ref& ref : page.results) names.push_back(ref.id);
    if (!page.pagination.has_more) return names;
    after = page.pagination.next_offset;
  }
}

lakefs::api::Commit tag_release(const lakefs::Client& client, const std::string& repo, const std::string& branch,
                                const std::string& version) {
  auto& api = client.api();
  const lakefs::api::Commit commit = api.commits.commit({
      .repository = repo,
      .branch = branch,
      .body = {.message = "Release " + version,
               .metadata = std::map<std::string, std::string>{{"version", version}},
               .allow_empty = true},
  });
  (void)api.tags.create_tag({.repository = repo, .body = {.id = "v" + version, .ref = commit.id}});
  return commit;
}

lakefs::api::ObjectStats upload_csv(const lakefs::Client& client, const std::string& repo, const std::string& branch,
                                    const std::string& path, std::istream& in, std::uint64_t size) {
  return client.api().objects.upload_object({
      .repository = repo,
      .branch = branch,
      .body_source =
          [&in](char* buf, std::size_t capacity) {
            in.read(buf, static_cast<std::streamsize>(capacity));
            return static_cast<std::size_t>(in.gcount());
          },
      .body_length = size,  // leave out to send the body chunked
      .content_type = "text/csv",
      .path = path,
      .extra_headers = {{"X-Lakefs-Meta-Owner", "etl"}},
  });
}

std::string download_to(const lakefs::Client& client, const std::string& repo, const std::string& ref,
                        const std::string& path, std::ostream& out) {
  const lakefs::http::Response response = client.api().objects.get_object(
      {.repository = repo, .ref = ref, .path = path},
      [&out](std::string_view chunk) { out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())); });
  return std::string(response.header("etag").value_or(""));
}

std::optional<lakefs::api::ObjectStats> stat_if_present(const lakefs::Client& client, const std::string& repo,
                                                        const std::string& ref, const std::string& path) {
  try {
    return client.api().objects.stat_object({.repository = repo, .ref = ref, .path = path});
  } catch (const lakefs::NotFoundError&) {
    return std::nullopt;
  }
}

// The open-source server answers 501 for what only lakeFS Enterprise implements.
bool supports_external_principals(const lakefs::Client& client) {
  try {
    (void)client.api().external.get_external_principal({.principal_id = "probe"});
    return true;
  } catch (const lakefs::NotImplementedError&) {
    return false;
  } catch (const lakefs::NotFoundError&) {
    return true;  // implemented; there is just no such principal
  }
}
// The members of a branch's head commit that this SDK does not know, as JSON text by name.
std::map<std::string, std::string> unknown_members(const lakefs::Client& client, const std::string& repo) {
  std::map<std::string, std::string> out;
  auto commit = client.api().commits.get_commit({.repository = repo, .commit_id = "main"});
  for (const auto& [name, value] : commit.unknown_fields) out[name] = value.json;  // e.g. {"key":"k1"}
  return out;
}

// The client by value (a copy shares the same client): the task runs after the caller returns.
lakefs::async::Task<std::string> default_branch(lakefs::Client client, std::string repo) {
  const lakefs::api::GetRepositoryRequest request{.repository = std::move(repo)};
  const lakefs::api::Repository r = co_await client.api().repositories.get_repository_async(request);
  co_return r.default_branch;
}

lakefs::api::ObjectStats stat(const lakefs::Client& client, const std::string& repo, const std::string& path) {
  auto task = client.api().objects.stat_object_async({.repository = repo, .ref = "main", .path = path});
  return lakefs::async::sync_wait(std::move(task));  // the result, or the exception stat_object would throw
}
// ---- end: the guide's code

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ApiGuideText, EverySnippetOfTheGuideIsInThisTest) {
  const std::string guide = read_file(std::string(LAKEFS_SOURCE_DIR) + "/docs/api-layer.md");
  const std::string self = read_file(std::string(LAKEFS_SOURCE_DIR) + "/tests/integration/api/api_guide_test.cpp");
  ASSERT_FALSE(guide.empty());
  ASSERT_FALSE(self.empty());
  const std::regex block("```cpp\n([\\s\\S]*?)```");
  int blocks = 0;
  for (std::sregex_iterator it(guide.begin(), guide.end(), block), end; it != end; ++it) {
    std::istringstream lines((*it)[1].str());
    std::string code;
    for (std::string line; std::getline(lines, line);) {
      if (!line.starts_with("#include")) code += line + "\n";
    }
    while (!code.empty() && code.front() == '\n') code.erase(0, 1);
    EXPECT_NE(self.find(code), std::string::npos) << "guide snippet not in the test:\n" << code;
    ++blocks;
  }
  EXPECT_EQ(blocks, 7);
}

class ApiGuide : public lakefs::test::RepoTest {};

TEST_F(ApiGuide, AsynchronousTwinsAwaitedAndWaitedFor) {
  EXPECT_EQ(lakefs::async::sync_wait(default_branch(lakefs_client(), repo().id())), "main");
  main_branch().object("guide.txt").upload("guide");
  EXPECT_EQ(stat(lakefs_client(), repo().id(), "guide.txt").path, "guide.txt");
  EXPECT_THROW((void)stat(lakefs_client(), repo().id(), "missing.txt"), lakefs::NotFoundError);
}

TEST_F(ApiGuide, ListsBranchesAcrossPages) {
  auto& api = lakefs_client().api();
  std::vector<std::string> expected{"main"};
  for (int i = 0; i < 120; ++i) {
    const std::string name = "b" + std::to_string(1000 + i);
    (void)api.branches.create_branch({.repository = repo().id(), .body = {.name = name, .source = "main"}});
    expected.push_back(name);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(branch_names(lakefs_client(), repo().id()), expected);
}

TEST_F(ApiGuide, TagsARelease) {
  const auto commit = tag_release(lakefs_client(), repo().id(), "main", "1.2.3");
  EXPECT_EQ(commit.message, "Release 1.2.3");
  EXPECT_EQ(commit.metadata, (std::map<std::string, std::string>{{"version", "1.2.3"}}));
  EXPECT_EQ(lakefs_client().api().tags.get_tag({.repository = repo().id(), .tag = "v1.2.3"}).commit_id, commit.id);
}

TEST_F(ApiGuide, StreamsAnUploadAndADownload) {
  std::string csv = "id,value\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i) + "," + std::to_string(i * i) + "\n";
  std::istringstream in(csv);
  const auto stats = upload_csv(lakefs_client(), repo().id(), "main", "tables/squares.csv", in, csv.size());
  EXPECT_EQ(stats.size_bytes, static_cast<std::int64_t>(csv.size()));
  EXPECT_EQ(stats.content_type, "text/csv");

  std::ostringstream out;
  const std::string etag = download_to(lakefs_client(), repo().id(), "main", "tables/squares.csv", out);
  EXPECT_TRUE(out.str() == csv);
  EXPECT_THAT(etag, ::testing::HasSubstr(stats.checksum));

  const auto meta = lakefs_client().api().objects.stat_object(
      {.repository = repo().id(), .ref = "main", .path = "tables/squares.csv", .user_metadata = true});
  ASSERT_TRUE(meta.metadata.has_value());
  EXPECT_EQ(meta.metadata->at("owner"), "etl");
}

TEST_F(ApiGuide, ErrorsAsValues) {
  EXPECT_FALSE(stat_if_present(lakefs_client(), repo().id(), "main", "absent").has_value());
  std::istringstream in("x");
  (void)upload_csv(lakefs_client(), repo().id(), "main", "present", in, 1);
  const auto present = stat_if_present(lakefs_client(), repo().id(), "main", "present");
  ASSERT_TRUE(present.has_value());
  EXPECT_EQ(present->size_bytes, 1);
  EXPECT_FALSE(supports_external_principals(lakefs_client()));  // the OSS server answers 501
}

TEST_F(ApiGuide, ACommitOfThisServerHasNoMemberTheSdkDoesNotKnow) {
  // lakeFS 1.84 is the release the models were generated from: nothing is left over.
  EXPECT_TRUE(unknown_members(lakefs_client(), repo().id()).empty());
}

}  // namespace
