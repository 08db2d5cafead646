// SPDX-License-Identifier: Apache-2.0
// The error model: which type each HTTP status becomes, what a ServerError
// keeps of the answer (bounded, scrubbed body; headers), the 409 wording, the
// local error types, and that docs/errors.md shows exactly errors.hpp's tree.
#include "lakefs/errors.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <typeinfo>
#include <vector>

#include "transport/error_mapping.hpp"

namespace {

using lakefs::ServerError;

lakefs::http::Response answer(int status, std::string body) {
  lakefs::http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers = {{"x-request-id", "req-7"}, {"content-type", "application/json"}};
  return r;
}

// The exception throw_server_error raises for `response`, rethrown as a pointer to keep its dynamic type.
std::exception_ptr raised(const lakefs::http::Response& response, const lakefs::detail::Redactor& redactor = {}) {
  try {
    lakefs::detail::throw_server_error(response, "POST", "/repositories/r/refs/a/merge/b", redactor);
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

template <typename E>
E caught(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const E& error) {
    return error;
  } catch (const std::exception& other) {
    ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << typeid(other).name() << ": " << other.what();
  }
  throw std::logic_error("wrong type");
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ErrorModel, EveryStatusMapsToItsExactType) {
  const std::map<int, const std::type_info*> expected{
      {400, &typeid(lakefs::BadRequestError)},
      {401, &typeid(lakefs::UnauthorizedError)},
      {403, &typeid(lakefs::ForbiddenError)},
      {404, &typeid(lakefs::NotFoundError)},
      {405, &typeid(lakefs::MethodNotAllowedError)},
      {409, &typeid(lakefs::ConflictError)},
      {412, &typeid(lakefs::PreconditionFailedError)},
      {416, &typeid(lakefs::InvalidRangeError)},
      {429, &typeid(lakefs::TooManyRequestsError)},
      {501, &typeid(lakefs::NotImplementedError)},
      {300, &typeid(lakefs::ServerError)},
      {418, &typeid(lakefs::ServerError)},
      {500, &typeid(lakefs::ServerError)},
      {502, &typeid(lakefs::ServerError)},
      {503, &typeid(lakefs::ServerError)},
      {504, &typeid(lakefs::ServerError)},
  };
  for (const auto& [status, type] : expected) {
    const auto e = raised(answer(status, R"({"message":"why"})"));
    try {
      std::rethrow_exception(e);
    } catch (const ServerError& error) {
      EXPECT_EQ(typeid(error), *type) << status << " became " << typeid(error).name();
      EXPECT_EQ(error.status(), status);
      EXPECT_EQ(error.server_message(), "why");
    }
  }
}

// lakeFS's 416 to a GET of an object carries "Content-Range: bytes */<size>"; only that form gives object_size().
TEST(ErrorModel, InvalidRangeCarriesTheObjectSizeFromContentRange) {
  auto with_range = [](std::string value) {
    auto r = answer(416, R"({"message":"Requested Range Not Satisfiable"})");
    r.headers.emplace_back("Content-Range", std::move(value));
    return r;
  };
  EXPECT_EQ(caught<lakefs::InvalidRangeError>(raised(with_range("bytes */1234"))).object_size(),
            std::optional<std::uint64_t>(1234));
  EXPECT_EQ(caught<lakefs::InvalidRangeError>(raised(with_range("bytes */0"))).object_size(),
            std::optional<std::uint64_t>(0));
  EXPECT_EQ(caught<lakefs::InvalidRangeError>(raised(with_range(" bytes */18446744073709551615 "))).object_size(),
            std::optional<std::uint64_t>(18446744073709551615ULL));
  for (const std::string bad : {"bytes 0-1/5", "bytes */", "bytes */abc", "bytes */12x", "bytes */-1", "items */3",
                                "bytes */18446744073709551616"}) {
    EXPECT_EQ(caught<lakefs::InvalidRangeError>(raised(with_range(bad))).object_size(), std::nullopt) << bad;
  }
  const auto none = caught<lakefs::InvalidRangeError>(raised(answer(416, "")));
  EXPECT_EQ(none.object_size(), std::nullopt);

  // The SDK adds a size it knew to an answer without one, keeping everything else; an answer's own size wins.
  const lakefs::InvalidRangeError known(none, 42);
  EXPECT_EQ(known.object_size(), std::optional<std::uint64_t>(42));
  EXPECT_STREQ(known.what(), none.what());
  EXPECT_EQ(known.status(), 416);
  EXPECT_EQ(known.request_id(), "req-7");
  EXPECT_EQ(known.path(), none.path());
  const lakefs::InvalidRangeError kept(caught<lakefs::InvalidRangeError>(raised(with_range("bytes */9"))), 42);
  EXPECT_EQ(kept.object_size(), std::optional<std::uint64_t>(9));
}

TEST(ErrorModel, MethodNotAllowedSaysSoWithoutAMessage) {
  const auto e = caught<lakefs::MethodNotAllowedError>(raised(answer(405, "")));
  EXPECT_EQ(e.status(), 405);
  EXPECT_NE(std::string(e.what()).find("method not allowed"), std::string::npos) << e.what();
}

TEST(ErrorModel, ConflictWithUnhelpfulBodyStillSaysConflict) {
  // lakeFS's answer to a merge conflict: no "message" field.
  const auto e = caught<lakefs::ConflictError>(raised(answer(409, R"({"reference":""})")));
  EXPECT_EQ(e.server_message(), "");
  EXPECT_EQ(e.body(), R"({"reference":""})");
  EXPECT_NE(std::string(e.what()).find("conflict"), std::string::npos) << e.what();
  EXPECT_EQ(std::string(e.what()).find("reference"), std::string::npos) << e.what();

  const auto empty = caught<lakefs::ConflictError>(raised(answer(409, "")));
  EXPECT_NE(std::string(empty.what()).find("conflict"), std::string::npos) << empty.what();
}

TEST(ErrorModel, MergeConflictNamesBothRefsAndKeepsTheAnswer) {
  const auto conflict = caught<lakefs::ConflictError>(raised(answer(409, R"({"reference":""})")));
  const lakefs::MergeConflictError e(conflict, "feature", "main");
  const std::string what = e.what();
  EXPECT_NE(what.find("merge of 'feature' into 'main': conflict"), std::string::npos) << what;
  EXPECT_NE(what.find("req-7"), std::string::npos) << what;
  EXPECT_EQ(e.source_ref(), "feature");
  EXPECT_EQ(e.destination_branch(), "main");
  EXPECT_EQ(e.status(), 409);
  EXPECT_EQ(e.request_id(), "req-7");
  EXPECT_EQ(e.method(), "POST");
  EXPECT_EQ(e.body(), R"({"reference":""})");
  EXPECT_EQ(e.header("Content-Type"), "application/json");
  const lakefs::ConflictError& as_conflict = e;  // catchable as the plain 409
  EXPECT_EQ(as_conflict.status(), 409);
}

TEST(ErrorModel, BodyAndHeadersKept) {
  auto response = answer(404, R"({"message":"not found","detail":"x"})");
  response.headers.emplace_back("x-lakefs-hint", "try again");
  const auto e = caught<lakefs::NotFoundError>(raised(response));
  EXPECT_EQ(e.body(), R"({"message":"not found","detail":"x"})");
  EXPECT_FALSE(e.body_truncated());
  EXPECT_EQ(e.headers().size(), 3u);
  EXPECT_EQ(e.header("X-LAKEFS-HINT"), "try again");
  EXPECT_EQ(e.header("x-request-id"), "req-7");
  EXPECT_FALSE(e.header("absent").has_value());
}

TEST(ErrorModel, BodyIsBounded) {
  const std::string huge(ServerError::max_body_size * 3, 'x');
  const auto e = caught<ServerError>(raised(answer(502, huge)));
  EXPECT_EQ(e.body().size(), ServerError::max_body_size);
  EXPECT_TRUE(e.body_truncated());
  EXPECT_LE(e.server_message().size(), 512u);  // what() quotes an excerpt only

  // Constructed directly, the bound holds too.
  const ServerError direct(500, "m", "", "GET", "/x", huge, {});
  EXPECT_EQ(direct.body().size(), ServerError::max_body_size);
  EXPECT_TRUE(direct.body_truncated());
}

TEST(ErrorModel, BodyHeadersAndMessageAreScrubbed) {
  const std::string key = "AKIAJUNITTESTKEY0001";
  const std::string secret = "s3cr3t-Zq9wX7vY5uT3sR1pO";
  const lakefs::detail::Redactor redactor(key, secret, "");
  // A secret echoed in the message, across the message excerpt's end and across the body's bound.
  std::string body = R"({"message":"bad key )" + key + R"("})";
  auto response = answer(401, body);
  response.headers.emplace_back("www-authenticate", "Basic realm=" + secret);
  response.headers.emplace_back("set-cookie", "internal_auth_session=" + secret);
  auto e = caught<lakefs::UnauthorizedError>(raised(response, redactor));
  EXPECT_EQ(e.server_message(), "bad key [REDACTED]");
  EXPECT_EQ(std::string(e.what()).find(key), std::string::npos);
  EXPECT_EQ(e.body().find(key), std::string::npos);
  EXPECT_EQ(e.header("www-authenticate"), "Basic realm=[REDACTED]");
  EXPECT_FALSE(e.header("set-cookie").has_value());  // a session cookie is a credential

  std::string page(510, 'p');
  page += secret;  // straddles the 512-byte excerpt
  page += std::string(ServerError::max_body_size - page.size() - 4, 'q');
  page += secret;  // straddles the body's bound
  page += std::string(100, 'r');
  const auto cut = caught<ServerError>(raised(answer(502, page), redactor));
  EXPECT_TRUE(cut.body_truncated());
  EXPECT_EQ(cut.body().find(secret.substr(0, 4)), std::string::npos);
  EXPECT_EQ(cut.server_message().find(secret.substr(0, 2)), std::string::npos);
}

TEST(ErrorModel, LocalIOErrorCarriesCodeAndPath) {
  const std::error_code code(ENOTDIR, std::generic_category());
  const lakefs::LocalIOError e("create the directory", "/tmp/file/sub", code);
  EXPECT_EQ(e.code(), std::errc::not_a_directory);
  EXPECT_EQ(e.path(), std::filesystem::path("/tmp/file/sub"));
  EXPECT_EQ(e.operation(), "create the directory");
  EXPECT_EQ(std::string(e.what()), "cannot create the directory '/tmp/file/sub': " + code.message());

  const lakefs::LocalIOError stream("read the input stream", {}, std::make_error_code(std::io_errc::stream),
                                    "upload aborted");
  EXPECT_TRUE(stream.path().empty());
  EXPECT_EQ(stream.code(), std::io_errc::stream);
  EXPECT_EQ(std::string(stream.what()).rfind("cannot read the input stream: ", 0), 0u) << stream.what();
  EXPECT_NE(std::string(stream.what()).find("(upload aborted)"), std::string::npos);

  const lakefs::LocalIOError shrank("read", "/data/f.bin", {}, "the file shrank");
  EXPECT_FALSE(shrank.code());
  EXPECT_STREQ(shrank.what(), "cannot read '/data/f.bin' (the file shrank)");
  const lakefs::Error& base = shrank;  // one catch still catches everything
  EXPECT_NE(std::string(base.what()).find("/data/f.bin"), std::string::npos);
}

TEST(ErrorModel, ObjectChangedErrorNamesTheObject) {
  const lakefs::ObjectChangedError e("repo", "main", "a/b.bin");
  EXPECT_EQ(e.repository(), "repo");
  EXPECT_EQ(e.ref(), "main");
  EXPECT_EQ(e.path(), "a/b.bin");
  EXPECT_NE(std::string(e.what()).find("'a/b.bin' at 'repo/main' changed while it was being read"), std::string::npos);
}

TEST(ErrorModel, LocalTypesAreNotServerErrors) {
  // Conditions the SDK found itself never pose as HTTP answers.
  const lakefs::LocalPreconditionError precondition("tag 'v1' already exists");
  const lakefs::InvalidStateError state("closed");
  const lakefs::ObjectChangedError changed("r", "b", "p");
  const lakefs::LocalIOError io("write", "/x", {});
  for (const lakefs::Error* e : std::vector<const lakefs::Error*>{&precondition, &state, &changed, &io}) {
    EXPECT_EQ(dynamic_cast<const ServerError*>(e), nullptr) << e->what();
  }
}

// Every class of errors.hpp appears in docs/errors.md's tree, under the same parent, and nothing else does.
TEST(ErrorModel, DocsTreeMatchesTheHeader) {
  const std::string header = read_text(std::string(LAKEFS_SOURCE_DIR) + "/include/lakefs/errors.hpp");
  const std::string docs = read_text(std::string(LAKEFS_SOURCE_DIR) + "/docs/errors.md");
  ASSERT_FALSE(header.empty());
  ASSERT_FALSE(docs.empty());

  std::map<std::string, std::string> parent_in_header;
  const std::regex class_re(R"(class\s+(?:LAKEFS_API\s+)?(\w+)\s*:\s*public\s+([\w:]+))");
  for (std::sregex_iterator it(header.begin(), header.end(), class_re), end; it != end; ++it) {
    parent_in_header[(*it)[1]] = (*it)[2];
  }
  ASSERT_GE(parent_in_header.size(), 30u);
  ASSERT_EQ(parent_in_header["Error"], "std::runtime_error");

  // The tree: the first ```text block after "## Hierarchy"; a name's column / 4 is its depth.
  const auto start = docs.find("```text", docs.find("## Hierarchy"));
  ASSERT_NE(start, std::string::npos) << "docs/errors.md needs a ## Hierarchy section with a ```text tree";
  const auto body_start = docs.find('\n', start) + 1;
  const std::string tree = docs.substr(body_start, docs.find("```", body_start) - body_start);
  std::map<std::string, std::string> parent_in_docs;
  std::vector<std::string> stack;
  std::istringstream lines(tree);
  const std::regex name_re(R"(\b([A-Z]\w*Error|Error)\b)");
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, name_re)) continue;
    // Box-drawing characters are 3 bytes in UTF-8 but one column wide.
    std::size_t column = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(m.position(1)); ++i) {
      if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++column;
    }
    const std::size_t depth = column / 4;
    ASSERT_LE(depth, stack.size()) << line;
    stack.resize(depth);
    const std::string name = m[1];
    EXPECT_FALSE(parent_in_docs.contains(name)) << name << " appears twice in the tree";
    parent_in_docs[name] = depth == 0 ? "std::runtime_error" : stack.back();
    stack.push_back(name);
  }
  EXPECT_EQ(parent_in_docs, parent_in_header);

  // And each type has its own entry below the tree.
  for (const auto& [name, parent] : parent_in_header) {
    EXPECT_NE(docs.find("### `" + name + "`"), std::string::npos) << name << " has no section in docs/errors.md";
  }
}

}  // namespace
