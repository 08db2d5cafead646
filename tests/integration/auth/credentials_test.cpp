// SPDX-License-Identifier: Apache-2.0
// Credentials providers against the real lakeFS server: login (the key pair
// goes only to /auth/login, every other request carries the issued Bearer
// token, renewed before it expires), one renewal after a 401, a wrong key
// pair, replacing a live client's provider, ClientOptions::login. Every test
// also checks that no credential (key id, secret, any token the server issued)
// shows in a log line at debug level or in an exception's what().
//
// Assertions compare secrets as booleans, so a failure never prints one.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "lakefs/http.hpp"
#include "lakefs/lakefs.hpp"
#include "lakefs/transport.hpp"
#include "support/helpers.hpp"
#include "support/hooked_transport.hpp"
#include "support/own_server.hpp"
#include "support/server.hpp"

namespace lakefs::test {
namespace {

using namespace std::chrono_literals;

// Every credential a test used or was given, to look for in logs and messages.
class Secrets {
 public:
  void add(const std::string& value) {
    if (value.empty()) return;
    std::lock_guard lock(mutex_);
    values_.insert(value);
  }
  void add_key_pair(const std::string& id, const std::string& secret) {
    add(id);
    add(secret);
    add(base64(id + ":" + secret));  // the Basic form
  }
  /// Fails the test when `text` holds a secret; names where, never the secret.
  void expect_absent(const std::string& text, const std::string& where) const {
    std::lock_guard lock(mutex_);
    int index = 0;
    for (const auto& value : values_) {
      EXPECT_EQ(text.find(value), std::string::npos) << where << " holds secret #" << index;
      ++index;
    }
  }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return values_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> values_;
};

// Collects a client's log lines at debug level; shared state, so it may outlive the test's scope safely.
class LogRecorder {
 public:
  [[nodiscard]] LoggingOptions options() const {
    return {.level = LogLevel::debug, .handler = [state = state_](LogLevel, std::string_view line) {
              std::lock_guard lock(state->mutex);
              state->lines.emplace_back(line);
            }};
  }
  [[nodiscard]] std::vector<std::string> lines() const {
    std::lock_guard lock(state_->mutex);
    return state_->lines;
  }
  [[nodiscard]] std::size_t count(std::string_view needle) const {
    std::size_t n = 0;
    for (const auto& line : lines()) n += line.find(needle) != std::string::npos ? 1 : 0;
    return n;
  }
  void expect_no_secret(const Secrets& secrets) const {
    const auto all = lines();
    for (std::size_t i = 0; i < all.size(); ++i) secrets.expect_absent(all[i], "log line " + std::to_string(i));
  }
  /// The lines, for a failure message: only ever called when the test's secrets are known absent from them.
  [[nodiscard]] std::string dump() const {
    std::string out;
    for (const auto& line : lines()) out += "  " + line + "\n";
    return out;
  }

 private:
  struct State {
    std::mutex mutex;
    std::vector<std::string> lines;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

// Wraps a provider: counts fetch() calls and adds every credential it hands out to `secrets`.
class CountingProvider final : public CredentialsProvider {
 public:
  CountingProvider(std::shared_ptr<CredentialsProvider> inner, std::shared_ptr<Secrets> secrets)
      : inner_(std::move(inner)), secrets_(std::move(secrets)) {}
  Credentials fetch(CredentialsContext& context, bool rejected) override {
    ++fetches_;
    if (rejected) ++rejected_;
    Credentials credentials = inner_->fetch(context, rejected);
    secrets_->add(credentials.session_token);
    if (!credentials.access_key_id.empty()) {
      secrets_->add_key_pair(credentials.access_key_id, credentials.secret_access_key);
    }
    std::lock_guard lock(mutex_);
    issued_.push_back(credentials);
    return credentials;
  }
  std::string describe() const override { return inner_->describe(); }

  [[nodiscard]] int fetches() const { return fetches_; }
  [[nodiscard]] int rejected() const { return rejected_; }
  [[nodiscard]] std::vector<Credentials> issued() const {
    std::lock_guard lock(mutex_);
    return issued_;
  }

