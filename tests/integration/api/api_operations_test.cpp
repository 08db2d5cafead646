// SPDX-License-Identifier: Apache-2.0
// The generated API layer against the real lakeFS server: at least one
// operation of every tag the open-source server implements, through
// client.api(), checking what the server answers; and the typed errors of
// what it does not implement (501 -> lakefs::NotImplementedError).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"
#include "support/repo_fixture.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Runs `call`, which must throw E, and returns the exception for further checks.
template <typename E, typename F>
E expect_error(F&& call) {
  try {
    call();
  } catch (const E& e) {
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << typeid(e).name() << ": " << e.what();
    throw;
  }
  ADD_FAILURE() << "expected " << typeid(E).name() << ", nothing was thrown";
  throw std::logic_error("no exception");
}

// Deterministic bytes that are not all alike, so an offset error shows.
std::string pattern_bytes(std::size_t n) {
  std::string out(n, '\0');
  std::uint32_t x = 2463534242u;
  for (auto& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xFF);
  }
  return out;
}

// A body_source handing out `data` in pieces of at most `piece` bytes.
struct PieceSource {
  const std::string* data;
  std::size_t piece;
  std::size_t offset = 0;
  int calls = 0;
  std::size_t operator()(char* buf, std::size_t size) {
    ++calls;
    const std::size_t n = std::min({size, piece, data->size() - offset});
    std::copy_n(data->data() + offset, n, buf);
    offset += n;
    return n;
  }
};

std::string get_all(const api::Api& a, const std::string& repo, const std::string& ref, const std::string& path,
                    std::optional<std::string> range = std::nullopt) {
  std::string out;
  (void)a.objects.get_object({.repository = repo, .ref = ref, .path = path, .range = std::move(range)},
                             [&](std::string_view chunk) { out.append(chunk); });
  return out;
}

std::string upload_text(const api::Api& a, const std::string& repo, const std::string& branch, const std::string& path,
                        const std::string& text) {
  PieceSource source{&text, text.size()};
  const auto stats = a.objects.upload_object({.repository = repo,
                                              .branch = branch,
                                              .body_source = std::ref(source),
                                              .body_length = text.size(),
                                              .path = path});
  return stats.checksum;
}

// ------------------------------------------------------------ repositories

TEST(ApiRepositories, CreateGetListDelete) {
  const Client c = client();
  auto& a = c.api();
  const auto name = unique_name();
  const auto created =
      a.repositories.create_repository({.body = {.name = name, .storage_namespace = "local://" + name}});
  EXPECT_EQ(created.id, name);
  EXPECT_EQ(created.default_branch, "main");
  EXPECT_EQ(created.storage_namespace, "local://" + name);
  EXPECT_GT(created.creation_date, 0);

  EXPECT_EQ(a.repositories.get_repository({.repository = name}), created);

  const auto listed = a.repositories.list_repositories({.prefix = name});
  ASSERT_EQ(listed.results.size(), 1u);
  EXPECT_EQ(listed.results[0].id, name);
  EXPECT_FALSE(listed.pagination.has_more);
  EXPECT_EQ(listed.pagination.results, 1);

  const auto dup = expect_error<ConflictError>([&] {
    (void)a.repositories.create_repository({.body = {.name = name, .storage_namespace = "local://" + name + "-2"}});
  });
  EXPECT_EQ(dup.status(), 409);

  a.repositories.delete_repository({.repository = name});
  // (getRepository may still answer from the server's repository cache for a
  // moment after the delete; the listing does not.)
  EXPECT_TRUE(a.repositories.list_repositories({.prefix = name}).results.empty());

  const auto missing = name + "-never-created";
  const auto gone = expect_error<NotFoundError>([&] { (void)a.repositories.get_repository({.repository = missing}); });
  EXPECT_EQ(gone.status(), 404);
  EXPECT_EQ(gone.method(), "GET");
  EXPECT_EQ(gone.path(), "/repositories/" + missing);
  EXPECT_FALSE(gone.request_id().empty());
  EXPECT_THAT(gone.server_message(), HasSubstr("not found"));
}

