// SPDX-License-Identifier: Apache-2.0
#include "config/lakectl_config.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

// The scalar at `path` (keys from the top level), or nothing when a key on the way is absent or null.
std::optional<std::string> scalar_at(const YAML::Node& root, const std::string& file,
                                     std::initializer_list<const char*> path) {
  std::string where;
  try {
    YAML::Node node = root;  // shares root's data; node.reset() rebinds it (assigning would write into the document)
    for (const char* key : path) {
      if (!where.empty() && !node.IsMap()) throw ConfigurationError(file + ": '" + where + "' must be a mapping");
      where += where.empty() ? key : std::string(".") + key;
      const YAML::Node& parent = node;  // const: looking a key up must not add it
      const YAML::Node child = parent[key];
      if (!child || child.IsNull()) return std::nullopt;
      node.reset(child);
    }
    if (!node.IsScalar()) throw ConfigurationError(file + ": '" + where + "' must be a string");
    return node.as<std::string>();
  } catch (const YAML::Exception&) {
    throw ConfigurationError(file + ": '" + where + "' is not a usable value");
  }
}

std::string string_at(const YAML::Node& root, const std::string& file, std::initializer_list<const char*> path) {
  return scalar_at(root, file, path).value_or(std::string());
}

// Go's strconv.ParseBool, which lakectl's configuration library applies.
std::optional<bool> bool_at(const YAML::Node& root, const std::string& file, std::initializer_list<const char*> path,
                            const char* name) {
  const auto text = scalar_at(root, file, path);
  if (!text) return std::nullopt;
  for (const char* yes : {"1", "t", "T", "TRUE", "true", "True"}) {
    if (*text == yes) return true;
  }
  for (const char* no : {"0", "f", "F", "FALSE", "false", "False"}) {
    if (*text == no) return false;
  }
  throw ConfigurationError(file + ": '" + name + "' must be true or false");
}

std::optional<std::uint64_t> count_at(const YAML::Node& root, const std::string& file,
                                      std::initializer_list<const char*> path, const char* name, std::uint64_t max) {
  const auto text = scalar_at(root, file, path);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [at, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || at != end || text->empty()) {
    throw ConfigurationError(file + ": '" + name + "' must be a whole number");
  }
  if (value > max) throw ConfigurationError(file + ": '" + name + "' must be at most " + std::to_string(max));
  return value;
}

std::optional<std::chrono::milliseconds> duration_at(const YAML::Node& root, const std::string& file,
                                                     std::initializer_list<const char*> path, const char* name) {
  const auto text = scalar_at(root, file, path);
  if (!text) return std::nullopt;
  const auto duration = parse_go_duration(*text);
  if (!duration) {
    throw ConfigurationError(file + ": '" + name + "' must be a duration such as 200ms, 30s or 1m30s");
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*duration);
}

// yaml-cpp's messages are fixed texts, except a few that append what they
// choked on after ": " ("bad YAML version: ...", "invalid unicode: ...",
// "unknown escape character: ..."): that could be part of a secret, so it is
// cut off. No fixed text contains ':'.
std::string without_quoted_input(const std::string& message) { return message.substr(0, message.find(':')); }

}  // namespace

LakectlConfig parse_lakectl_config(std::string_view yaml_text, const std::string& file_name) {
  if (yaml_text.size() > kMaxLakectlConfigBytes) {
    throw ConfigurationError(file_name + ": larger than " + std::to_string(kMaxLakectlConfigBytes) +
                             " bytes; is it really a lakectl config file?");
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::ParserException& e) {
    // The line locates the problem; the offending text is never shown (it may be a secret).
    const auto line = e.mark.is_null() ? std::string() : " at line " + std::to_string(e.mark.line + 1);
    throw ConfigurationError(file_name + ": malformed YAML" + line + ": " + without_quoted_input(e.msg));
  } catch (const YAML::Exception& e) {
    throw ConfigurationError(file_name + ": cannot parse config file: " + without_quoted_input(e.msg));
  }
  LakectlConfig config;
  if (!root || root.IsNull()) return config;
  if (!root.IsMap()) throw ConfigurationError(file_name + ": the top level must be a mapping");
  config.endpoint_url = string_at(root, file_name, {"server", "endpoint_url"});
  config.access_key_id = string_at(root, file_name, {"credentials", "access_key_id"});
  config.secret_access_key = string_at(root, file_name, {"credentials", "secret_access_key"});
  config.session_token = string_at(root, file_name, {"credentials", "session_token"});
  config.provider_type = string_at(root, file_name, {"credentials", "provider", "type"});
  config.retries_enabled = bool_at(root, file_name, {"server", "retries", "enabled"}, "server.retries.enabled");
  if (const auto n = count_at(root, file_name, {"server", "retries", "max_attempts"}, "server.retries.max_attempts",
                              kMaxLakectlRetries)) {
    config.retries_max_attempts = static_cast<int>(*n);
  }
  config.retries_min_wait =
      duration_at(root, file_name, {"server", "retries", "min_wait_interval"}, "server.retries.min_wait_interval");
  config.retries_max_wait =
      duration_at(root, file_name, {"server", "retries", "max_wait_interval"}, "server.retries.max_wait_interval");
  if (const auto n =
          count_at(root, file_name, {"options", "parallelism"}, "options.parallelism", kMaxLakectlParallelism)) {
    if (*n < 1) throw ConfigurationError(file_name + ": 'options.parallelism' must be at least 1");
    config.parallelism = static_cast<std::size_t>(*n);
  }
  return config;
}

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text) {
  using std::chrono::nanoseconds;
  if (text.starts_with('+')) text.remove_prefix(1);  // Go accepts a sign; a negative wait is refused below
  if (text.empty()) return std::nullopt;
  if (text == "0") return nanoseconds(0);
  // A bare number of nanoseconds, as viper reads a duration without a unit.
  if (text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::int64_t value = 0;
    const auto [at, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || at != text.data() + text.size()) return std::nullopt;
    return nanoseconds(value);
  }
  constexpr long double kMax = static_cast<long double>(std::numeric_limits<std::int64_t>::max());
  long double total = 0;
  while (!text.empty()) {
    // A decimal number: digits, optionally a fraction.
    std::size_t i = 0;
    long double number = 0;
    bool digits = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      number = number * 10 + (text[i] - '0');
      digits = true;
      ++i;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        number += (text[i] - '0') * scale;
        scale /= 10;
        digits = true;
        ++i;
      }
    }
    if (!digits || number >= kMax) return std::nullopt;
    text.remove_prefix(i);
    // Its unit.
    static constexpr std::pair<std::string_view, long double> kUnits[] = {
        {"ns", 1.0L}, {"us", 1e3L}, {"\u00b5s", 1e3L}, {"\u03bcs", 1e3L},
        {"ms", 1e6L}, {"s", 1e9L},  {"m", 6e10L},      {"h", 3.6e12L}};
    bool matched = false;
    for (const auto& [unit, factor] : kUnits) {  // "ms" is tried before "m" and "s"
      if (text.starts_with(unit)) {
        total += number * factor;
        text.remove_prefix(unit.size());
        matched = true;
        break;
      }
    }
    if (!matched || total >= kMax) return std::nullopt;  // >=: kMax may round up to 2^63
  }
  return nanoseconds(static_cast<std::int64_t>(total));
}

}  // namespace lakefs::detail
