// SPDX-License-Identifier: Apache-2.0
#include "transport/proxy_environment.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace lakefs::detail {

namespace {

std::string first_set(const EnvironmentLookup& lookup, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const char* value = lookup(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return {};
}

}  // namespace

const std::string& ProxySettings::for_url(std::string_view url) const {
  constexpr std::string_view https_scheme = "https:";
  const bool secure = url.size() >= https_scheme.size() &&
                      std::equal(https_scheme.begin(), https_scheme.end(), url.begin(),
                                 [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  return secure ? https : http;
}

ProxySettings proxy_settings(const std::string& explicit_proxy, const EnvironmentLookup& lookup) {
  ProxySettings settings;
  if (!explicit_proxy.empty()) {
    settings.http = explicit_proxy;
    settings.https = explicit_proxy;
  } else {
    settings.http = first_set(lookup, {"http_proxy", "all_proxy", "ALL_PROXY"});
    settings.https = first_set(lookup, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"});
  }
  settings.no_proxy = first_set(lookup, {"no_proxy", "NO_PROXY"});
  return settings;
}

}  // namespace lakefs::detail
