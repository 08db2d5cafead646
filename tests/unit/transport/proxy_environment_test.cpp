// SPDX-License-Identifier: Apache-2.0
// Which proxy the environment names for a URL, by libcurl's rules, read once
// (src/transport/proxy_environment.hpp); tls_and_proxy_test.cpp shows the
// transport sending through it.
#include "transport/proxy_environment.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using lakefs::detail::proxy_settings;
using lakefs::detail::ProxySettings;

ProxySettings from(const std::map<std::string, std::string>& environment, const std::string& explicit_proxy = "") {
  return proxy_settings(explicit_proxy, [&](const char* name) -> const char* {
    const auto found = environment.find(name);
    return found == environment.end() ? nullptr : found->second.c_str();
  });
}

TEST(ProxyEnvironment, EachSchemeHasItsVariableAndAllProxyIsTheFallback) {
  const auto both = from({{"http_proxy", "http://h:1"}, {"https_proxy", "http://s:2"}, {"all_proxy", "http://a:3"}});
  EXPECT_EQ(both.for_url("http://lakefs:8000/api/v1"), "http://h:1");
  EXPECT_EQ(both.for_url("https://bucket.s3.example/key?X-Amz-Signature=x"), "http://s:2");
  EXPECT_EQ(both.for_url("HTTPS://bucket.s3.example/key"), "http://s:2");  // schemes are case-insensitive

  const auto fallback = from({{"ALL_PROXY", "socks5://a:3"}});
  EXPECT_EQ(fallback.http, "socks5://a:3");
  EXPECT_EQ(fallback.https, "socks5://a:3");
  EXPECT_EQ(from({{"all_proxy", "http://lower:1"}, {"ALL_PROXY", "http://upper:2"}}).http, "http://lower:1");
}

TEST(ProxyEnvironment, UpperCaseHttpProxyIsIgnoredButUpperCaseHttpsProxyIsNot) {
  // libcurl ignores HTTP_PROXY: a CGI program gets it from a request's "Proxy:" header (httpoxy).
  const auto settings = from({{"HTTP_PROXY", "http://attacker:1"}, {"HTTPS_PROXY", "http://s:2"}});
  EXPECT_EQ(settings.http, "");
  EXPECT_EQ(settings.https, "http://s:2");
}

TEST(ProxyEnvironment, EmptyVariablesCountAsUnsetAndNothingSetMeansNoProxy) {
  const auto settings = from({{"http_proxy", ""}, {"https_proxy", ""}, {"all_proxy", "http://a:3"}, {"no_proxy", ""}});
  EXPECT_EQ(settings.http, "http://a:3");
  EXPECT_EQ(settings.https, "http://a:3");
  EXPECT_EQ(settings.no_proxy, "");
  const auto none = from({});
  EXPECT_EQ(none.for_url("http://x"), "");
  EXPECT_EQ(none.for_url("https://x"), "");
}

TEST(ProxyEnvironment, AnExplicitProxyServesBothSchemesAndNoProxyStillApplies) {
  const auto settings =
      from({{"http_proxy", "http://h:1"}, {"NO_PROXY", "internal.example,10.0.0.1"}}, "http://explicit:9");
  EXPECT_EQ(settings.http, "http://explicit:9");
  EXPECT_EQ(settings.https, "http://explicit:9");
  EXPECT_EQ(settings.no_proxy, "internal.example,10.0.0.1");
  EXPECT_EQ(from({{"no_proxy", "lower"}, {"NO_PROXY", "upper"}}).no_proxy, "lower");
}

}  // namespace
