#include "config/lakectl_config.hpp"

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

std::string scalar_at(const YAML::Node& root, const std::string& file, const char* section, const char* key) {
  const auto where = std::string(section) + "." + key;
  try {
    const YAML::Node parent = root[section];
    if (!parent || parent.IsNull()) return {};
    if (!parent.IsMap()) throw ConfigurationError(file + ": '" + section + "' must be a mapping");
    const YAML::Node node = parent[key];
    if (!node || node.IsNull()) return {};
    if (!node.IsScalar()) throw ConfigurationError(file + ": '" + where + "' must be a string");
    return node.as<std::string>();
  } catch (const YAML::Exception&) {
    throw ConfigurationError(file + ": '" + where + "' is not a usable value");
  }
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
  config.endpoint_url = scalar_at(root, file_name, "server", "endpoint_url");
  config.access_key_id = scalar_at(root, file_name, "credentials", "access_key_id");
  config.secret_access_key = scalar_at(root, file_name, "credentials", "secret_access_key");
  config.session_token = scalar_at(root, file_name, "credentials", "session_token");
  return config;
}

}  // namespace lakefs::detail
