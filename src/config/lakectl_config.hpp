// Internal: the part of lakectl's config file (~/.lakectl.yaml) that the SDK
// reads. Parsing works on text so that it can be tested and fuzzed without files.
#pragma once

#include <cstddef>
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
};

/// Parses the text of a lakectl config file. Empty text, or a document that
/// is only null, gives an empty LakectlConfig. Throws ConfigurationError,
/// naming `file_name` and the offending key or line, for malformed YAML, a
/// top level that is not a mapping, a section that is not a mapping or a value
/// that is not a scalar. Messages never quote the file's contents.
[[nodiscard]] LakectlConfig parse_lakectl_config(std::string_view yaml_text, const std::string& file_name);

}  // namespace lakefs::detail
