// SPDX-License-Identifier: Apache-2.0
// Logging: the SDK reports each request it sends (debug: method, path, status
// or failure, latency, bytes, the server's request id) and each retry (info:
// reason and delay), and hands the lines to a handler. Without a level set in
// ClientOptions, the environment variable LAKEFS_LOG (debug, info, warning,
// error, off) sets it; without a handler, lines go to stderr, or are appended
// to the file LAKEFS_LOG_FILE names. A line never holds a credential, an
// Authorization header, a query value or a pre-signed URL's signature.
#pragma once

#include "lakefs/export.hpp"

#include <functional>
#include <optional>
#include <string_view>

namespace lakefs {

/// How important a log line is; a client passes on the lines at its level and above.
enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3, off = 4 };
/// \var LogLevel::debug
/// Each request sent: method, path, status or failure, latency, bytes, the server's request id.
/// \var LogLevel::info
/// Each retry (its reason and delay) and each renewal of rejected credentials.
/// \var LogLevel::warning
/// A transaction left without commit() or rollback() (rolled back); as a client's level, passes on warning and
/// error lines only.
/// \var LogLevel::error
/// The close() an ObjectWriter's destructor made failed (there is no object); as a client's level, passes on
/// error lines only.
/// \var LogLevel::off
/// As a client's level: no line at all.

/// Receives one complete line (no trailing newline). Called from whichever
/// thread sent the request; must be thread-safe.
using LogHandler = std::function<void(LogLevel level, std::string_view line)>;

/// Where and what a client logs.
struct LAKEFS_API LoggingOptions {
  /// Lowest level passed to the handler. Unset: LAKEFS_LOG, else off.
  std::optional<LogLevel> level{};
  /// Unset: lines go to stderr (or the file LAKEFS_LOG_FILE), as "lakefs: <level>: <line>".
  LogHandler handler{};
};

/// "debug" → LogLevel::debug, ...; also "warn", "none"; nullopt for anything else.
[[nodiscard]] LAKEFS_API std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

/// "debug", "info", "warning", "error", "off".
[[nodiscard]] LAKEFS_API std::string_view to_string(LogLevel level) noexcept;

}  // namespace lakefs
