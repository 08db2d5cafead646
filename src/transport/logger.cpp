// SPDX-License-Identifier: Apache-2.0
#include "transport/logger.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
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

namespace {

// A file descriptor closed with the last logger that writes to it.
struct LogFile {
  int fd = -1;
  ~LogFile() {
    if (fd >= 0) ::close(fd);
  }
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // logging never fails the request it describes
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

Logger::Logger(const LoggingOptions& options) : handler_(options.handler) {
  if (options.level) {
    level_ = *options.level;
  } else if (const char* env = std::getenv("LAKEFS_LOG"); env != nullptr) {
    level_ = parse_log_level(env).value_or(LogLevel::off);
  }
  if (handler_ || level_ == LogLevel::off) return;
  // The default handler: stderr, or the file named by LAKEFS_LOG_FILE (appended to). One write() per line, so
  // lines of several threads, or processes sharing the file, do not interleave.
  int fd = STDERR_FILENO;
  auto owned = std::make_shared<LogFile>();  // closes a file opened here, never stderr
  if (const char* path = std::getenv("LAKEFS_LOG_FILE"); path != nullptr && *path != '\0') {
    owned->fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (owned->fd >= 0) fd = owned->fd;  // else: stderr after all
  }
  handler_ = [owned, fd](LogLevel level, std::string_view line) {
    std::string text = "lakefs: ";
    text += to_string(level);
    text += ": ";
    text += line;
    text += '\n';
    write_all(fd, text);
  };
}

void Logger::write(LogLevel level, std::string_view line) const {
  if (!enabled(level) || !handler_) return;
  handler_(level, line);
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
