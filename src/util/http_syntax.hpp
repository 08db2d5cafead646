// SPDX-License-Identifier: Apache-2.0
// The HTTP grammar the SDK checks text against before it becomes part of a
// request (header names and values), and the origin of a URL for messages.
// Pure functions: the transport's request checks, the client-side validation
// and the handles all use them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lakefs::detail {

/// True when `name` is an HTTP token (RFC 9110 tchar): letters, digits and !#$%&'*+-.^_`|~.
[[nodiscard]] bool is_header_name(std::string_view name) noexcept;

/// True when `value` holds no CR, LF, NUL or other control character (HTAB allowed).
[[nodiscard]] bool is_header_value(std::string_view value) noexcept;

/// scheme://host:port of a URL (everything before its path), for messages:
/// never credentials (endpoints with user-info are rejected when a client is
/// configured) and never a pre-signed URL's query.
[[nodiscard]] std::string origin_of(std::string_view url);

/// A non-negative decimal number, all of `text` (RFC 9110's 1*DIGIT, as in Content-Length or Content-Range);
/// nullopt when empty, not all digits, or above 2^64 - 1.
[[nodiscard]] std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept;

}  // namespace lakefs::detail