 private:
  std::shared_ptr<CredentialsProvider> inner_;
  std::shared_ptr<Secrets> secrets_;
  std::atomic<int> fetches_{0};
  std::atomic<int> rejected_{0};
  mutable std::mutex mutex_;
  std::vector<Credentials> issued_;
};

// First a token the server never issued, then a real login: the client must renew once on the 401.
class BogusThenLogin final : public CredentialsProvider {
 public:
  BogusThenLogin(std::string id, std::string secret) : id_(std::move(id)), secret_(std::move(secret)) {}
  Credentials fetch(CredentialsContext& context, bool rejected) override {
    const int call = ++fetches_;
    std::lock_guard lock(mutex_);
    rejected_flags_.push_back(rejected);
    if (call == 1) return Credentials{.session_token = bogus_token()};
    return context.login(id_, secret_);
  }
  std::string describe() const override { return "bogus token, then login"; }

  [[nodiscard]] static std::string bogus_token() { return "not-a-token-the-server-issued-0123456789"; }
  [[nodiscard]] int fetches() const { return fetches_; }
  [[nodiscard]] std::vector<bool> rejected_flags() const {
    std::lock_guard lock(mutex_);
    return rejected_flags_;
  }

 private:
  std::string id_;
  std::string secret_;
  std::atomic<int> fetches_{0};
  mutable std::mutex mutex_;
  std::vector<bool> rejected_flags_;
};

// Sets environment variables for one scope and restores the previous values.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::optional<std::string>>& values) {
    for (const auto& [name, value] : values) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old != nullptr ? std::optional<std::string>(old) : std::nullopt;
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Options for a client of the shared test server with only `provider` as credentials.
ClientOptions provider_options(std::shared_ptr<CredentialsProvider> provider, const LogRecorder& log) {
  ClientOptions options{.endpoint = server().endpoint, .explicit_only = true};
  options.credentials = std::move(provider);
  options.log = log.options();
  return options;
}

std::shared_ptr<Secrets> server_secrets(const std::string& id, const std::string& secret) {
  auto secrets = std::make_shared<Secrets>();
  secrets->add_key_pair(id, secret);
  return secrets;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(Credentials, LoginSendsBearerTokensAndTheKeyPairOnlyToLogin) {
  const auto& s = server();
  const auto secrets = server_secrets(s.access_key_id, s.secret_access_key);
  LogRecorder log;
  const auto provider =
      std::make_shared<CountingProvider>(login_credentials(s.access_key_id, s.secret_access_key), secrets);
  const auto transport = std::make_shared<HookedTransport>();
  auto options = provider_options(provider, log);
  options.transport = transport;
  const Client client(options);

  const auto name = unique_name();
  try {
    auto repo = Repository(name, client).create({.storage_namespace = "local://" + name});
    auto main = repo.branch("main");
    main.object("data/a.txt").upload("hello");
    (void)main.commit("first");
    EXPECT_EQ(main.object("data/a.txt").read_all(), "hello");
    EXPECT_EQ(paths_at(main), std::set<std::string>{"data/a.txt"});
    bool listed = false;
    for (const auto& r : repositories({}, client)) listed = listed || r.id() == name;
    EXPECT_TRUE(listed);
    repo.remove();
  } catch (const Error& e) {
    secrets->expect_absent(e.what(), "the exception");
    try {
      Repository(name, client).remove();
    } catch (const Error&) {
      // not created, or already removed
    }
    throw;
  }

  // One login (the token lasts a week), before anything else; no 401 anywhere.
  EXPECT_EQ(provider->fetches(), 1);
  EXPECT_EQ(provider->rejected(), 0);
  const auto issued = provider->issued();
  ASSERT_EQ(issued.size(), 1U);
  const std::string token = issued[0].session_token;
  ASSERT_FALSE(token.empty());
  EXPECT_TRUE(issued[0].access_key_id.empty() && issued[0].secret_access_key.empty());
  ASSERT_TRUE(issued[0].expires_at.has_value());
  EXPECT_GT(*issued[0].expires_at, std::chrono::system_clock::now() + 24h);

  const auto sent = transport->attempts();
  ASSERT_GE(sent.size(), 6U);
  // The key pair travels once, anonymously, in the body of POST /auth/login ...
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].path, "/auth/login");
  EXPECT_TRUE(sent[0].anonymous);
  EXPECT_EQ(sent[0].authorization.scheme, http::Authorization::Scheme::none);
  EXPECT_TRUE(contains(sent[0].body, s.access_key_id) && contains(sent[0].body, s.secret_access_key));
  // ... and every later request carries the issued token as Bearer, and nothing of the key pair.
  for (std::size_t i = 1; i < sent.size(); ++i) {
    const auto& r = sent[i];
    const std::string where = "request " + std::to_string(i) + " (" + r.method + " " + r.path + ")";
    EXPECT_NE(r.path, "/auth/login") << where;
    EXPECT_FALSE(r.anonymous) << where;
    if (r.pre_signed) {
      EXPECT_EQ(r.authorization.scheme, http::Authorization::Scheme::none) << where;
    } else {
      EXPECT_EQ(r.authorization.scheme, http::Authorization::Scheme::bearer) << where;
      EXPECT_TRUE(r.authorization.secret == token) << where << ": not the issued token";
      EXPECT_TRUE(r.authorization.user.empty()) << where;
    }
    std::string everything = r.path + "?" + r.query + "\n" + r.body + "\n" + r.authorization.user;
    for (const auto& [header, value] : r.headers) everything += "\n" + header + ": " + value;
    EXPECT_FALSE(contains(everything, s.access_key_id)) << where << " holds the access key id";
    EXPECT_FALSE(contains(everything, s.secret_access_key)) << where << " holds the secret";
  }

