// SPDX-License-Identifier: Apache-2.0
// The transport's TLS and proxy options through a real Client and libcurl:
// verification is on by default (a self-signed server is a TlsError), off
// with verify_tls = false, and a CA file or a hashed CA directory makes the
// same server trusted; a server that requires a client certificate (mutual
// TLS) accepts one its CA signed and refuses none or another CA's; a proxy (set
// in the options, or named by the environment when the client is made)
// receives the request in absolute form, and a host in no_proxy is reached
// directly. The TLS
// server is `openssl s_server` on 127.0.0.1 with a certificate made for the
// test; it is stopped by the fixture, also when a test fails.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <typeinfo>

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/http.hpp"
#include "unit/transport/tiny_server.hpp"

namespace {

namespace fs = std::filesystem;
namespace http = lakefs::http;
using ::testing::HasSubstr;

int run(const std::string& command) { return std::system((command + " >/dev/null 2>&1").c_str()); }

// A self-signed certificate for 127.0.0.1 and `openssl s_server -www` serving with it. With
// `require_client_cert`, s_server refuses a client without a certificate signed by client-ca.pem; the test also
// gets a client certificate signed by that CA and one signed by another CA.
class TlsServer {
 public:
  explicit TlsServer(bool require_client_cert = false) {
    dir_ = fs::temp_directory_path() / ("lakefs-tls-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "ca");
    if (run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
            " -keyout " +
            (dir_ / "key.pem").string() + " -out " + cert().string()) != 0) {
      throw std::runtime_error("openssl req failed");
    }
    fs::copy_file(cert(), dir_ / "ca" / "test-ca.pem");
    if (run("openssl rehash " + (dir_ / "ca").string()) != 0) throw std::runtime_error("openssl rehash failed");
    if (require_client_cert) {
      make_client_certificate("client-ca", "client");
      make_client_certificate("other-ca", "other-client");
    }
    // A free port: the kernel picks one, which is released for s_server (a test-only race, retried below).
    const int probe = lakefs::test::listen_on_loopback(1, port_);
    ::close(probe);
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string accept = "127.0.0.1:" + std::to_string(port_);
      const std::string cert_path = cert().string();
      const std::string key_path = (dir_ / "key.pem").string();
      const std::string client_ca = file("client-ca.pem").string();
      if (require_client_cert) {
        // -Verify: a client certificate is required; -verify_return_error: one -CAfile did not sign is refused.
        ::execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
                 cert_path.c_str(), "-key", key_path.c_str(), "-Verify", "1", "-verify_return_error", "-CAfile",
                 client_ca.c_str(), static_cast<char*>(nullptr));
      } else {
        ::execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert",
                 cert_path.c_str(), "-key", key_path.c_str(), static_cast<char*>(nullptr));
      }
      ::_exit(127);
    }
    // Ready once it accepts connections.
    for (int i = 0; i < 100; ++i) {
      const int s = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port_);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      ::close(s);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    stop();
    throw std::runtime_error("openssl s_server did not start");
  }
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;
  ~TlsServer() { stop(); }

  [[nodiscard]] std::string endpoint() const { return "https://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] fs::path cert() const { return dir_ / "cert.pem"; }
  [[nodiscard]] fs::path ca_dir() const { return dir_ / "ca"; }
  /// A file the server made: client.pem / client-key.pem (signed by the CA it trusts), other-client.pem /
  /// other-client-key.pem (signed by another CA).
  [[nodiscard]] fs::path file(const std::string& name) const { return dir_ / name; }

 private:
  // A CA `ca` (ca.pem, ca-key.pem) and a client certificate `name` (name.pem, name-key.pem) it signed.
  void make_client_certificate(const std::string& ca, const std::string& name) {
    const auto path = [&](const std::string& base) { return file(base).string(); };
    if (run("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + ca + " -keyout " + path(ca + "-key.pem") +
            " -out " + path(ca + ".pem")) != 0 ||
        run("openssl req -newkey rsa:2048 -nodes -subj /CN=lakefs-test-" + name + " -keyout " +
            path(name + "-key.pem") + " -out " + path(name + ".csr")) != 0 ||
        run("openssl x509 -req -days 1 -in " + path(name + ".csr") + " -CA " + path(ca + ".pem") + " -CAkey " +
            path(ca + "-key.pem") + " -CAcreateserial -out " + path(name + ".pem")) != 0) {
      throw std::runtime_error("openssl could not make the client certificate " + name);
    }
  }

  void stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  fs::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

lakefs::ClientOptions options(const std::string& endpoint) {
  lakefs::ClientOptions o;
  o.endpoint = endpoint;
  o.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  o.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  o.explicit_only = true;
  o.retry = lakefs::RetryOptions{.max_retries = 0};
  return o;
}

TEST(Tls, VerificationIsOnByDefaultAndACaFileOrDirectoryTrustsTheServer) {
  TlsServer server;
  // Self-signed: refused before any request is sent.
  EXPECT_THROW((void)lakefs::Client(options(server.endpoint())).server_version(), lakefs::TlsError);

  // Trusted by a CA file, by a hashed CA directory, or not checked at all: the connection is made and the answer
  // (s_server's HTML status page, not lakeFS's JSON) comes back, which the SDK cannot read.
  auto with_file = options(server.endpoint());
  with_file.ca_file = server.cert().string();
  EXPECT_THROW((void)lakefs::Client(with_file).server_version(), lakefs::ProtocolError);
  auto with_dir = options(server.endpoint());
  with_dir.ca_path = server.ca_dir().string();
  EXPECT_THROW((void)lakefs::Client(with_dir).server_version(), lakefs::ProtocolError);
  auto unchecked = options(server.endpoint());
  unchecked.verify_tls = false;
  EXPECT_THROW((void)lakefs::Client(unchecked).server_version(), lakefs::ProtocolError);
}

TEST(Tls, AServerRequiringAClientCertificateAcceptsOneItsCaSignedAndRefusesOthers) {
  TlsServer server(/*require_client_cert=*/true);
  auto trusted = options(server.endpoint());
  trusted.ca_file = server.cert().string();
  http::Request request;
  request.path = "/status";

  // The right certificate and key: the handshake completes and s_server's status page names the certificate.
  auto with_cert = trusted;
  with_cert.client_cert_file = server.file("client.pem").string();
  with_cert.client_key_file = server.file("client-key.pem").string();
  const http::Response answer = lakefs::Client(with_cert).send(request);
  EXPECT_EQ(answer.status, 200);
  EXPECT_THAT(answer.body, HasSubstr("Subject: CN=lakefs-test-client"));

  // The key in the certificate's file, as libcurl reads it when no key file is given.
  {
    std::ofstream both(server.file("client-both.pem"));
    both << std::ifstream(server.file("client.pem")).rdbuf() << std::ifstream(server.file("client-key.pem")).rdbuf();
  }
  auto one_file = trusted;
  one_file.client_cert_file = server.file("client-both.pem").string();
  EXPECT_EQ(lakefs::Client(one_file).send(request).status, 200);

  // No certificate, or one another CA signed: with TLS 1.3 the client's side of the handshake is complete when
  // the server refuses it, so the refusal is a TLS alert read in place of the answer, which libcurl reports as a
  // read error: a TransportError (neither a TlsError nor a ConnectionError) whose message names the alert.
  auto other = trusted;
  other.client_cert_file = server.file("other-client.pem").string();
  other.client_key_file = server.file("other-client-key.pem").string();
  for (const auto* refused : {&trusted, &other}) {
    try {
      (void)lakefs::Client(*refused).send(request);
      ADD_FAILURE() << "the server accepted " << refused->client_cert_file;
    } catch (const lakefs::TransportError& e) {
      EXPECT_EQ(typeid(e), typeid(lakefs::TransportError)) << e.what();
      EXPECT_THAT(e.what(), HasSubstr("alert")) << refused->client_cert_file;
    }
  }
}

TEST(Tls, AMissingClientCertificateOrKeyFileIsAConfigurationErrorNamingTheOption) {
  const auto missing = (fs::temp_directory_path() / "lakefs-no-such-client-cert.pem").string();
  const auto expect_error = [](const lakefs::ClientOptions& o, const std::string& option) {
    try {
      (void)lakefs::Client(o);
      ADD_FAILURE() << "no error for " << option;
    } catch (const lakefs::ConfigurationError& e) {
      EXPECT_THAT(e.what(), HasSubstr(option));
    }
  };
  auto cert = options("https://127.0.0.1:1");
  cert.client_cert_file = missing;
  expect_error(cert, "client_cert_file " + missing + ": cannot access it");
  auto directory = options("https://127.0.0.1:1");
  directory.client_cert_file = fs::temp_directory_path().string();
  expect_error(directory, "client_cert_file " + fs::temp_directory_path().string() + ": is not a regular file");
  // A key without its certificate, and a certificate with a missing key.
  auto key_only = options("https://127.0.0.1:1");
  key_only.client_key_file = missing;
  expect_error(key_only, "client_key_file is set but client_cert_file is not");
  const auto present = (fs::temp_directory_path() / ("lakefs-client-cert-" + std::to_string(::getpid()))).string();
  std::ofstream(present) << "not read until a server asks\n";
  auto key = options("https://127.0.0.1:1");
  key.client_cert_file = present;
  key.client_key_file = missing;
  expect_error(key, "client_key_file " + missing + ": cannot access it");
  fs::remove(present);
}

TEST(Proxy, RequestsGoThroughTheProxyInAbsoluteForm) {
  const std::string body = R"({"version_config":{"version":"9.9.9"}})";
  lakefs::test::TinyServer proxy([&](const lakefs::test::Received&) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  });
  // The endpoint's host is never resolved by the client: the proxy gets the whole URL.
  auto o = options("http://lakefs.invalid:8000");
  o.proxy = "http://127.0.0.1:" + std::to_string(proxy.port());
  EXPECT_EQ(lakefs::Client(o).server_version(), "9.9.9");
  const auto seen = proxy.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "GET");
  EXPECT_EQ(seen[0].target, "http://lakefs.invalid:8000/api/v1/config");
}

