// SPDX-License-Identifier: Apache-2.0
// The login exchange (POST /auth/login): a key pair for a session token. The
// client hands it to its channel, which offers it to credentials providers as
// CredentialsContext::login; the channel itself knows no API model.
#pragma once

#include <string>

#include "lakefs/credentials.hpp"
#include "transport/channel.hpp"

namespace lakefs::detail {

/// Sends the login for `access_key_id` and `secret_access_key` through `channel` (without credentials) and returns
/// the session token with the server's expiry. Throws what the channel throws (UnauthorizedError for a wrong pair).
[[nodiscard]] Credentials login_exchange(const Channel& channel, const std::string& access_key_id,
                                         const std::string& secret_access_key);

}  // namespace lakefs::detail