  // The log agrees: /auth/login is the only request before the token is first used.
  log.expect_no_secret(*secrets);
  const auto lines = log.lines();
  ASSERT_GE(lines.size(), 3U);
  EXPECT_TRUE(lines[0].starts_with("POST /auth/login 200 ")) << log.dump();
  EXPECT_TRUE(lines[1].starts_with("obtained credentials from login with key pair ")) << log.dump();
  EXPECT_TRUE(lines[2].starts_with("POST /repositories ")) << log.dump();
  EXPECT_EQ(log.count("/auth/login"), 1U) << log.dump();
  EXPECT_EQ(log.count(" 401 "), 0U) << log.dump();
}

TEST(Credentials, LoginRenewsTheTokenBeforeItExpires) {
  // lakeFS v1.84.0 reads the lifetime of the tokens /auth/login issues from auth.login_duration
  // (pkg/config/config.go, BaseAuth.LoginDuration; default 7 days in pkg/config/defaults.go).
  constexpr auto lifetime = 3s;
  const OwnServer own(std::map<std::string, std::string>{{"LAKEFS_AUTH_LOGIN_DURATION", "3s"}});
  const auto base = own.client_options();
  const auto secrets = server_secrets(base.access_key_id, base.secret_access_key);
  LogRecorder log;
  const auto provider =
      std::make_shared<CountingProvider>(login_credentials(base.access_key_id, base.secret_access_key), secrets);
  const Client client(ClientOptions{.endpoint = base.endpoint,
                                    .retry = RetryOptions{.max_retries = 0},  // a failure shows, not a retry
                                    .log = log.options(),
                                    .credentials = provider,
                                    .explicit_only = true});

  // Use the client for more than two token lifetimes, a request every 100 ms.
  const auto start = std::chrono::steady_clock::now();
  int requests = 0;
  try {
    while (std::chrono::steady_clock::now() - start < 2 * lifetime + 1s) {
      EXPECT_EQ(client.server_version(), "1.84.0");
      ++requests;
      std::this_thread::sleep_for(100ms);
    }
  } catch (const Error& e) {
    secrets->expect_absent(e.what(), "the exception");
    ADD_FAILURE() << "request " << requests << " failed: " << e.what();
  }

  // The server issued short-lived tokens ...
  const auto issued = provider->issued();
  ASSERT_FALSE(issued.empty());
  ASSERT_TRUE(issued[0].expires_at.has_value());
  EXPECT_LE(*issued[0].expires_at, std::chrono::system_clock::now()) << "the first token has not expired yet";
  // ... the client renewed them ahead of their expiry (no request was ever answered 401) ...
  EXPECT_GE(provider->fetches(), 3) << log.dump();
  EXPECT_EQ(provider->rejected(), 0) << log.dump();
  EXPECT_EQ(log.count("renewed expired credentials from login"), static_cast<std::size_t>(provider->fetches() - 1))
      << log.dump();
  EXPECT_EQ(log.count("renewed rejected"), 0U) << log.dump();
  EXPECT_EQ(log.count(" 401 "), 0U) << log.dump();
  EXPECT_EQ(log.count("GET /config 200 "), static_cast<std::size_t>(requests)) << log.dump();
  std::set<std::string> distinct;
  for (const auto& c : issued) distinct.insert(c.session_token);
  EXPECT_EQ(distinct.size(), issued.size()) << "a renewal returned an old token";
  log.expect_no_secret(*secrets);

  // ... and that mattered: the first token, used without renewal, is refused now.
  const Client stale(ClientOptions{.endpoint = base.endpoint,
                                   .session_token = issued[0].session_token,
                                   .retry = RetryOptions{.max_retries = 0},
                                   .log = log.options(),
                                   .explicit_only = true});
  try {
    (void)stale.server_version();
    ADD_FAILURE() << "an expired token was accepted";
  } catch (const UnauthorizedError& e) {
    secrets->expect_absent(e.what(), "the stale token's exception");
  }
  log.expect_no_secret(*secrets);
}

TEST(Credentials, A401RenewsOnceAndTheRequestSucceeds) {
  const auto& s = server();
  const auto secrets = server_secrets(s.access_key_id, s.secret_access_key);
  secrets->add(BogusThenLogin::bogus_token());
  LogRecorder log;
  const auto inner = std::make_shared<BogusThenLogin>(s.access_key_id, s.secret_access_key);
  const auto provider = std::make_shared<CountingProvider>(inner, secrets);
  const auto transport = std::make_shared<HookedTransport>();
  auto options = provider_options(provider, log);
  options.transport = transport;
  options.retry = RetryOptions{.max_retries = 0};  // the renewal is not a retry of the policy
  const Client client(options);

  EXPECT_EQ(client.server_version(), "1.84.0");
  EXPECT_EQ(inner->fetches(), 2);
  EXPECT_EQ(inner->rejected_flags(), (std::vector<bool>{false, true}));
  // The bogus token went once, got 401; the login, then the same request with the new token.
  const auto sent = transport->attempts();
  ASSERT_EQ(sent.size(), 3U);
  EXPECT_EQ(sent[0].path, "/config");
  EXPECT_TRUE(sent[0].authorization.secret == BogusThenLogin::bogus_token());
  EXPECT_EQ(sent[1].path, "/auth/login");
  EXPECT_TRUE(sent[1].anonymous);
  EXPECT_EQ(sent[2].path, "/config");
  EXPECT_EQ(sent[2].authorization.scheme, http::Authorization::Scheme::bearer);
  EXPECT_TRUE(sent[2].authorization.secret == provider->issued().back().session_token);
  EXPECT_EQ(log.count("GET /config 401 "), 1U) << log.dump();
  EXPECT_EQ(log.count("HTTP 401, retrying with renewed credentials"), 1U) << log.dump();
  EXPECT_EQ(log.count("renewed rejected credentials from bogus token, then login"), 1U) << log.dump();

  // The renewed token is kept: later requests ask the provider for nothing.
  EXPECT_EQ(client.server_version(), "1.84.0");
  EXPECT_EQ(inner->fetches(), 2);
  EXPECT_EQ(transport->attempts().size(), 4U);
  log.expect_no_secret(*secrets);
}

TEST(Credentials, AWrongKeyPairIsUnauthorizedAfterOneAttempt) {
  const std::string wrong_id = "AKIAWRONGKEY" + unique_name("k").substr(2);
  const std::string wrong_secret = "wrong-secret-" + unique_name("s");
  const auto secrets = server_secrets(wrong_id, wrong_secret);
  LogRecorder log;
  const auto provider = std::make_shared<CountingProvider>(static_credentials(wrong_id, wrong_secret), secrets);
  const auto transport = std::make_shared<HookedTransport>();
  auto options = provider_options(provider, log);
  options.transport = transport;
  const Client client(options);

  try {
    (void)client.server_version();
    ADD_FAILURE() << "a wrong key pair was accepted";
  } catch (const UnauthorizedError& e) {
    EXPECT_EQ(e.status(), 401);
    EXPECT_EQ(e.path(), "/config");
    secrets->expect_absent(e.what(), "what()");
    secrets->expect_absent(e.server_message(), "server_message()");
  }
  // One attempt: asked again after the 401, the static provider had nothing new, so nothing was re-sent.
  EXPECT_EQ(transport->attempts().size(), 1U);
  EXPECT_EQ(provider->fetches(), 2);
  EXPECT_EQ(provider->rejected(), 1);
  EXPECT_EQ(log.count("retrying with renewed credentials"), 0U) << log.dump();

  // A wrong pair given to login fails at /auth/login, and nothing else is sent.
  LogRecorder login_log;
  const auto login_transport = std::make_shared<HookedTransport>();
  auto login_options = provider_options(login_credentials(wrong_id, wrong_secret), login_log);
  login_options.transport = login_transport;
  const Client login_client(login_options);
  try {
    (void)login_client.server_version();
    ADD_FAILURE() << "a wrong key pair logged in";
  } catch (const UnauthorizedError& e) {
    EXPECT_EQ(e.path(), "/auth/login");
    secrets->expect_absent(e.what(), "the login's what()");
  }
  const auto sent = login_transport->attempts();
  ASSERT_EQ(sent.size(), 1U);
  EXPECT_EQ(sent[0].path, "/auth/login");
  log.expect_no_secret(*secrets);
  login_log.expect_no_secret(*secrets);
}

TEST(Credentials, SetCredentialsSwitchesALiveClientAndItsCopies) {
  const auto& s = server();
  const auto secrets = server_secrets(s.access_key_id, s.secret_access_key);
  const std::string wrong_secret = "wrong-secret-" + unique_name("s");
  secrets->add(wrong_secret);
  LogRecorder log;
  auto wrong = [&] {
    return std::make_shared<CountingProvider>(static_credentials(s.access_key_id, wrong_secret), secrets);
  };
  const Client client(provider_options(wrong(), log));
  const Client copy = client;  // shares the connection, and so the provider

  auto expect_unauthorized = [&](const Client& c, const char* which) {
    try {
      (void)c.server_version();
      ADD_FAILURE() << which << ": a wrong secret was accepted";
    } catch (const UnauthorizedError& e) {
      secrets->expect_absent(e.what(), std::string(which) + "'s exception");
    }
  };
  expect_unauthorized(copy, "copy");

  const auto right =
      std::make_shared<CountingProvider>(login_credentials(s.access_key_id, s.secret_access_key), secrets);
  client.set_credentials(right);
  EXPECT_EQ(copy.server_version(), "1.84.0");
  EXPECT_EQ(client.server_version(), "1.84.0");
  EXPECT_EQ(Client(copy).server_version(), "1.84.0");
  EXPECT_EQ(right->fetches(), 1);  // one login serves every copy

  copy.set_credentials(wrong());
  expect_unauthorized(client, "client");
  expect_unauthorized(copy, "copy");

  EXPECT_THROW(client.set_credentials(nullptr), InvalidArgumentError);
  log.expect_no_secret(*secrets);
}

TEST(Credentials, ALogLineNeverNamesTheKeyIdEvenInAPath) {
  const auto& s = server();
  const auto secrets = server_secrets(s.access_key_id, s.secret_access_key);
  LogRecorder log;
  auto options = client_options();
  options.log = log.options();
  const Client client(options);
  // The API names a key by its id in the path: neither the request line nor an error may show it.
  const auto response = client.send({.path = "/auth/users/quickstart/credentials/" + s.access_key_id});
  EXPECT_EQ(response.status, 200);
  try {
    (void)client.send({.method = "DELETE", .path = "/auth/users/quickstart/credentials/" + s.access_key_id + "X"});
    ADD_FAILURE() << "deleting a key that does not exist succeeded";
  } catch (const ServerError& e) {
    secrets->expect_absent(e.what(), "the exception");
    secrets->expect_absent(e.path(), "the exception's path()");
    EXPECT_EQ(e.path(), "/auth/users/quickstart/credentials/[REDACTED]X");
  }
  log.expect_no_secret(*secrets);
  EXPECT_EQ(log.count("GET /auth/users/quickstart/credentials/[REDACTED] 200 "), 1U) << log.dump();
  EXPECT_EQ(log.count("DELETE /auth/users/quickstart/credentials/[REDACTED]X "), 1U) << log.dump();
}

// The resolved configuration names the credentials but never holds a secret.
void expect_config_without_secret(const ResolvedConfig& config, const Secrets& secrets_but_key_id) {
  for (const std::string* field : {&config.transport.endpoint, &config.transport.ca_file, &config.transport.ca_path,
                                   &config.transport.proxy, &config.transport.user_agent_suffix, &config.access_key_id,
                                   &config.credentials_kind, &config.endpoint_source, &config.credentials_source}) {
    secrets_but_key_id.expect_absent(*field, "a ResolvedConfig field");
  }
}

TEST(Credentials, LoginOptionExchangesTheDiscoveredKeyPair) {
  const auto& s = server();
  const auto secrets = server_secrets(s.access_key_id, s.secret_access_key);
  Secrets secret_only;  // access_key_id is shown on purpose
  secret_only.add(s.secret_access_key);
  secret_only.add(base64(s.access_key_id + ":" + s.secret_access_key));

  // From explicit options.
  {
    LogRecorder log;
    auto options = client_options();
    options.login = true;
    options.log = log.options();
    const Client client(options);
    EXPECT_EQ(client.server_version(), "1.84.0");
    EXPECT_EQ(client.config().credentials_kind, "login");
    EXPECT_EQ(client.config().credentials_source, "explicit options");
    EXPECT_EQ(client.config().access_key_id, s.access_key_id);
    expect_config_without_secret(client.config(), secret_only);
    const auto lines = log.lines();
    ASSERT_GE(lines.size(), 3U);
    EXPECT_TRUE(lines[0].starts_with("POST /auth/login 200 ")) << log.dump();
    EXPECT_TRUE(lines[1].starts_with("obtained credentials from login with key pair ")) << log.dump();
    EXPECT_TRUE(lines[2].starts_with("GET /config 200 ")) << log.dump();
    log.expect_no_secret(*secrets);
  }

  // From the environment, as a program configured by LAKEFS_* would be.
  {
    const ScopedEnv env({{"LAKEFS_ENDPOINT", s.endpoint},
                         {"LAKEFS_ACCESS_KEY_ID", s.access_key_id},
                         {"LAKEFS_SECRET_ACCESS_KEY", s.secret_access_key}});
    LogRecorder log;
    const ClientOptions options{.log = log.options(), .login = true};
    const auto resolved = resolve_config(options);
    EXPECT_EQ(resolved.credentials_kind, "login");
    EXPECT_EQ(resolved.credentials_source, "environment (LAKEFS_*)");
    EXPECT_EQ(resolved.access_key_id, s.access_key_id);
    expect_config_without_secret(resolved, secret_only);

    const Client client(options);
    EXPECT_EQ(client.server_version(), "1.84.0");
    EXPECT_EQ(client.config().credentials_kind, "login");
    EXPECT_EQ(client.config().credentials_source, "environment (LAKEFS_*)");
    expect_config_without_secret(client.config(), secret_only);
    EXPECT_EQ(log.count("POST /auth/login 200 "), 1U) << log.dump();
    EXPECT_EQ(log.count("obtained credentials from login with key pair "), 1U) << log.dump();
    log.expect_no_secret(*secrets);
  }

  // Login needs a key pair: with a session token it is refused before any request.
  EXPECT_THROW(Client(ClientOptions{
                   .endpoint = s.endpoint, .session_token = "some-token", .login = true, .explicit_only = true}),
               ConfigurationError);
}

}  // namespace
}  // namespace lakefs::test
