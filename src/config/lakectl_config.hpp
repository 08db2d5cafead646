// SPDX-License-Identifier: Apache-2.0
// Internal: the part of lakectl's config file (~/.lakectl.yaml) that the SDK
// reads. Parsing works on text so that it can be tested and fuzzed without files.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lakefs::detail {

/// Larger files are rejected before parsing: a lakectl config is a few
/// hundred bytes, and a huge file is a wrong path, not a configuration.
inline constexpr std::size_t kMaxLakectlConfigBytes = 1024 * 1024;

/// The settings found in a lakectl config file; empty when absent.
struct LakectlConfig {
  std::string endpoint_url{};       // server.endpoint_url
  std::string access_key_id{};      // credentials.access_key_id
  std::string secret_access_key{};  // credentials.secret_access_key
  std::string session_token{};      // credentials.session_token
  std::string provider_type{};      // credentials.provider.type ("aws_iam" in lakectl)

  // server.retries: lakectl's retrying HTTP client. lakectl hands max_attempts to it as the number of retries
  // after the first attempt, and waits between min_wait_interval and max_wait_interval (Go durations: "200ms",
  // "30s", "1m30s"; a bare number is nanoseconds, as lakectl reads it).
  std::optional<bool> retries_enabled{};                        // server.retries.enabled
  std::optional<int> retries_max_attempts{};                    // server.retries.max_attempts
  std::optional<std::chrono::milliseconds> retries_min_wait{};  // server.retries.min_wait_interval
  std::optional<std::chrono::milliseconds> retries_max_wait{};  // server.retries.max_wait_interval
  std::optional<std::size_t> parallelism{};                     // options.parallelism
};

/// The largest server.retries.max_attempts accepted (lakectl takes any uint32; a retry loop that long is a typo).
inline constexpr int kMaxLakectlRetries = 100;
/// The largest options.parallelism accepted (lakectl has no bound; more connections than this is a typo).
inline constexpr std::size_t kMaxLakectlParallelism = 1024;

/// A Go duration as viper reads one: a sequence of decimal numbers, each with
/// a unit (ns, us, µs, ms, s, m, h), e.g. "1m30s" or "0.5s"; or a bare number
/// of nanoseconds. Nothing for anything else (negative, unknown unit, overflow).
[[nodiscard]] std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text);

/// Parses the text of a lakectl config file. Empty text, or a document that
/// is only null, gives an empty LakectlConfig. Throws ConfigurationError,
/// naming `file_name` and the offending key or line, for malformed YAML, a
/// top level that is not a mapping, a section that is not a mapping or a value
/// that is not a scalar, and for a retry, parallelism or provider setting that
/// lakectl would not accept either (not a boolean, a number or a duration; a
/// parallelism below 1). Messages never quote the file's contents, except a
/// provider type lakefs-cpp does not support (a name, not a secret).
[[nodiscard]] LakectlConfig parse_lakectl_config(std::string_view yaml_text, const std::string& file_name);

}  // namespace lakefs::detail
