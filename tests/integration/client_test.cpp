// SPDX-License-Identifier: Apache-2.0
// The first slice through every layer: Client -> generated API -> transport
// -> the real lakeFS server.
#include "lakefs/client.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "lakefs/errors.hpp"
#include "support/server.hpp"

namespace {

// A loopback port where nothing listens: bound, never listened on, released.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(Client, ServerVersionIsThePinnedRelease) { EXPECT_EQ(lakefs::test::client().server_version(), "1.84.0"); }

TEST(Client, EndpointFormsAllWork) {
  for (const std::string suffix : {"", "/", "/api/v1", "/api/v1/"}) {
    auto options = lakefs::test::client_options();
    options.endpoint += suffix;
    EXPECT_EQ(lakefs::Client(options).server_version(), "1.84.0") << "endpoint suffix '" << suffix << "'";
  }
}

TEST(Client, WrongSecretIsUnauthorized) {
  auto options = lakefs::test::client_options();
  options.secret_access_key = "definitely-not-the-secret";
  lakefs::Client client(options);
  try {
    (void)client.server_version();
    FAIL() << "expected UnauthorizedError";
  } catch (const lakefs::UnauthorizedError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_FALSE(e.server_message().empty());
    EXPECT_FALSE(e.request_id().empty());
    EXPECT_EQ(e.method(), "GET");
    EXPECT_EQ(e.path(), "/config");
    EXPECT_EQ(std::string(e.what()).find("definitely-not-the-secret"), std::string::npos);
  }
}

TEST(Client, NothingListeningIsATransportErrorNamingTheEndpoint) {
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  auto options = lakefs::test::client_options();
  options.endpoint = endpoint;
  lakefs::Client client(options);
  try {
    (void)client.server_version();
    FAIL() << "expected ConnectionError";
  } catch (const lakefs::ConnectionError& e) {
    EXPECT_EQ(e.endpoint(), endpoint);
    const std::string what = e.what();
    EXPECT_NE(what.find(endpoint), std::string::npos) << what;
    EXPECT_EQ(what.find(options.secret_access_key), std::string::npos) << what;
    EXPECT_EQ(what.find(options.access_key_id), std::string::npos) << what;
  }
}

TEST(Client, MalformedEndpointRejectedBeforeAnyRequest) {
  auto options = lakefs::test::client_options();
  options.endpoint = "127.0.0.1:8000";  // no scheme
  EXPECT_THROW(lakefs::Client{options}, lakefs::ConfigurationError);
}

TEST(Client, MissingCredentialsIsNoAuthenticationFound) {
  EXPECT_THROW(lakefs::Client({.endpoint = lakefs::test::server().endpoint, .explicit_only = true}),
               lakefs::NoAuthenticationFoundError);
}

TEST(Client, CopiesShareOneConnectionPool) {
  const auto a = lakefs::test::client();
  const lakefs::Client b = a;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(&a.api(), &b.api());
  EXPECT_EQ(b.server_version(), "1.84.0");
}

}  // namespace
