// SPDX-License-Identifier: Apache-2.0
// Keeps the client's own credentials out of error texts and log lines: an
// error page from a proxy or firewall may echo the request, Authorization
// header included.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lakefs::detail {

class Redactor {
 public:
  Redactor() = default;
  /// Redacts the key id, the secret, the session token, and the forms they
  /// travel in (Basic base64 of "id:secret", percent-encoded).
  Redactor(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token);

  /// Adds another set of credentials to redact (e.g. a renewed session token).
  /// Key pairs are kept for the Redactor's life; of session tokens only the
  /// latest kMaxTokens are, so a long-lived client renewing short-lived tokens
  /// does not grow without bound (an expired token is no longer a secret
  /// worth the scan).
  void add(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token);

  static constexpr std::size_t kMaxTokens = 16;

  /// `text` with every occurrence of a secret replaced by "[REDACTED]".
  [[nodiscard]] std::string scrub(std::string text) const;

 private:
  void rebuild();

  std::vector<std::string> pinned_{};               // key pairs and their forms
  std::vector<std::vector<std::string>> tokens_{};  // each session token with its forms, oldest first
  std::vector<std::string> secrets_{};              // both, longest first
};

/// Standard base64 (RFC 4648, with padding).
[[nodiscard]] std::string base64(std::string_view in);

}  // namespace lakefs::detail
