// SPDX-License-Identifier: Apache-2.0
// The client's logger: a level and a handler (stderr by default), resolved
// once from LoggingOptions and LAKEFS_LOG.
#pragma once

#include <string>
#include <string_view>

#include "lakefs/logging.hpp"

namespace lakefs::detail {

class Logger {
 public:
  Logger() = default;
  /// Level from `options.level`, else LAKEFS_LOG, else off; handler from `options`, else stderr.
  explicit Logger(const LoggingOptions& options);

  [[nodiscard]] bool enabled(LogLevel level) const noexcept { return level >= level_ && level_ != LogLevel::off; }
  void write(LogLevel level, std::string_view line) const;

 private:
  LogLevel level_ = LogLevel::off;
  LogHandler handler_{};
};

/// `path?query` for a log line: each query value replaced by "<redacted>".
[[nodiscard]] std::string loggable_target(std::string_view path, std::string_view query);

}  // namespace lakefs::detail
