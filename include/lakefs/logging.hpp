// Logging: the SDK reports each request it sends (debug) and each retry
// (info), and hands the lines to a handler. Without a handler set in
// ClientOptions, the environment variable LAKEFS_LOG (debug, info, warning,
// error, off) turns on lines to stderr. A line never holds a credential, an
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
  /// Unset: lines go to stderr, prefixed "lakefs: ".
  LogHandler handler{};
};

/// "debug" → LogLevel::debug, ...; also "warn", "none"; nullopt for anything else.
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

/// "debug", "info", "warning", "error", "off".
[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;

}  // namespace lakefs
