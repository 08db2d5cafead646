// SPDX-License-Identifier: Apache-2.0
// A user's unit test built against the installed lakefs::testing: a client over
// FakeTransport reads a repository's properties, and the request is checked.
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <lakefs/testing/fake_transport.hpp>
#include <memory>

int main() {
  auto fake = std::make_shared<lakefs::testing::FakeTransport>();
  fake->on("GET", "/repositories/repo")
      .reply(lakefs::testing::Reply::json(
          200, R"({"id":"repo","creation_date":1,"default_branch":"main","storage_namespace":"local://repo"})"));
  const lakefs::Client client = lakefs::testing::make_client(fake);
  const auto properties = client.repository("repo").properties();
  const bool ok = properties.default_branch == "main" && fake->count("GET", "/repositories/repo") == 1 &&
                  fake->last().authorization.scheme == lakefs::http::Authorization::Scheme::basic;
  std::cout << "lakefs::testing: " << fake->last() << (ok ? "" : " UNEXPECTED") << "\n";
  return ok ? 0 : 1;
}
