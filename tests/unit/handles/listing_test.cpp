// SPDX-License-Identifier: Apache-2.0
// Listings through the public test double: the caller's page size, its
// validation before any request, max_amount with small pages, the cursor read
// before a page is decoded (the next request goes out first), and cursors and
// body layouts a naive reader would get wrong; leaving a loop early or a
// caller's stop cancels the page read ahead.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

const std::string kObjects = "/repositories/repo/refs/main/objects/ls";

// Strings here are built by appending only: GCC 12 at -O3 reports false overflows in `"literal" + std::string`
// (the release build).
std::string name_of(std::size_t i) {
  std::string name = "obj-";
  name += std::to_string(100 + i);
  return name;
}

std::string object_json(std::size_t i) {
  std::string json = R"({"path":")";
  json += name_of(i);
  json += R"(","path_type":"object","physical_address":"local://x","checksum":"c","size_bytes":1,"mtime":1})";
  return json;
}

// A page of objects [from, to) as lakeFS writes it: pagination first.
std::string objects_page(std::size_t from, std::size_t to, bool more) {
  std::string body = R"({"pagination":{"has_more":)";
  body += more ? "true" : "false";
  body += R"(,"next_offset":")";
  if (more) body += name_of(to - 1);
  body += R"(","results":)";
  body += std::to_string(to - from);
  body += R"(,"max_per_page":1000},"results":[)";
  for (std::size_t i = from; i < to; ++i) {
    if (i != from) body += ',';
    body += object_json(i);
  }
  body += "]}";
  return body;
}

// Scripts `total` objects in pages of `size` and returns the client.
lakefs::Client scripted_objects(const std::shared_ptr<lt::FakeTransport>& fake, std::size_t total, std::size_t size) {
  auto script = fake->on("GET", kObjects);
  for (std::size_t from = 0; from < total; from += size) {
    const auto to = std::min(total, from + size);
    script.reply(lt::Reply::json(200, objects_page(from, to, to < total)));
  }
  return lt::make_client(fake);
}

std::vector<std::string> paths(lakefs::Listing<lakefs::ObjectEntry> listing) {
  std::vector<std::string> out;
  for (const auto& entry : listing) out.push_back(entry.object().path);
  return out;
}

TEST(Listing, PageSizeSetsTheAmountOfEveryRequest) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = scripted_objects(fake, 20, 7);
  const auto got = paths(client.repository("repo").ref("main").objects({.page_size = 7}));
  ASSERT_EQ(got.size(), 20u);
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], name_of(i));
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& r : sent) EXPECT_EQ(r.query_param("amount"), "7") << r;
  EXPECT_EQ(sent[0].query_param("after"), "");
  EXPECT_EQ(sent[1].query_param("after"), name_of(6));
  EXPECT_EQ(sent[2].query_param("after"), name_of(13));
}

TEST(Listing, MaxAmountWithSmallPagesAsksOnlyForWhatIsLeft) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(200, objects_page(0, 7, true)));
  script.reply(lt::Reply::json(200, objects_page(7, 10, true)));
  const auto client = lt::make_client(fake);
  const auto got = paths(client.repository("repo").ref("main").objects({.max_amount = 10, .page_size = 7}));
  EXPECT_EQ(got.size(), 10u);
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].query_param("amount"), "7");
  EXPECT_EQ(sent[1].query_param("amount"), "3");
}

