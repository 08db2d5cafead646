// SPDX-License-Identifier: Apache-2.0
#include "lakefs/credentials.hpp"

#include <algorithm>
#include <mutex>
#include <utility>

#include "lakefs/errors.hpp"

namespace lakefs {
namespace {

// The key id is not secret in lakeFS (it names the key, like AWS's), but only its start is shown.
std::string shown_key(const std::string& access_key_id) {
  return access_key_id.size() <= 8 ? std::string("…") : access_key_id.substr(0, 4) + "…";
}

class StaticKeys final : public CredentialsProvider {
 public:
  StaticKeys(std::string id, std::string secret) : credentials_{.access_key_id = std::move(id),
                                                                .secret_access_key = std::move(secret)} {}
  Credentials fetch(CredentialsContext&, bool) override { return credentials_; }
  std::string describe() const override { return "key pair " + shown_key(credentials_.access_key_id); }

 private:
  Credentials credentials_;
};

class StaticToken final : public CredentialsProvider {
 public:
  explicit StaticToken(std::string token) : credentials_{.session_token = std::move(token)} {}
  Credentials fetch(CredentialsContext&, bool) override { return credentials_; }
  std::string describe() const override { return "session token"; }

 private:
  Credentials credentials_;
};

class Login final : public CredentialsProvider {
 public:
  Login(std::string id, std::string secret, LoginOptions options)
      : id_(std::move(id)), secret_(std::move(secret)), options_(options) {}

  Credentials fetch(CredentialsContext& context, bool) override {
    const auto issued = std::chrono::system_clock::now();
    Credentials token = context.login(id_, secret_);
    if (token.expires_at) {
      // Renew ahead of the expiry, by at most a tenth of the token's lifetime.
      const auto lifetime = *token.expires_at - issued;
      const auto margin = std::min<std::chrono::system_clock::duration>(options_.renew_before, lifetime / 10);
      token.expires_at = *token.expires_at - std::max(margin, std::chrono::system_clock::duration::zero());
    }
    return token;
  }
  std::string describe() const override { return "login with key pair " + shown_key(id_); }

 private:
  std::string id_;
  std::string secret_;
  LoginOptions options_;
};

}  // namespace

std::shared_ptr<CredentialsProvider> static_credentials(std::string access_key_id, std::string secret_access_key) {
  if (access_key_id.empty() || secret_access_key.empty()) {
    throw ConfigurationError("static_credentials: the access key id and the secret access key must both be set");
  }
  return std::make_shared<StaticKeys>(std::move(access_key_id), std::move(secret_access_key));
}

std::shared_ptr<CredentialsProvider> session_token_credentials(std::string session_token) {
  if (session_token.empty()) throw ConfigurationError("session_token_credentials: the token is empty");
  return std::make_shared<StaticToken>(std::move(session_token));
}

std::shared_ptr<CredentialsProvider> login_credentials(std::string access_key_id, std::string secret_access_key,
                                                       LoginOptions options) {
  if (access_key_id.empty() || secret_access_key.empty()) {
    throw ConfigurationError("login_credentials: the access key id and the secret access key must both be set");
  }
  return std::make_shared<Login>(std::move(access_key_id), std::move(secret_access_key), options);
}

}  // namespace lakefs
