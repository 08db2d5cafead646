// SPDX-License-Identifier: Apache-2.0
#include "login.hpp"

#include <chrono>
#include <utility>

#include "api/model_codec.hpp"
#include "lakefs/api/models.hpp"

namespace lakefs::detail {

Credentials login_exchange(const Channel& channel, const std::string& access_key_id,
                           const std::string& secret_access_key) {
  http::Request request;
  request.method = "POST";
  request.path = "/auth/login";
  request.anonymous = true;
  api::LoginInformation body;
  body.access_key_id = access_key_id;
  body.secret_access_key = secret_access_key;
  request.body = encode_to_string(body);
  request.content_type = "application/json";
  const http::Response response = channel.send(request);
  api::AuthenticationToken token;
  decode_from_string(response.body, token, "AuthenticationToken");
  Credentials credentials;
  credentials.session_token = std::move(token.token);
  if (token.token_expiration) {
    credentials.expires_at = std::chrono::system_clock::time_point(std::chrono::seconds(*token.token_expiration));
  }
  return credentials;
}

}  // namespace lakefs::detail