TEST(ApiRepositories, PaginationWithAmountAndAfter) {
  const Client c = client();
  auto& a = c.api();
  const auto prefix = unique_name();
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    names.push_back(prefix + "-" + std::to_string(i));
    (void)a.repositories.create_repository(
        {.body = {.name = names.back(), .storage_namespace = "local://" + names.back()}});
  }
  const auto page1 = a.repositories.list_repositories({.prefix = prefix, .amount = 2});
  ASSERT_EQ(page1.results.size(), 2u);
  EXPECT_TRUE(page1.pagination.has_more);
  const auto page2 =
      a.repositories.list_repositories({.prefix = prefix, .after = page1.pagination.next_offset, .amount = 2});
  ASSERT_EQ(page2.results.size(), 1u);
  EXPECT_FALSE(page2.pagination.has_more);
  EXPECT_EQ(std::vector<std::string>({page1.results[0].id, page1.results[1].id, page2.results[0].id}), names);
  for (const auto& n : names) a.repositories.delete_repository({.repository = n});
}

// ------------------------------------------------------------ branches, commits, refs, tags

class ApiVersioning : public RepoTest {};

TEST_F(ApiVersioning, BranchCreateGetListDiffDelete) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const auto main_ref = a.branches.get_branch({.repository = r, .branch = "main"});
  EXPECT_EQ(main_ref.id, "main");
  EXPECT_FALSE(main_ref.commit_id.empty());

  const std::string created =
      a.branches.create_branch({.repository = r, .body = {.name = "feature", .source = "main"}});
  EXPECT_EQ(created, main_ref.commit_id);  // lakeFS answers with the new branch's commit id
  EXPECT_EQ(a.branches.get_branch({.repository = r, .branch = "feature"}).commit_id, main_ref.commit_id);

  const auto branches = a.branches.list_branches({.repository = r});
  std::vector<std::string> ids;
  for (const auto& b : branches.results) ids.push_back(b.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"feature", "main"}));

  (void)upload_text(a, r, "feature", "dir/new.txt", "new");
  const auto diff = a.branches.diff_branch({.repository = r, .branch = "feature"});
  ASSERT_EQ(diff.results.size(), 1u);
  EXPECT_EQ(diff.results[0].path, "dir/new.txt");
  EXPECT_EQ(diff.results[0].type, api::DiffType::added);
  EXPECT_EQ(diff.results[0].path_type, api::DiffPathType::object);
  EXPECT_TRUE(a.branches.diff_branch({.repository = r, .branch = "main"}).results.empty());

  a.branches.delete_branch({.repository = r, .branch = "feature"});
  expect_error<NotFoundError>([&] { (void)a.branches.get_branch({.repository = r, .branch = "feature"}); });
  expect_error<ConflictError>(
      [&] { (void)a.branches.create_branch({.repository = r, .body = {.name = "main", .source = "main"}}); });
}