TEST(Listing, PageSizeOutsideOneToAThousandIsRejectedBeforeAnyRequest) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = lt::make_client(fake);
  auto repo = client.repository("repo");
  auto main = repo.branch("main");
  for (const std::size_t bad : {std::size_t{0}, std::size_t{1001}}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW((void)main.objects({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.log({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.diff("other", {.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)main.uncommitted({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)repo.branches({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)repo.tags({.page_size = bad}), lakefs::InvalidArgumentError);
    EXPECT_THROW((void)lakefs::repositories({.page_size = bad}, client), lakefs::InvalidArgumentError);
  }
  try {
    (void)main.objects({.page_size = 1001});
  } catch (const lakefs::InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("page_size"), std::string::npos) << e.what();
  }
  EXPECT_EQ(fake->count(), 0u);
  // The limits themselves are fine.
  fake->on("GET", kObjects).always(lt::Reply::json(200, objects_page(0, 1, false)));
  EXPECT_EQ(paths(main.objects({.page_size = 1})).size(), 1u);
  EXPECT_EQ(paths(main.objects({.page_size = 1000})).size(), 1u);
  EXPECT_EQ(fake->requests().back().query_param("amount"), "1000");
}

TEST(Listing, TheNextPageIsRequestedBeforeThisOneIsDecoded) {
  // Page 1's cursor is valid but one of its results is not: decoding it fails.
  // The request for page 2 went out before (the cursor is read first).
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(
      200,
      R"({"pagination":{"has_more":true,"next_offset":"p1","results":1,"max_per_page":1000},"results":[{"x":1}]})"));
  script.reply(lt::Reply::json(200, objects_page(0, 1, false)));
  const auto client = lt::make_client(fake);
  {
    auto listing = client.repository("repo").ref("main").objects();
    EXPECT_THROW((void)listing.begin(), lakefs::ProtocolError);
    // The order for page 2 was placed before decoding: the read-ahead thread sends it.
    for (int i = 0; i < 5000 && fake->count() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].query_param("after"), "p1");
}

TEST(Listing, CursorsWithBracesQuotesAndEscapesAreReadWhole) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  // Go escapes & as \u0026; the cursor holds a brace, a quote and a backslash.
  script.reply(lt::Reply::json(200, R"({"pagination":{"has_more":true,"next_offset":"a}\"{\\b\u0026c","results":1,)"
                                    R"("max_per_page":1000},"results":[)" +
                                        object_json(0) + "]}"));
  script.reply(lt::Reply::json(200, objects_page(1, 2, false)));
  const auto client = lt::make_client(fake);
  EXPECT_EQ(paths(client.repository("repo").ref("main").objects()).size(), 2u);
  ASSERT_EQ(fake->count(), 2u);
  EXPECT_EQ(fake->requests()[1].query_param("after"), "a}\"{\\b&c");
}

TEST(Listing, PaginationAfterTheResultsStillWorks) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(200, R"( {"results":[)" + object_json(0) +
                                        R"(],"pagination":{"has_more":true,"next_offset":"n","results":1,)"
                                        R"("max_per_page":1000}})"));
  script.reply(lt::Reply::json(200, objects_page(1, 3, false)));
  const auto client = lt::make_client(fake);
  EXPECT_EQ(paths(client.repository("repo").ref("main").objects()),
            (std::vector<std::string>{name_of(0), name_of(1), name_of(2)}));
  EXPECT_EQ(fake->requests()[1].query_param("after"), "n");
}

TEST(Listing, AFailedNextPageIsThrownWhenIterationReachesIt) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(200, objects_page(0, 3, true)));
  script.reply(lt::Reply::error(404, "gone"));
  const auto client = lt::make_client(fake);
  auto listing = client.repository("repo").ref("main").objects();
  std::vector<std::string> seen;
  EXPECT_THROW(
      {
        for (const auto& e : listing) seen.push_back(e.object().path);
      },
      lakefs::NotFoundError);
  EXPECT_EQ(seen.size(), 3u);
}

TEST(Listing, ToVectorMovesEveryPageOut) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = scripted_objects(fake, 2500, 1000);
  const auto all = client.repository("repo").ref("main").objects().to_vector();
  ASSERT_EQ(all.size(), 2500u);
  EXPECT_EQ(all[1999].object().path, name_of(1999));
  EXPECT_EQ(fake->count(), 3u);
}

