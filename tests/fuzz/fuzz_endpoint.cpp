// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: detail::normalize_endpoint on arbitrary text. It must
// return a well-formed endpoint or throw ConfigurationError; anything else
// escaping (another exception, a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/endpoint.hpp"
#include "lakefs/errors.hpp"

namespace {

[[noreturn]] void fail(const char* problem, std::string_view url, const std::string& detail) {
  std::fprintf(stderr, "fuzz_endpoint: %s\n  input:  %.*s\n  detail: %s\n", problem, static_cast<int>(url.size()),
               url.data(), detail.c_str());
  std::abort();
}

bool printable_ascii(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7F) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);
  std::string normalized;
  try {
    normalized = lakefs::detail::normalize_endpoint(url, "fuzz input");
  } catch (const lakefs::ConfigurationError& e) {
    const std::string what = e.what();
    // Messages are bounded (long URLs are cut) and never quote a URL holding
    // user-info; 200 characters of URL plus the fixed text stays far below 600.
    if (what.size() > 600) fail("error message too long", url, what);
    if (url.find('@') != std::string_view::npos && what.find("'" + std::string(url)) != std::string::npos) {
      fail("error message echoes a URL with user-info", url, what);
    }
    return 0;
  }
  if (!normalized.starts_with("http://") && !normalized.starts_with("https://")) {
    fail("result has no http(s) scheme", url, normalized);
  }
  if (!normalized.ends_with("/api/v1")) fail("result does not end with /api/v1", url, normalized);
  if (!printable_ascii(normalized)) fail("result has white space, control or non-ASCII bytes", url, normalized);
  if (normalized.find_first_of("?#") != std::string::npos) fail("result has a query or fragment", url, normalized);
  const auto authority_end = normalized.find('/', normalized.find("://") + 3);
  if (normalized.find('@') < authority_end) fail("result has user-info", url, normalized);
  // Normalising is idempotent: the result is itself an accepted endpoint.
  std::string again;
  try {
    again = lakefs::detail::normalize_endpoint(normalized, "fuzz result");
  } catch (const lakefs::ConfigurationError& e) {
    fail("result is rejected when normalised again", url, e.what());
  }
  if (again != normalized) fail("normalising twice changes the result", url, again);
  return 0;
}