TEST_F(ApiVersioning, CommitGetLogDiffMergeAndMetadata) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  (void)a.branches.create_branch({.repository = r, .body = {.name = "dev", .source = "main"}});
  (void)upload_text(a, r, "dev", "a.txt", "alpha");
  (void)upload_text(a, r, "dev", "b/c.txt", "gamma");
  const auto commit = a.commits.commit(
      {.repository = r,
       .branch = "dev",
       .body = {.message = "add a and c", .metadata = std::map<std::string, std::string>{{"k", "v"}, {"ü", "✓"}}}});
  EXPECT_EQ(commit.message, "add a and c");
  EXPECT_EQ(commit.metadata, (std::map<std::string, std::string>{{"k", "v"}, {"ü", "✓"}}));
  ASSERT_EQ(commit.parents.size(), 1u);
  EXPECT_EQ(commit.parents[0], a.branches.get_branch({.repository = r, .branch = "main"}).commit_id);
  EXPECT_EQ(a.commits.get_commit({.repository = r, .commit_id = commit.id}), commit);

  const auto log = a.refs.log_commits({.repository = r, .ref = "dev"});
  ASSERT_GE(log.results.size(), 2u);
  EXPECT_EQ(log.results[0].id, commit.id);
  EXPECT_EQ(log.results[1].id, commit.parents[0]);
  const auto one = a.refs.log_commits({.repository = r, .ref = "dev", .amount = 1});
  ASSERT_EQ(one.results.size(), 1u);
  EXPECT_TRUE(one.pagination.has_more);

  const auto diff = a.refs.diff_refs({.repository = r, .left_ref = "main", .right_ref = "dev"});
  std::vector<std::string> paths;
  for (const auto& d : diff.results) {
    EXPECT_EQ(d.type, api::DiffType::added) << d.path;
    paths.push_back(d.path);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"a.txt", "b/c.txt"}));
  const auto by_prefix = a.refs.diff_refs({.repository = r, .left_ref = "main", .right_ref = "dev", .delimiter = "/"});
  ASSERT_EQ(by_prefix.results.size(), 2u);
  EXPECT_EQ(by_prefix.results[1].path, "b/");
  EXPECT_EQ(by_prefix.results[1].path_type, api::DiffPathType::common_prefix);

  const auto base = a.refs.find_merge_base({.repository = r, .source_ref = "dev", .destination_branch = "main"});
  EXPECT_EQ(base.base_commit_id, commit.parents[0]);
  // lakeFS 1.84 fills source_commit_id and destination_commit_id the other way
  // round (its controller passes them swapped), so check only the pair.
  EXPECT_THAT((std::vector<std::string>{base.source_commit_id, base.destination_commit_id}),
              ::testing::UnorderedElementsAre(commit.id, commit.parents[0]));

  const auto merged = a.refs.merge_into_branch(
      {.repository = r, .source_ref = "dev", .destination_branch = "main", .body = {.message = "merge dev"}});
  EXPECT_FALSE(merged.reference.empty());
  EXPECT_EQ(a.branches.get_branch({.repository = r, .branch = "main"}).commit_id, merged.reference);
  EXPECT_EQ(get_all(a, r, "main", "b/c.txt"), "gamma");

  // metadata tag: the commit's meta-range is addressable in the repository's storage.
  const auto uri = a.metadata.get_meta_range({.repository = r, .meta_range = commit.meta_range_id});
  EXPECT_THAT(uri.location, HasSubstr(commit.meta_range_id));

  // actions tag: no hooks configured, so no runs, but a well-formed empty page.
  const auto runs = a.actions.list_repository_runs({.repository = r});
  EXPECT_TRUE(runs.results.empty());
  EXPECT_FALSE(runs.pagination.has_more);

  expect_error<NotFoundError>(
      [&] { (void)a.commits.get_commit({.repository = r, .commit_id = std::string(64, 'a')}); });
  const auto empty = expect_error<BadRequestError>(
      [&] { (void)a.commits.commit({.repository = r, .branch = "dev", .body = {.message = "nothing"}}); });
  EXPECT_EQ(empty.status(), 400);
}

TEST_F(ApiVersioning, TagCreateGetListDelete) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const auto head = a.branches.get_branch({.repository = r, .branch = "main"}).commit_id;
  const auto tag = a.tags.create_tag({.repository = r, .body = {.id = "v1.0", .ref = "main"}});
  EXPECT_EQ(tag.id, "v1.0");
  EXPECT_EQ(tag.commit_id, head);
  EXPECT_EQ(a.tags.get_tag({.repository = r, .tag = "v1.0"}), tag);
  (void)a.tags.create_tag({.repository = r, .body = {.id = "v2.0", .ref = head}});
  const auto tags = a.tags.list_tags({.repository = r});
  ASSERT_EQ(tags.results.size(), 2u);
  EXPECT_EQ(tags.results[0].id, "v1.0");
  EXPECT_EQ(tags.results[1].id, "v2.0");
  expect_error<ConflictError>(
      [&] { (void)a.tags.create_tag({.repository = r, .body = {.id = "v1.0", .ref = "main"}}); });
  a.tags.delete_tag({.repository = r, .tag = "v1.0"});
  expect_error<NotFoundError>([&] { (void)a.tags.get_tag({.repository = r, .tag = "v1.0"}); });
  EXPECT_EQ(a.tags.list_tags({.repository = r}).results.size(), 1u);
}

