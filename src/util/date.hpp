// SPDX-License-Identifier: Apache-2.0
// The one reader of the date and time texts the SDK meets: lakeFS's JSON
// timestamps, HTTP dates (Retry-After), the signing date of a pre-signed URL,
// and the start stamp in a transaction's branch name.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace lakefs::detail {

/// The layouts parse_date() reads. Every one is UTC once read, in whole seconds.
enum class DateFormat {
  /// RFC 3339, as lakeFS (Go) writes it: "2024-05-01T12:34:56Z", with an optional fraction (dropped) and
  /// "Z" or a "+HH:MM" / "-HH:MM" offset; 'T' and 'Z' in either case.
  rfc3339,
  /// An HTTP date (RFC 9110): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", or the obsolete RFC 850
  /// "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year below 70 is 20xx, else 19xx) and asctime
  /// "Sun Nov  6 08:49:37 1994" forms. Day and month names in any case; the weekday is not checked against the date.
  http,
  /// ISO 8601 basic, as SigV4's X-Amz-Date: "20261130T054523Z".
  iso8601_basic,
  /// A transaction's branch stamp: "20261130-054523" (no leap second).
  transaction_stamp,
};

/// `text`, all of it, as a time in `format`; nullopt unless it is one, with a real calendar day, hours up to 23,
/// minutes up to 59 and seconds up to 60 (a leap second; 59 for transaction_stamp).
[[nodiscard]] std::optional<std::chrono::sys_seconds> parse_date(std::string_view text, DateFormat format);

}  // namespace lakefs::detail
