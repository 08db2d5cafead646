#include "config/endpoint.hpp"

#include <cctype>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

std::string normalize_endpoint(std::string_view url, const std::string& source) {
  auto fail = [&](const std::string& why, bool show) -> ConfigurationError {
    return ConfigurationError("malformed lakeFS endpoint" + (show ? " '" + std::string(url) + "'" : std::string()) +
                              " from " + source + ": " + why);
  };
  std::size_t scheme_len = 0;
  if (url.starts_with("http://")) {
    scheme_len = 7;
  } else if (url.starts_with("https://")) {
    scheme_len = 8;
  } else {
    throw fail("it must start with http:// or https://", url.find('@') == std::string_view::npos);
  }
  const auto authority_end = url.find_first_of("/?#", scheme_len);
  const auto authority =
      url.substr(scheme_len, authority_end == std::string_view::npos ? url.npos : authority_end - scheme_len);
  if (authority.find('@') != std::string_view::npos) {
    throw fail("it must not contain credentials (user:password@); pass them as credentials instead", false);
  }
  if (authority.empty()) throw fail("it has no host", true);
  for (const char c : url) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) {
      throw fail("it contains white space or control characters", false);
    }
  }
  if (url.find_first_of("?#") != std::string_view::npos) throw fail("it must not have a query or fragment", true);
  // Port, when present, must be digits (IPv6 literals are bracketed).
  const auto bracket = authority.rfind(']');
  const auto colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const auto port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5) throw fail("its port is not a number", true);
    for (const char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw fail("its port is not a number", true);
    }
  }
  std::string out(url);
  while (out.size() > scheme_len + authority.size() && out.back() == '/') out.pop_back();
  if (!out.ends_with("/api/v1")) out += "/api/v1";
  return out;
}

}  // namespace lakefs::detail