TEST(Listing, LogAndDiffSendTheirPageSize) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/main/commits")
      .reply(lt::Reply::json(
          200, R"({"pagination":{"has_more":true,"next_offset":"c1","results":1,"max_per_page":1000},"results":[)"
               R"({"id":"c1","parents":["c2"],"committer":"me","message":"m","creation_date":5,"meta_range_id":""}]})"))
      .reply(lt::Reply::json(
          200, R"({"pagination":{"has_more":false,"next_offset":"","results":1,"max_per_page":1000},"results":[)"
               R"({"id":"c2","parents":[],"committer":"me","message":"m","creation_date":4,"meta_range_id":""}]})"));
  fake->on("GET", "/repositories/repo/refs/main/diff/other")
      .reply(lt::Reply::json(
          200, R"({"pagination":{"has_more":false,"next_offset":"","results":2,"max_per_page":1000},"results":[)"
               R"({"type":"added","path":"a","path_type":"object","size_bytes":3},)"
               R"({"type":"removed","path":"b","path_type":"object"}]})"));
  const auto client = lt::make_client(fake);
  auto main = client.repository("repo").ref("main");
  const auto log = main.log({.page_size = 1}).to_vector();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].id, "c1");
  EXPECT_EQ(log[1].parents, std::vector<std::string>{});
  const auto changes = main.diff("other", {.page_size = 2}).to_vector();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].size_bytes, 3);
  EXPECT_EQ(changes[1].type, lakefs::Change::Type::removed);
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].query_param("amount"), "1");
  EXPECT_EQ(sent[1].query_param("after"), "c1");
  EXPECT_EQ(sent[2].query_param("amount"), "2");
}

TEST(Listing, CommitsFilteredByUntilAreMadeUpWithoutOverFetching) {
  // max_amount 2 in pages of 2: page 1 holds one commit newer than `until`
  // (filtered out), so one more commit is needed: a request for exactly 1.
  auto commit = [](const std::string& id, int date) {
    return R"({"id":")" + id + R"(","parents":[],"committer":"me","message":"m","creation_date":)" +
           std::to_string(date) + R"(,"meta_range_id":""})";
  };
  auto page = [](const std::string& next, int n, const std::string& items) {
    return R"({"pagination":{"has_more":)" + std::string(next.empty() ? "false" : "true") + R"(,"next_offset":")" +
           next + R"(","results":)" + std::to_string(n) + R"(,"max_per_page":1000},"results":[)" + items + "]}";
  };
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/main/commits")
      .reply(lt::Reply::json(200, page("c2", 2, commit("c1", 300) + "," + commit("c2", 100))))
      .reply(lt::Reply::json(200, page("c3", 1, commit("c3", 90))));
  const auto client = lt::make_client(fake);
  const auto log = client.repository("repo")
                       .ref("main")
                       .log({.max_amount = 2, .page_size = 2, .until = lakefs::Timestamp(std::chrono::seconds(200))})
                       .to_vector();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].id, "c2");
  EXPECT_EQ(log[1].id, "c3");
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].query_param("amount"), "2");
  EXPECT_EQ(sent[1].query_param("amount"), "1");
  EXPECT_EQ(sent[1].query_param("after"), "c2");
}

// Objects in pages of 3: page 1 at once, page 2 (the last) answered only after 10 s, unless its request's stop
// token ends the wait first.
lakefs::Client slow_second_page(const std::shared_ptr<lt::FakeTransport>& fake) {
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(200, objects_page(0, 3, true)));
  auto slow = lt::Reply::json(200, objects_page(3, 6, false));
  slow.delay = std::chrono::seconds(10);
  script.reply(std::move(slow));
  return lt::make_client(fake);
}

