// Logging: the SDK reports each request it sends (debug: method, path, status
// or failure, latency, bytes, the server's request id) and each retry (info:
// reason and delay), and hands the lines to a handler. Without a level set in
// ClientOptions, the environment variable LAKEFS_LOG (debug, info, warning,
// error, off) sets it; without a handler, lines go to stderr, or are appended
// to the file LAKEFS_LOG_FILE names. A line never holds a credential, an
// Authorization header, a query value or a pre-signed URL's signature.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace lakefs {

enum class LogLevel { debug = 0, info = 1, warning = 2, error = 3, off = 4 };

/// Receives one complete line (no trailing newline). Called from whichever
/// thread sent the request; must be thread-safe.
using LogHandler = std::function<void(LogLevel level, std::string_view line)>;

/// Where and what a client logs.
struct LoggingOptions {
  /// Lowest level passed to the handler. Unset: LAKEFS_LOG, else off.
  std::optional<LogLevel> level{};
  /// Unset: lines go to stderr (or the file LAKEFS_LOG_FILE), as "lakefs: <level>: <line>".
  LogHandler handler{};
};

/// "debug" → LogLevel::debug, ...; also "warn", "none"; nullopt for anything else.
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

/// "debug", "info", "warning", "error", "off".
[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;

}  // namespace lakefs
