// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

namespace lakefs::detail {

/// Validates a server URL and returns it ending in "/api/v1" with no trailing
/// slash. Accepts "http(s)://host[:port][/prefix][/api/v1][/]" where host is a
/// DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address, port is
/// 1-65535 and the prefix has no query, fragment or dot segments. Throws
/// ConfigurationError naming `source` for anything else; user-info
/// ("user:pass@") is rejected without echoing it.
[[nodiscard]] std::string normalize_endpoint(std::string_view url, const std::string& source);

}  // namespace lakefs::detail