// ------------------------------------------------------------ objects

class ApiObjects : public RepoTest {};

TEST_F(ApiObjects, StreamingUploadStatGetDelete) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const std::string data = pattern_bytes(300 * 1024 + 17);
  PieceSource source{&data, 10'000};
  const auto uploaded = a.objects.upload_object({.repository = r,
                                                 .branch = "main",
                                                 .body_source = std::ref(source),
                                                 .body_length = data.size(),
                                                 .content_type = "application/x-test",
                                                 .path = "data/blob.bin",
                                                 .extra_headers = {{"X-Lakefs-Meta-Color", "blue"}}});
  EXPECT_GT(source.calls, 30);  // streamed in pieces, not handed over at once
  EXPECT_EQ(source.offset, data.size());
  EXPECT_EQ(uploaded.path, "data/blob.bin");
  EXPECT_EQ(uploaded.size_bytes, static_cast<std::int64_t>(data.size()));
  EXPECT_EQ(uploaded.path_type, api::ObjectStatsPathType::object);
  EXPECT_FALSE(uploaded.checksum.empty());

  const auto stat =
      a.objects.stat_object({.repository = r, .ref = "main", .path = "data/blob.bin", .user_metadata = true});
  EXPECT_EQ(stat.checksum, uploaded.checksum);
  EXPECT_EQ(stat.size_bytes, uploaded.size_bytes);
  EXPECT_EQ(stat.content_type, "application/x-test");
  ASSERT_TRUE(stat.metadata.has_value());
  EXPECT_EQ(stat.metadata->at("color"), "blue");  // lakeFS lower-cases metadata keys

  int chunks = 0;
  std::string got;
  const auto response =
      a.objects.get_object({.repository = r, .ref = "main", .path = "data/blob.bin"}, [&](std::string_view chunk) {
        ++chunks;
        got.append(chunk);
      });
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());  // streamed to the sink, not collected
  EXPECT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data);
  EXPECT_GT(chunks, 1);
  EXPECT_EQ(get_all(a, r, "main", "data/blob.bin", "bytes=1000-1009"), data.substr(1000, 10));

  const auto head = a.objects.head_object({.repository = r, .ref = "main", .path = "data/blob.bin"});
  EXPECT_EQ(head.header("content-length").value_or(""), std::to_string(data.size()));

  const auto listed = a.objects.list_objects({.repository = r, .ref = "main", .prefix = "data/"});
  ASSERT_EQ(listed.results.size(), 1u);
  EXPECT_EQ(listed.results[0].path, "data/blob.bin");

  a.objects.delete_object({.repository = r, .branch = "main", .path = "data/blob.bin"});
  // The API layer maps by status alone (404 -> NotFoundError); the high-level
  // layer is what refines it to ObjectNotFoundError.
  const auto gone = expect_error<NotFoundError>(
      [&] { (void)a.objects.stat_object({.repository = r, .ref = "main", .path = "data/blob.bin"}); });
  EXPECT_EQ(gone.status(), 404);
  EXPECT_TRUE(a.objects.list_objects({.repository = r, .ref = "main", .prefix = "data/"}).results.empty());
}

