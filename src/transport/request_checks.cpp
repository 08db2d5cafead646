// SPDX-License-Identifier: Apache-2.0
#include "transport/request_checks.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

namespace {

void check_header(std::string_view name, std::string_view value) {
  if (!is_header_name(name)) {
    // The name itself may carry the injection: do not echo it.
    throw InvalidArgumentError("a request header name is empty or has characters not allowed in HTTP header names");
  }
  if (!is_header_value(value)) {
    throw InvalidArgumentError("the value of request header '" + std::string(name) +
                               "' contains CR, LF, NUL or another control character");
  }
}

}  // namespace

void check_request(const http::Request& request) {
  for (const auto& [name, value] : request.headers) check_header(name, value);
  if (!is_header_value(request.content_type)) {
    throw InvalidArgumentError("the content type contains CR, LF, NUL or another control character");
  }
  if (!request.absolute_url.empty()) {
    for (const char ch : request.absolute_url) {
      const auto c = static_cast<unsigned char>(ch);
      if (c <= 0x20 || c == 0x7f)
        throw InvalidArgumentError("a pre-signed URL contains white space or control characters");
    }
    return;
  }
  // The path is built from percent-encoded segments: an empty, "." or ".."
  // segment can only come from an id that is empty, "." or "..".
  std::string_view path = request.path;
  if (!path.starts_with('/')) throw InvalidArgumentError("request path must start with '/'");
  path.remove_prefix(1);
  for (;;) {
    const auto slash = path.find('/');
    const auto segment = path.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      throw InvalidArgumentError("request path '" + request.path +
                                 "' has an empty, '.' or '..' segment: an id in a path must not be empty, '.' or '..'");
    }
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
}

void check_call_headers(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view source) {
  for (const auto& [name, value] : headers) {
    check_header(name, value);
    for (const std::string_view owned : {"authorization", "host", "content-length", "transfer-encoding"}) {
      const bool same = name.size() == owned.size() &&
                        std::equal(name.begin(), name.end(), owned.begin(),
                                   [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
      if (same) {
        throw InvalidArgumentError(std::string(source) + " may not set '" + name +
                                   "': the SDK sets it (credentials go in ClientOptions)");
      }
    }
  }
}

}  // namespace lakefs::detail
