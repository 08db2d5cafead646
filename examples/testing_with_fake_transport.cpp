// SPDX-License-Identifier: Apache-2.0
// Unit-testing your own code built on lakefs-cpp, with no lakeFS server:
// lakefs::testing::FakeTransport answers the client's requests from a script
// and records them. See docs/testing-your-code.md.
//
// The "code under test" below is a small job a user might write: it lists
// the CSV files under a prefix of a branch, reads each, counts their rows and
// commits the total as commit metadata. The tests (plain checks, so the
// example needs no test framework; in a real project use GoogleTest or
// Catch2 the same way) script the server's answers, inject failures, and
// assert what the job sent. Runs anywhere: it never opens a connection.
#include <cstddef>
#include <iostream>
#include <lakefs/api/models.hpp>
#include <lakefs/lakefs.hpp>
#include <lakefs/testing/fake_transport.hpp>
#include <memory>
#include <string>
#include <vector>

// ---------------------------------------------------------------- the code under test

namespace rowcount {

struct Summary {
  std::size_t files = 0;
  std::size_t rows = 0;
  std::vector<std::string> skipped{};  // listed, but gone before they could be read
  std::string commit_id{};
};

/// Counts the data rows (lines after the header) of every .csv under `prefix`
/// and commits the counts as metadata of a commit on `branch`.
Summary count_rows_and_commit(lakefs::Branch& branch, const std::string& prefix) {
  Summary summary;
  for (const auto& entry : branch.objects({.prefix = prefix})) {
    const lakefs::ObjectInfo* object = entry.if_object();
    if (object == nullptr || !object->path.ends_with(".csv")) continue;
    std::string data;
    try {
      data = branch.object(object->path).read_all();
    } catch (const lakefs::ObjectNotFoundError&) {
      summary.skipped.push_back(object->path);  // deleted by someone else since the listing
      continue;
    }
    std::size_t lines = 0;
    for (const char c : data) lines += c == '\n' ? 1 : 0;
    if (!data.empty() && data.back() != '\n') ++lines;
    summary.rows += lines > 0 ? lines - 1 : 0;
    ++summary.files;
  }
  const auto commit =
      branch.commit("Row count of " + prefix,
                    {.metadata = {{"files", std::to_string(summary.files)}, {"rows", std::to_string(summary.rows)}}});
  summary.commit_id = commit.id;
  return summary;
}

}  // namespace rowcount

// ---------------------------------------------------------------- the tests

