// SPDX-License-Identifier: Apache-2.0
// A 403 answering an operation on one object becomes ObjectAccessDeniedError
// (a ForbiddenError naming the object), as the Python SDK's object I/O raises
// PermissionException; a 403 on anything else stays a plain ForbiddenError.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <typeinfo>

#include "lakefs/lakefs.hpp"
#include "lakefs/testing/fake_transport.hpp"

namespace {

namespace lt = lakefs::testing;

// Runs `op`, which must throw ObjectAccessDeniedError about `path` carrying the server's answer.
void expect_denied(const std::function<void()>& op, const std::string& path, const std::string& what_op) {
  try {
    op();
    ADD_FAILURE() << what_op << ": no error";
  } catch (const lakefs::ObjectAccessDeniedError& e) {
    const lakefs::ForbiddenError& as_forbidden = e;  // a ForbiddenError too
    EXPECT_EQ(as_forbidden.status(), 403) << what_op;
    EXPECT_EQ(e.request_id(), "") << what_op;
    const std::string what = e.what();
    EXPECT_NE(what.find("denied by policy"), std::string::npos) << what_op << ": " << what;
    EXPECT_NE(what.find("object '" + path + "' at 'repo/main'"), std::string::npos) << what_op << ": " << what;
    EXPECT_NE(e.body().find("denied by policy"), std::string::npos) << what_op;
  } catch (const std::exception& other) {
    ADD_FAILURE() << what_op << ": " << typeid(other).name() << ": " << other.what();
  }
}

TEST(ObjectAccessDenied, EveryObjectOperationRefusedWith403IsObjectAccessDenied) {
  auto fake = std::make_shared<lt::FakeTransport>();
  const auto denied = lt::Reply::error(403, "denied by policy");
  fake->on("GET", "/repositories/repo/refs/main/objects/stat").always(denied);
  fake->on("GET", "/repositories/repo/refs/main/objects").always(denied);
  fake->on("POST", "/repositories/repo/branches/main/objects").always(denied);
  fake->on("DELETE", "/repositories/repo/branches/main/objects").always(denied);
  fake->on("POST", "/repositories/repo/branches/main/objects/copy").always(denied);
  const auto client = lt::make_client(fake);
  auto branch = client.repository("repo").branch("main");

  expect_denied([&] { (void)branch.object("a/stat").stat(); }, "a/stat", "stat");
  expect_denied([&] { (void)branch.object("a/read").read_all({.pre_sign = false}); }, "a/read", "read_all");
  expect_denied([&] { (void)branch.object("a/range").read_range(0, 4, {.pre_sign = false}); }, "a/range", "read_range");
  expect_denied([&] { branch.object("a/up").upload("bytes", {.pre_sign = false}); }, "a/up", "upload");
  expect_denied(
      [&] {
        auto writer = branch.object("a/writer").writer({.pre_sign = false});
        writer << "bytes";
        (void)writer.close();
      },
      "a/writer", "writer");
  expect_denied([&] { branch.object("a/rm").remove(); }, "a/rm", "remove");
  // A copy is refused on the destination branch; the error names the source object it was asked of.
  expect_denied([&] { (void)branch.object("a/src").copy("main", "a/dst"); }, "a/src", "copy");
}

TEST(ObjectAccessDenied, A403OnSomethingElseStaysAPlainForbiddenError) {
  auto fake = std::make_shared<lt::FakeTransport>();
  fake->on("POST", "/repositories/repo/branches/main/commits").always(lt::Reply::error(403, "read-only repository"));
  const auto client = lt::make_client(fake);
  try {
    (void)client.repository("repo").branch("main").commit("refused");
    ADD_FAILURE() << "no error";
  } catch (const lakefs::ForbiddenError& e) {
    EXPECT_EQ(typeid(e), typeid(lakefs::ForbiddenError)) << typeid(e).name();
  }
}

}  // namespace