TEST_F(ApiObjects, UnknownLengthUploadIsSentChunked) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const std::string data = pattern_bytes(70'001);
  PieceSource source{&data, 4096};
  const auto stats =
      a.objects.upload_object({.repository = r, .branch = "main", .body_source = std::ref(source), .path = "chunked"});
  EXPECT_EQ(stats.size_bytes, static_cast<std::int64_t>(data.size()));
  EXPECT_TRUE(get_all(a, r, "main", "chunked") == data);
}

TEST_F(ApiObjects, EmptyObjectAndUnicodePath) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const std::string path = "dír with space/ünï ✓ %?#&+=.txt";
  (void)upload_text(a, r, "main", path, "");
  EXPECT_EQ(a.objects.stat_object({.repository = r, .ref = "main", .path = path}).size_bytes, 0);
  EXPECT_EQ(get_all(a, r, "main", path), "");
  const auto listed = a.objects.list_objects({.repository = r, .ref = "main"});
  ASSERT_EQ(listed.results.size(), 1u);
  EXPECT_EQ(listed.results[0].path, path);
}

TEST_F(ApiObjects, ExclusiveUploadOfExistingObjectIsPreconditionFailed) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  (void)upload_text(a, r, "main", "once", "first");
  const std::string second = "second";
  PieceSource source{&second, 100};
  const auto e = expect_error<PreconditionFailedError>([&] {
    (void)a.objects.upload_object({.repository = r,
                                   .branch = "main",
                                   .body_source = std::ref(source),
                                   .body_length = second.size(),
                                   .path = "once",
                                   .if_none_match = "*"});
  });
  EXPECT_EQ(e.status(), 412);
  EXPECT_EQ(get_all(a, r, "main", "once"), "first");
  expect_error<InvalidRangeError>([&] { (void)get_all(a, r, "main", "once", "bytes=100-200"); });
}

// ------------------------------------------------------------ staging

class ApiStaging : public RepoTest {};

TEST_F(ApiStaging, PhysicalAddressOnTheLocalBlockStoreAndLink) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  const auto location = a.staging.get_physical_address({.repository = r, .branch = "main", .path = "staged/x"});
  ASSERT_TRUE(location.physical_address.has_value());
  EXPECT_THAT(*location.physical_address, StartsWith("local://"));
  EXPECT_THAT(*location.physical_address, HasSubstr("/" + r + "/data/"));
  EXPECT_FALSE(location.presigned_url.has_value());

  // The local block store cannot pre-sign: the server answers 500 with its reason.
  const auto presign = expect_error<ServerError>([&] {
    (void)a.staging.get_physical_address({.repository = r, .branch = "main", .path = "staged/x", .presign = true});
  });
  EXPECT_EQ(presign.status(), 500);
  EXPECT_THAT(presign.server_message(), HasSubstr("not supported"));

  // Linking the address stages an entry carrying the given checksum and size.
  const auto linked = a.staging.link_physical_address(
      {.repository = r,
       .branch = "main",
       .body = {.staging = location, .checksum = "0123abcd", .size_bytes = 42, .content_type = "text/plain"},
       .path = "staged/x"});
  EXPECT_EQ(linked.path, "staged/x");
  EXPECT_EQ(linked.checksum, "0123abcd");
  EXPECT_EQ(linked.size_bytes, 42);
  const auto stat = a.objects.stat_object({.repository = r, .ref = "main", .path = "staged/x"});
  EXPECT_EQ(stat.checksum, "0123abcd");
  EXPECT_EQ(stat.size_bytes, 42);
  EXPECT_EQ(stat.content_type, "text/plain");

  const auto no_checksum = expect_error<BadRequestError>([&] {
    (void)a.staging.link_physical_address(
        {.repository = r, .branch = "main", .body = {.staging = location, .size_bytes = 1}, .path = "staged/y"});
  });
  EXPECT_THAT(no_checksum.server_message(), HasSubstr("checksum"));
}

// ------------------------------------------------------------ import

class ApiImport : public RepoTest {};