namespace {

using lakefs::testing::FakeTransport;
using lakefs::testing::Reply;

int failures = 0;

void check(bool ok, const std::string& what) {
  std::cout << (ok ? "  ok    " : "  FAIL  ") << what << "\n";
  if (!ok) ++failures;
}

// The server's answer to a listing: one page holding these objects.
std::string listing(const std::vector<std::string>& paths) {
  lakefs::api::ObjectStatsList page;
  for (const auto& path : paths) {
    page.results.push_back({.path = path,
                            .path_type = lakefs::api::ObjectStatsPathType::object,
                            .physical_address = "mem://data/" + path,
                            .checksum = "etag-" + path,
                            .size_bytes = 64,
                            .mtime = 1'718'000'000});
  }
  page.pagination = {.has_more = false, .results = static_cast<std::int64_t>(paths.size()), .max_per_page = 1000};
  return lakefs::api::to_json(page);
}

// The server's answer to a commit.
std::string commit_json(const std::string& id) {
  return lakefs::api::to_json(lakefs::api::Commit{.id = id,
                                                  .parents = {"parent"},
                                                  .committer = "tester",
                                                  .message = "Row count of raw/",
                                                  .creation_date = 1'718'000'000,
                                                  .meta_range_id = "range"});
}

// Request paths as the client sends them (percent-encoded, below /api/v1).
const std::string kList = "/repositories/sales/refs/main/objects/ls";
const std::string kObject = "/repositories/sales/refs/main/objects";
const std::string kCommit = "/repositories/sales/branches/main/commits";

void counts_rows_and_commits_the_totals() {
  std::cout << "counts rows and commits the totals\n";
  auto fake = std::make_shared<FakeTransport>();
  fake->on("GET", kList).reply(Reply::json(200, listing({"raw/a.csv", "raw/b.csv", "raw/notes.txt"})));
  fake->on("GET", kObject, "path=raw/a.csv").reply(Reply::content(200, "id,amount\n1,10\n2,20\n"));
  fake->on("GET", kObject, "path=raw/b.csv").reply(Reply::content(200, "id,amount\n3,30"));
  fake->on("POST", kCommit).reply(Reply::json(201, commit_json("c0ffee")));

  lakefs::Client client = lakefs::testing::make_client(fake);
  auto branch = client.repository("sales").branch("main");
  const auto summary = rowcount::count_rows_and_commit(branch, "raw/");

  check(summary.files == 2 && summary.rows == 3, "two CSV files with three data rows; the .txt is ignored");
  check(summary.commit_id == "c0ffee", "the commit id comes from the server's answer");
  // Every attempt, in order: before its first read the client asks the server config once (can it read
  // straight from the object store?); the fake answers it as a local block store: reads go through lakeFS.
  const auto requests = fake->requests();
  check(requests.size() == 5 && requests[0].path == kList && requests[1].path == "/config",
        "a listing, the server config, two reads and a commit were sent");
  check(requests[0].query_param("prefix") == "raw/", "the listing asked for the prefix");
  const auto commit = fake->last();
  check(commit.method == "POST" && commit.path == kCommit, "the last request is the commit");
  check(commit.body.find(R"("metadata":{"files":"2","rows":"3"})") != std::string::npos,
        "the commit carries the counts as metadata: " + commit.body);
  check(fake->count("POST", kCommit) == 1, "exactly one commit was sent");
  check(fake->unscripted().empty() && fake->remaining() == 0, "every request was scripted, every reply used");
}

void survives_an_object_deleted_after_the_listing() {
  std::cout << "skips an object deleted after the listing\n";
  auto fake = std::make_shared<FakeTransport>();
  fake->on("GET", kList).reply(Reply::json(200, listing({"raw/a.csv", "raw/gone.csv"})));
  fake->on("GET", kObject, "path=raw/a.csv").reply(Reply::content(200, "h\n1\n"));
  fake->on("GET", kObject, "path=raw/gone.csv").reply(Reply::error(404, "object not found"));
  fake->on("POST", kCommit).reply(Reply::json(201, commit_json("c1")));

  lakefs::Client client = lakefs::testing::make_client(fake);
  auto branch = client.repository("sales").branch("main");
  const auto summary = rowcount::count_rows_and_commit(branch, "raw/");
  check(summary.files == 1 && summary.rows == 1, "the remaining file is counted");
  check(summary.skipped == std::vector<std::string>{"raw/gone.csv"}, "the missing file is reported as skipped");
}

void rides_out_a_busy_server() {
  std::cout << "rides out a busy server (the client retries reads)\n";
  auto fake = std::make_shared<FakeTransport>();
  fake->on("GET", kList).reply(Reply::json(200, listing({"raw/a.csv"})));
  fake->on("GET", kObject)
      .reply(Reply::error(503, "slow down").with_header("Retry-After", "1"))
      .reply(Reply::fail(lakefs::http::Failure::connection_dropped, /*request_sent=*/true))
      .reply(Reply::content(200, "h\n1\n2\n"));
  fake->on("POST", kCommit).reply(Reply::json(201, commit_json("c2")));

  lakefs::Client client = lakefs::testing::make_client(fake);  // its back-off and Retry-After cap are milliseconds
  auto branch = client.repository("sales").branch("main");
  const auto summary = rowcount::count_rows_and_commit(branch, "raw/");
  check(summary.rows == 2, "the rows are counted after two failed attempts");
  check(fake->count("GET", kObject) == 3, "the object was read three times");
}

void reports_a_commit_whose_answer_was_lost() {
  std::cout << "reports a commit whose answer was lost, without sending it twice\n";
  auto fake = std::make_shared<FakeTransport>();
  fake->on("GET", kList).reply(Reply::json(200, listing({})));
  fake->on("POST", kCommit)
      .reply(Reply::fail(lakefs::http::Failure::connection_dropped, /*request_sent=*/true))
      .reply(Reply::json(201, commit_json("never")));

  lakefs::Client client = lakefs::testing::make_client(fake);
  auto branch = client.repository("sales").branch("main");
  bool outcome_unknown = false;
  try {
    rowcount::count_rows_and_commit(branch, "raw/");
  } catch (const lakefs::TransportError& e) {
    outcome_unknown = e.outcome_unknown();
  }
  check(outcome_unknown, "the error says the commit may have been applied");
  check(fake->count("POST", kCommit) == 1, "the commit was not re-sent");
}

}  // namespace

int main() {
  counts_rows_and_commits_the_totals();
  survives_an_object_deleted_after_the_listing();
  rides_out_a_busy_server();
  reports_a_commit_whose_answer_was_lost();
  if (failures != 0) {
    std::cout << failures << " check(s) failed\n";
    return 1;
  }
  std::cout << "all checks passed\n";
  return 0;
}