// Waits (at most 5 s) until the fake received `n` requests: the read-ahead request is on the wire.
void wait_for_requests(const lt::FakeTransport& fake, std::size_t n) {
  for (int i = 0; i < 5000 && fake.count() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

std::string ms(std::chrono::steady_clock::duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

TEST(Listing, LeavingALoopEarlyCancelsThePageReadAhead) {
  // The loop breaks on page 1 while page 2 is on the wire. Leaving the loop (the listing's destruction) triggers
  // the read-ahead request's stop token, which ends the fake's 10 s wait at once.
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = slow_second_page(fake);
  std::chrono::steady_clock::time_point left;
  {
    auto listing = client.repository("repo").ref("main").objects({.page_size = 3});
    for (const auto& entry : listing) {
      EXPECT_EQ(entry.path(), name_of(0));
      wait_for_requests(*fake, 2);
      left = std::chrono::steady_clock::now();
      break;
    }
  }
  const auto took = std::chrono::steady_clock::now() - left;
  EXPECT_LT(took, std::chrono::seconds(1)) << ms(took);
  const auto sent = fake->requests();
  ASSERT_EQ(sent.size(), 2u);  // cancelled, not retried
  EXPECT_EQ(sent[1].query_param("after"), name_of(2));
}

TEST(Listing, TheCallersStopCancelsThePageReadAhead) {
  // The same slow page 2 with the caller's own token: stopping it ends the wait for page 2 with CancelledError.
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = slow_second_page(fake);
  std::stop_source stop;
  auto listing = client.repository("repo").ref("main").objects({.page_size = 3, .call = {.stop = stop.get_token()}});
  std::vector<std::string> seen;
  std::chrono::steady_clock::time_point stopped;
  EXPECT_THROW(
      {
        for (const auto& entry : listing) {
          seen.push_back(entry.path());
          if (seen.size() < 3) continue;
          // At the last item of page 1, once page 2 is on the wire.
          wait_for_requests(*fake, 2);
          stopped = std::chrono::steady_clock::now();
          stop.request_stop();
        }
      },
      lakefs::CancelledError);
  const auto took = std::chrono::steady_clock::now() - stopped;
  EXPECT_LT(took, std::chrono::seconds(1)) << ms(took);
  EXPECT_EQ(seen, (std::vector<std::string>{name_of(0), name_of(1), name_of(2)}));
  EXPECT_EQ(fake->count(), 2u);
}

TEST(Listing, ListingsBuiltFromTwoArgumentFunctionsStillWork) {
  // The public constructors that take a Fetch or a Request without CallOptions.
  auto fetch = [](const std::string& after, std::size_t amount) {
    const int from = after.empty() ? 0 : std::stoi(after);
    lakefs::Page<int> page;
    for (int i = from; i < std::min(from + static_cast<int>(amount), 7); ++i) page.items.push_back(i);
    if (from + static_cast<int>(amount) < 7) page.next_after = std::to_string(from + static_cast<int>(amount));
    return page;
  };
  lakefs::Listing<int> fetched(fetch, std::nullopt, 3, "", [](const int& i) { return std::to_string(i + 1); });
  EXPECT_EQ(fetched.to_vector(), (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(fetched.resume_after(), std::nullopt);

  lakefs::Listing<int> requested(
      [&](const std::string& after, std::size_t amount) {
        const auto page = fetch(after, amount);
        lakefs::RawPage raw;
        for (const int i : page.items) raw.body += static_cast<char>('0' + i);
        raw.next_after = page.next_after;
        raw.results = page.items.size();
        return raw;
      },
      [](std::string_view body, std::vector<int>& items) {
        for (const char c : body) items.push_back(c - '0');
      },
      5, 3);
  std::vector<int> got;
  for (const int i : requested) got.push_back(i);
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4}));
}

}  // namespace

namespace resume {

// Where a listing stopped: the cursor after the item the iterator is at, the
// listing's own `after` before it starts, nothing once the server has no more.
TEST(ListingResume, BeforeStartItIsTheListingsOwnAfter) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = lt::make_client(fake);
  auto main = client.repository("repo").ref("main");
  EXPECT_EQ(main.objects().resume_after(), std::optional<std::string>(""));
  EXPECT_EQ(main.objects({.after = name_of(4)}).resume_after(), std::optional(name_of(4)));
  EXPECT_EQ(fake->count(), 0u);
}

TEST(ListingResume, ABreakResumesAfterTheItemTheLoopWasAt) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  script.reply(lt::Reply::json(200, objects_page(0, 7, true)));
  script.reply(lt::Reply::json(200, objects_page(7, 14, false)));  // the last page: no read-ahead after it
  script.reply(lt::Reply::json(200, objects_page(9, 14, false)));
  const auto client = lt::make_client(fake);
  auto main = client.repository("repo").ref("main");
  auto list = main.objects({.page_size = 7});
  for (const auto& entry : list) {
    if (entry.path() == name_of(8)) break;  // on the second page
  }
  const auto cursor = list.resume_after();
  ASSERT_EQ(cursor, std::optional(name_of(8)));
  // The next listing starts there: its first request carries the cursor.
  const auto rest = paths(main.objects({.page_size = 7, .after = *cursor}));
  EXPECT_EQ(rest.front(), name_of(9));
  EXPECT_EQ(fake->requests().back().query_param("after"), name_of(8));
}