TEST_F(ApiImport, StatusOfAnUnknownImportIsNotFound) {
  auto& a = lakefs_client().api();
  const auto e = expect_error<NotFoundError>(
      [&] { (void)a.imports.import_status({.repository = repo().id(), .branch = "main", .id = "no-such-import"}); });
  EXPECT_EQ(e.status(), 404);
  EXPECT_EQ(e.method(), "GET");
  EXPECT_EQ(e.path(), "/repositories/" + repo().id() + "/branches/main/import");
}

// ------------------------------------------------------------ auth

TEST(ApiAuth, CurrentUserAndUsersList) {
  const Client c = client();
  auto& a = c.api();
  const auto me = a.auth.get_current_user();
  EXPECT_FALSE(me.user.id.empty());
  const auto users = a.auth.list_users();
  std::vector<std::string> ids;
  for (const auto& u : users.results) ids.push_back(u.id);
  EXPECT_THAT(ids, Contains(me.user.id));
  EXPECT_EQ(a.auth.get_user({.user_id = me.user.id}).id, me.user.id);
}

TEST(ApiAuth, GroupsAndPoliciesAreNotImplementedWithSimplifiedAuth) {
  // The open-source server runs the simplified auth model (RBAC "none"): it
  // has users and credentials, but answers 501 for groups and policies.
  const Client c = client();
  auto& a = c.api();
  const auto setup = a.internal.get_setup_state();
  ASSERT_TRUE(setup.login_config.has_value());
  ASSERT_TRUE(setup.login_config->RBAC.has_value());
  EXPECT_EQ(setup.login_config->RBAC->raw(), "none");
  const auto groups = expect_error<NotImplementedError>([&] { (void)a.auth.list_groups(); });
  EXPECT_EQ(groups.status(), 501);
  EXPECT_EQ(groups.path(), "/auth/groups");
  const auto policies = expect_error<NotImplementedError>([&] { (void)a.auth.list_policies(); });
  EXPECT_EQ(policies.status(), 501);
  EXPECT_EQ(policies.path(), "/auth/policies");
}

TEST(ApiAuth, CredentialsUnderTheSingleUserBasicAuth) {
  // The open-source server's basic auth service has one user with exactly one
  // key pair: it reads it, refuses a second (400) and does not implement
  // listing or deleting credentials (501). The admin's key is not touched, as
  // other tests run with it at the same time.
  const Client c = client();
  auto& a = c.api();
  const auto me = a.auth.get_current_user().user.id;
  const auto mine = a.auth.get_credentials({.user_id = me, .access_key_id = server().access_key_id});
  EXPECT_EQ(mine.access_key_id, server().access_key_id);
  EXPECT_GT(mine.creation_date, 0);

  const auto second = expect_error<BadRequestError>([&] { (void)a.auth.create_credentials({.user_id = me}); });
  EXPECT_THAT(second.server_message(), HasSubstr("exceeded number of allowed credentials"));
  EXPECT_EQ(second.method(), "POST");
  EXPECT_EQ(second.path(), "/auth/users/" + me + "/credentials");

  const auto removal = expect_error<NotImplementedError>(
      [&] { a.auth.delete_credentials({.user_id = me, .access_key_id = "AKIAJNOSUCHKEYXXXXXX"}); });
  EXPECT_EQ(removal.method(), "DELETE");
  expect_error<NotImplementedError>([&] { (void)a.auth.list_user_credentials({.user_id = me}); });
  expect_error<NotFoundError>([&] { (void)a.auth.create_credentials({.user_id = "no-such-user"}); });

  // The same key pair still works: nothing above changed it.
  const Client fresh = client();
  EXPECT_EQ(fresh.api().auth.get_current_user().user.id, me);
}

// ------------------------------------------------------------ config, internal, health check

