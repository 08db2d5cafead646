// SPDX-License-Identifier: Apache-2.0
// Credentials providers: where a client gets the credentials it sends. The
// client asks its provider before a request when it holds none or the ones it
// holds have expired, and once more after an HTTP 401; it caches them in
// between. Built in: a static key pair, a static session token, and login (a
// key pair exchanged at /auth/login for short-lived tokens, renewed before they
// expire). Replace a live client's provider with Client::set_credentials().
//
// No provider, message or log line shows a secret.
#pragma once

#include "lakefs/export.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace lakefs {

/// What a request is authenticated with: a session token when set, else the key pair.
struct LAKEFS_API Credentials {
  /// Access key id of the key pair (the HTTP Basic user name).
  std::string access_key_id{};
  /// Secret access key of the key pair (HTTP Basic password).
  std::string secret_access_key{};
  /// Session token, sent as an HTTP Bearer token instead of the key pair when not empty.
  std::string session_token{};
  /// When the client must stop using these and ask the provider again; unset = never.
  std::optional<std::chrono::system_clock::time_point> expires_at{};
};

/// What a provider may ask of the client it serves.
class LAKEFS_API CredentialsContext {
 public:
  virtual ~CredentialsContext() = default;
  /// Exchanges a key pair for a session token (POST /auth/login, sent without
  /// credentials). The result holds the token and the server's expiry. Throws
  /// UnauthorizedError for a wrong pair.
  [[nodiscard]] virtual Credentials login(const std::string& access_key_id, const std::string& secret_access_key) = 0;
};

/// A source of credentials. Must be thread-safe; the client serialises its own
/// calls to fetch(), so a provider is asked once however many threads wait.
class LAKEFS_API CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  /// Credentials to send from now on. `rejected` is true when the server just
  /// answered 401 to the previous ones: a provider that can renew should not
  /// return them again. Requests the provider needs go through `context`,
  /// never through the client itself: the client waits for fetch() to return.
  [[nodiscard]] virtual Credentials fetch(CredentialsContext& context, bool rejected) = 0;
  /// Where the credentials come from, for diagnostics, e.g. "login (access key AKIA…)"; never a secret.
  [[nodiscard]] virtual std::string describe() const = 0;
};

/// Always the same key pair (HTTP Basic).
[[nodiscard]] LAKEFS_API std::shared_ptr<CredentialsProvider> static_credentials(std::string access_key_id,
                                                                      std::string secret_access_key);

/// Always the same session token (HTTP Bearer), e.g. one issued by an identity provider.
[[nodiscard]] LAKEFS_API std::shared_ptr<CredentialsProvider> session_token_credentials(std::string session_token);

/// Options of login_credentials().
struct LAKEFS_API LoginOptions {
  /// Renew a token this long before its expiry; capped at a tenth of the
  /// token's lifetime, so short-lived tokens are still used most of their life.
  std::chrono::seconds renew_before{60};
};

/// Logs in with the key pair (POST /auth/login) and sends the short-lived token
/// it returns as a Bearer token, renewing it before it expires and after a
/// 401. The key pair itself travels only to /auth/login.
[[nodiscard]] LAKEFS_API std::shared_ptr<CredentialsProvider> login_credentials(std::string access_key_id,
                                                                     std::string secret_access_key,
                                                                     LoginOptions options = {});

}  // namespace lakefs