TEST(ListingResume, MaxAmountStopsWhereTheNextListingStarts) {
  auto fake = std::make_shared<lt::FakeTransport>();
  auto script = fake->on("GET", kObjects);
  // max_amount 5 of a 7-item page: the end of the listing is not the end of the data.
  script.reply(lt::Reply::json(200, objects_page(0, 7, false)));
  const auto client = lt::make_client(fake);
  auto list = client.repository("repo").ref("main").objects({.max_amount = 5});
  EXPECT_EQ(list.to_vector().size(), 5u);
  EXPECT_EQ(list.resume_after(), std::optional(name_of(4)));
}

TEST(ListingResume, TheEndOfTheDataIsNoCursor) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto client = scripted_objects(fake, 10, 4);
  auto list = client.repository("repo").ref("main").objects({.page_size = 4});
  std::size_t n = 0;
  for (auto it = list.begin(); it != list.end(); ++it) {
    ++n;
    // While the iterator is at an item, that item's path is the cursor.
    EXPECT_EQ(list.resume_after(), std::optional(it->path()));
  }
  EXPECT_EQ(n, 10u);
  EXPECT_EQ(list.resume_after(), std::nullopt);
  // to_vector() ends the same way.
  auto fake2 = std::make_shared<lt::FakeTransport>();
  auto all = scripted_objects(fake2, 10, 4).repository("repo").ref("main").objects({.page_size = 4});
  EXPECT_EQ(all.to_vector().size(), 10u);
  EXPECT_EQ(all.resume_after(), std::nullopt);
  // max_amount that ends exactly where the server says "more": a cursor.
  auto fake3 = std::make_shared<lt::FakeTransport>();
  auto some = scripted_objects(fake3, 10, 4).repository("repo").ref("main").objects({.max_amount = 8, .page_size = 4});
  EXPECT_EQ(some.to_vector().size(), 8u);
  EXPECT_EQ(some.resume_after(), std::optional(name_of(7)));
}

TEST(ListingResume, LogResumesAfterACommitId) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("GET", "/repositories/repo/refs/main/commits")
      .reply(lt::Reply::json(
          200, R"({"pagination":{"has_more":false,"next_offset":"","results":2,"max_per_page":1000},"results":[)"
               R"({"id":"c2","parents":["c1"],"committer":"me","message":"m","creation_date":5,"meta_range_id":""},)"
               R"({"id":"c1","parents":[],"committer":"me","message":"m","creation_date":4,"meta_range_id":""}]})"));
  const auto client = lt::make_client(fake);
  auto log = client.repository("repo").ref("main").log({.after = "c3"});
  auto it = log.begin();
  EXPECT_EQ(log.resume_after(), std::optional<std::string>("c2"));
  EXPECT_EQ(fake->requests().front().query_param("after"), "c3");
  ++it;
  EXPECT_EQ(log.resume_after(), std::optional<std::string>("c1"));
}

}  // namespace resume
