// SPDX-License-Identifier: Apache-2.0
// Checks every request before any byte of it reaches the wire: nothing a
// caller passes may become an extra header line or change the URL's target.
// Pure logic, apart from libcurl, so unit tests can check every case.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/transport.hpp"
#include "util/http_syntax.hpp"  // is_header_name, is_header_value, origin_of

namespace lakefs::detail {

/// Throws InvalidArgumentError unless every header (and the content type) of
/// `request` is a valid name and value, its path has no empty, "." or ".."
/// segment (libcurl or a proxy would collapse those and change the target),
/// and an absolute URL has no white space or control character. Messages
/// name the header, never its value.
void check_request(const http::Request& request);

/// Throws InvalidArgumentError unless every one of a call's extra headers
/// (CallOptions::headers) is a valid name and value and none is a header the
/// SDK owns (Authorization, Host, Content-Length, Transfer-Encoding). `source` names where they came from in
/// the message.
void check_call_headers(const std::vector<std::pair<std::string, std::string>>& headers,
                        std::string_view source = "CallOptions::headers");

}  // namespace lakefs::detail
