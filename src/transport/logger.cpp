#include "transport/logger.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace lakefs {

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  std::string lower;
  for (const char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "debug" || lower == "trace") return LogLevel::debug;
  if (lower == "info") return LogLevel::info;
  if (lower == "warning" || lower == "warn") return LogLevel::warning;
  if (lower == "error") return LogLevel::error;
  if (lower == "off" || lower == "none" || lower.empty()) return LogLevel::off;
  return std::nullopt;
}

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warning:
      return "warning";
    case LogLevel::error:
      return "error";
    case LogLevel::off:
      return "off";
  }
  return "off";
}

namespace detail {

Logger::Logger(const LoggingOptions& options) : handler_(options.handler) {
  if (options.level) {
    level_ = *options.level;
  } else if (const char* env = std::getenv("LAKEFS_LOG"); env != nullptr) {
    level_ = parse_log_level(env).value_or(LogLevel::off);
  }
}

void Logger::write(LogLevel level, std::string_view line) const {
  if (!enabled(level)) return;
  if (handler_) {
    handler_(level, line);
    return;
  }
  // One fprintf per line: lines from several threads do not interleave.
  std::fprintf(stderr, "lakefs: %.*s: %.*s\n", static_cast<int>(to_string(level).size()), to_string(level).data(),
               static_cast<int>(line.size()), line.data());
}

std::string loggable_target(std::string_view path, std::string_view query) {
  std::string out(path);
  if (query.empty()) return out;
  out += '?';
  bool first = true;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!first) out += '&';
    first = false;
    const auto eq = pair.find('=');
    out += pair.substr(0, eq);
    if (eq != std::string_view::npos) out += "=<redacted>";
  }
  return out;
}

}  // namespace detail
}  // namespace lakefs