TEST(ApiConfig, GetConfigDescribesTheQuickstartServer) {
  const Client c = client();
  auto& a = c.api();
  const auto config = a.config.get_config();
  ASSERT_TRUE(config.version_config.has_value());
  EXPECT_EQ(config.version_config->version, "1.84.0");
  ASSERT_TRUE(config.storage_config.has_value());
  EXPECT_EQ(config.storage_config->blockstore_type, "local");
  EXPECT_TRUE(config.storage_config->import_support);
  EXPECT_FALSE(config.storage_config->pre_sign_support);

  EXPECT_EQ(a.internal.get_storage_config(), *config.storage_config);
  EXPECT_EQ(a.internal.get_lakefs_version().version, "1.84.0");
}

TEST(ApiHealthCheck, AnswersWithoutCredentials) {
  const Client c = client();
  c.api().health_check.health_check();
  auto options = client_options();
  options.secret_access_key = "wrong";
  Client wrong(options);
  wrong.api().health_check.health_check();  // anonymous: no credentials are sent
  expect_error<UnauthorizedError>([&] { (void)wrong.api().config.get_config(); });
}

// ------------------------------------------------------------ pulls (implemented by the OSS server)

class ApiPulls : public RepoTest {};

TEST_F(ApiPulls, CreateGetList) {
  auto& a = lakefs_client().api();
  const auto& r = repo().id();
  (void)a.branches.create_branch({.repository = r, .body = {.name = "topic", .source = "main"}});
  (void)upload_text(a, r, "topic", "f", "x");
  (void)a.commits.commit({.repository = r, .branch = "topic", .body = {.message = "topic work"}});
  const auto created = a.pulls.create_pull_request(
      {.repository = r,
       .body = {
           .title = "Topic", .description = "does things", .source_branch = "topic", .destination_branch = "main"}});
  ASSERT_FALSE(created.id.empty());
  const auto pr = a.pulls.get_pull_request({.repository = r, .pull_request = created.id});
  EXPECT_EQ(pr.id, created.id);
  EXPECT_EQ(pr.title, "Topic");
  EXPECT_EQ(pr.description, "does things");
  EXPECT_EQ(pr.source_branch, "topic");
  EXPECT_EQ(pr.destination_branch, "main");
  EXPECT_EQ(pr.status, api::PullRequestBasicStatus::open);
  const auto open = a.pulls.list_pull_requests({.repository = r, .status = "open"});
  ASSERT_EQ(open.results.size(), 1u);
  EXPECT_EQ(open.results[0].id, created.id);
  EXPECT_EQ(open.results[0].title, "Topic");
  // The server leaves descriptions out of listings; the model tolerates it.
  EXPECT_FALSE(open.results[0].description.has_value());
  EXPECT_TRUE(a.pulls.list_pull_requests({.repository = r, .status = "closed"}).results.empty());
}

// ------------------------------------------------------------ not implemented by the OSS server

TEST(ApiNotImplemented, ExternalPrincipalsAre501) {
  const Client c = client();
  auto& a = c.api();
  const auto e =
      expect_error<NotImplementedError>([&] { (void)a.external.get_external_principal({.principal_id = "arn:x"}); });
  EXPECT_EQ(e.status(), 501);
  EXPECT_EQ(e.method(), "GET");
  EXPECT_EQ(e.path(), "/auth/external/principals");
  EXPECT_FALSE(e.server_message().empty());
  EXPECT_FALSE(e.request_id().empty());
  // the same operation reached through the experimental tag's class
  expect_error<NotImplementedError>([&] { (void)a.experimental.get_external_principal({.principal_id = "arn:x"}); });
}

class ApiExperimental : public RepoTest {};

TEST_F(ApiExperimental, PresignedMultipartUploadIsNotImplementedOnLocalStorage) {
  auto& a = lakefs_client().api();
  const auto e = expect_error<NotImplementedError>([&] {
    (void)a.experimental.create_presign_multipart_upload(
        {.repository = repo().id(), .branch = "main", .path = "big", .parts = 2});
  });
  EXPECT_EQ(e.status(), 501);
  EXPECT_THAT(e.server_message(), HasSubstr("not supported"));
  EXPECT_EQ(e.method(), "POST");
}

}  // namespace
}  // namespace lakefs::test
