// SPDX-License-Identifier: Apache-2.0
// The proxies the environment names, read once. libcurl left to itself reads
// them on every request: five getenv calls and as many copies per request
// when none is set (about 1.9 k of the 105 k instructions a getRepository
// took, measured with callgrind). The transport reads them here when it is made and
// hands libcurl the answer explicitly (CURLOPT_PROXY, CURLOPT_NOPROXY), as Go's
// net/http (and so lakectl) does. The rules are libcurl's own:
//   http:   http_proxy (lower case only: HTTP_PROXY may be set by a CGI
//           request's Proxy header), else all_proxy, else ALL_PROXY;
//   https:  https_proxy, else HTTPS_PROXY, else all_proxy, else ALL_PROXY;
//   no_proxy, else NO_PROXY: hosts that bypass any proxy, the explicit one
//   included.
// An empty variable counts as unset.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace lakefs::detail {

struct ProxySettings {
  /// Proxy for http:// URLs; empty: none.
  std::string http;
  /// Proxy for https:// URLs; empty: none.
  std::string https;
  /// libcurl's no-proxy list (comma-separated hosts, "*" for all); empty: none.
  std::string no_proxy;

  /// The proxy for `url`, by its scheme (case-insensitive).
  [[nodiscard]] const std::string& for_url(std::string_view url) const;
};

/// Looks up an environment variable; nullptr when unset.
using EnvironmentLookup = std::function<const char*(const char* name)>;

/// The settings libcurl would derive from the environment; `explicit_proxy`,
/// when not empty, is the proxy for both schemes (the no-proxy list still
/// applies to it, as in libcurl).
[[nodiscard]] ProxySettings proxy_settings(const std::string& explicit_proxy, const EnvironmentLookup& lookup);

}  // namespace lakefs::detail
