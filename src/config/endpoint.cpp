// SPDX-License-Identifier: Apache-2.0
#include "config/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

constexpr std::size_t kMaxShown = 200;  // echoing a megabyte of URL helps nobody
constexpr std::size_t kMaxHost = 253;   // DNS limits: whole name and one label
constexpr std::size_t kMaxLabel = 63;

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 3986 pchar (unreserved, sub-delims, ':' and '@') plus '/'; '%' is
// checked separately, as %XX.
bool is_path_char(char c) {
  constexpr std::string_view kOthers = "-._~!$&'()*+,;=:@/";
  return is_alpha(c) || is_digit(c) || kOthers.find(c) != std::string_view::npos;
}

// "." or ".." also when spelled with %2e, which some servers and proxies decode.
bool is_dot_segment(std::string_view segment) {
  std::size_t dots = 0;
  for (std::size_t i = 0; i < segment.size();) {
    if (segment[i] == '.') {
      ++i;
    } else if (segment.size() - i >= 3 && segment[i] == '%' && segment[i + 1] == '2' &&
               (segment[i + 2] == 'e' || segment[i + 2] == 'E')) {
      i += 3;
    } else {
      return false;
    }
    ++dots;
  }
  return dots == 1 || dots == 2;
}

// Text that is only digits and dots is an IPv4 address to resolvers and URL
// parsers ("10.1" or "1234" included), so it must be a proper dotted quad.
bool looks_numeric(std::string_view host) {
  for (const char c : host) {
    if (!is_digit(c) && c != '.') return false;
  }
  return true;
}

bool valid_ipv4(std::string_view host) {
  in_addr addr{};
  return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
}

bool valid_ipv6(std::string_view literal) {
  if (literal.empty()) return false;
  for (const char c : literal) {
    if (!is_hex(c) && c != ':' && c != '.') return false;
  }
  in6_addr addr{};
  return inet_pton(AF_INET6, std::string(literal).c_str(), &addr) == 1;
}

// Empty unless `host` is a usable DNS name or IPv4 address; else the reason.
std::string reg_name_problem(std::string_view host) {
  if (host.size() > kMaxHost) return "its host name is longer than 253 characters";
  for (const char c : host) {
    // '_' is not valid in DNS host names but common in container and compose service names.
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.' && c != '_') {
      return "its host contains a character other than letters, digits, '-', '_' and '.'";
    }
  }
  if (looks_numeric(host)) {
    return valid_ipv4(host) ? std::string() : "its host is not a valid IPv4 address";
  }
  // One trailing dot (a fully qualified name) is fine; empty labels elsewhere are not.
  const std::string_view name = host.ends_with('.') ? host.substr(0, host.size() - 1) : host;
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    const auto label = name.substr(start, end - start);
    if (label.empty()) return "its host has an empty label (\"..\", or a leading dot)";
    if (label.size() > kMaxLabel) return "its host has a label longer than 63 characters";
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string normalize_endpoint(std::string_view url, const std::string& source) {
  // The URL is echoed only when it cannot hold user-info ('@' anywhere: a
  // password may itself contain '/', which would move it out of the authority)
  // and only when it is printable ASCII.
  bool showable = url.find('@') == std::string_view::npos;
  auto fail = [&](const std::string& why) -> ConfigurationError {
    std::string shown;
    if (showable) {
      shown = url.size() > kMaxShown ? std::string(url.substr(0, kMaxShown)) + "..." : std::string(url);
      shown = " '" + shown + "'";
    }
    return ConfigurationError("malformed lakeFS endpoint" + shown + " from " + source + ": " + why);
  };

  for (const char c : url) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) {
      showable = false;
      throw fail("it contains white space or control characters");
    }
    if (byte >= 0x80) {
      showable = false;
      throw fail("it contains non-ASCII characters (percent-encode them in the path)");
    }
  }

  std::size_t scheme_len = 0;
  if (url.starts_with("http://")) {
    scheme_len = 7;
  } else if (url.starts_with("https://")) {
    scheme_len = 8;
  } else {
    throw fail("it must start with http:// or https://");
  }
  const auto authority_end = url.find_first_of("/?#", scheme_len);
  const auto authority = url.substr(
      scheme_len, authority_end == std::string_view::npos ? std::string_view::npos : authority_end - scheme_len);
  const auto path = authority_end == std::string_view::npos ? std::string_view() : url.substr(authority_end);

  if (authority.find('@') != std::string_view::npos) {
    throw fail("it must not contain credentials (user:password@); pass them as credentials instead");
  }
  if (authority.empty()) throw fail("it has no host");

  // Host, then an optional ":port".
  std::string_view rest;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw fail("its IPv6 address has no closing ']'");
    const auto literal = authority.substr(1, close - 1);
    if (literal.find('%') != std::string_view::npos) throw fail("IPv6 zone identifiers are not supported");
    if (!valid_ipv6(literal)) throw fail("its host is not a valid IPv6 address");
    rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') throw fail("only ':port' may follow the IPv6 address");
  } else {
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (host.empty()) throw fail("it has no host");
    if (host.find_first_of("[]") != std::string_view::npos) {
      throw fail("brackets may only enclose a whole IPv6 address");
    }
    if (auto problem = reg_name_problem(host); !problem.empty()) throw fail(problem);
    rest = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (!rest.empty()) {  // rest is ":digits"
    const auto port = rest.substr(1);
    if (port.find(':') != std::string_view::npos) throw fail("it has more than one ':port'");
    if (port.empty()) throw fail("its port is empty");
    unsigned long value = 0;
    for (const char c : port) {
      if (!is_digit(c)) throw fail("its port is not a number");
      if (value <= 65535) value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value < 1 || value > 65535) throw fail("its port must be between 1 and 65535");
  }

  // Path prefix: plain segments only.
  if (path.find_first_of("?#") != std::string_view::npos) throw fail("it must not have a query or fragment");
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%') {
      if (path.size() - i < 3 || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) {
        throw fail("its path has a '%' that is not followed by two hex digits");
      }
      i += 2;
    } else if (!is_path_char(path[i])) {
      throw fail(std::string("its path contains '") + path[i] + "', which must be percent-encoded");
    }
  }
  for (std::size_t start = 0; start < path.size();) {
    auto end = path.find('/', start + 1);
    if (end == std::string_view::npos) end = path.size();
    if (is_dot_segment(path.substr(start + 1, end - start - 1))) {
      throw fail("its path must not contain '.' or '..' segments");
    }
    start = end;
  }

  std::string out(url);
  while (out.size() > scheme_len + authority.size() && out.back() == '/') out.pop_back();
  if (!out.ends_with("/api/v1")) out += "/api/v1";
  return out;
}

}  // namespace lakefs::detail
