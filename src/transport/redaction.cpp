// SPDX-License-Identifier: Apache-2.0
#include "transport/redaction.hpp"

#include <algorithm>

#include "lakefs/transport.hpp"

namespace lakefs::detail {

std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < in.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Redactor::Redactor(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token) {
  add(access_key_id, secret_access_key, session_token);
}

void Redactor::add(std::string_view access_key_id, std::string_view secret_access_key, std::string_view session_token) {
  auto add_to = [](std::vector<std::string>& list, std::string_view secret) {
    // Very short values would redact ordinary words; real keys are long.
    if (secret.size() < 4) return;
    if (std::find(list.begin(), list.end(), secret) != list.end()) return;
    list.emplace_back(secret);
    std::string encoded;
    http::append_encoded(encoded, secret);
    if (encoded != secret) list.push_back(std::move(encoded));
  };
  if (!access_key_id.empty()) {
    std::string pair(access_key_id);
    pair += ':';
    pair += secret_access_key;
    const std::string basic = base64(pair);
    add_to(pinned_, basic);
    // A base64 form without its padding, as some tools print it.
    if (const auto end = basic.find('='); end != std::string::npos) {
      add_to(pinned_, std::string_view(basic).substr(0, end));
    }
  }
  add_to(pinned_, secret_access_key);
  add_to(pinned_, access_key_id);
  if (session_token.size() >= 4 &&
      std::none_of(tokens_.begin(), tokens_.end(), [&](const auto& forms) { return forms.front() == session_token; })) {
    std::vector<std::string> forms;
    add_to(forms, session_token);
    tokens_.push_back(std::move(forms));
    if (tokens_.size() > kMaxTokens) tokens_.erase(tokens_.begin());
  }
  rebuild();
}

void Redactor::rebuild() {
  secrets_ = pinned_;
  for (const auto& forms : tokens_) secrets_.insert(secrets_.end(), forms.begin(), forms.end());
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets_.begin(), secrets_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string Redactor::scrub(std::string text) const {
  static constexpr std::string_view mask = "[REDACTED]";
  for (const auto& secret : secrets_) {
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + mask.size())) {
      text.replace(at, secret.size(), mask);
    }
  }
  return text;
}

}  // namespace lakefs::detail