// Sets (or, with nullptr, unsets) an environment variable for the scope, then restores it.
class ScopedEnvironment {
 public:
  ScopedEnvironment(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    set(value);
  }
  ~ScopedEnvironment() { set(old_ ? old_->c_str() : nullptr); }
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  void set(const char* value) {
    if (value != nullptr) {
      ::setenv(name_, value, 1);
    } else {
      ::unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Proxy, TheEnvironmentsProxyAndNoProxyAreReadWhenTheClientIsMade) {
  const std::string body = R"({"version_config":{"version":"9.9.9"}})";
  const auto answer = [&](const lakefs::test::Received&) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\n\r\n" + body;
  };
  lakefs::test::TinyServer server(answer);
  lakefs::test::TinyServer proxy(answer);
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  const ScopedEnvironment no_lower("no_proxy", nullptr);
  const ScopedEnvironment no_upper("NO_PROXY", nullptr);
  const ScopedEnvironment all_lower("all_proxy", nullptr);
  const ScopedEnvironment all_upper("ALL_PROXY", nullptr);
  {
    const ScopedEnvironment http_proxy("http_proxy", proxy_url.c_str());
    lakefs::Client through_proxy(options(endpoint));
    // Unset after the client was made: it keeps the proxy it read.
    const ScopedEnvironment unset("http_proxy", nullptr);
    EXPECT_EQ(through_proxy.server_version(), "9.9.9");
    const auto seen = proxy.requests();
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].target, endpoint + "/api/v1/config");
    EXPECT_TRUE(server.requests().empty());
  }
  {
    // no_proxy names the server's host: straight to it, with the proxy named by the environment or the options.
    const ScopedEnvironment http_proxy("http_proxy", proxy_url.c_str());
    const ScopedEnvironment no_proxy("no_proxy", "127.0.0.1");
    EXPECT_EQ(lakefs::Client(options(endpoint)).server_version(), "9.9.9");
    auto with_option = options(endpoint);
    with_option.proxy = proxy_url;
    EXPECT_EQ(lakefs::Client(with_option).server_version(), "9.9.9");
    const auto seen = server.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].target, "/api/v1/config");
    EXPECT_EQ(seen[1].target, "/api/v1/config");
    EXPECT_EQ(proxy.requests().size(), 1u);  // only the first block's request
  }
  {
    // HTTP_PROXY (upper case) is not used for http:// URLs, as in libcurl.
    const ScopedEnvironment upper("HTTP_PROXY", proxy_url.c_str());
    EXPECT_EQ(lakefs::Client(options(endpoint)).server_version(), "9.9.9");
    EXPECT_EQ(server.requests().size(), 3u);
    EXPECT_EQ(proxy.requests().size(), 1u);
  }
}

}  // namespace
