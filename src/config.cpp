// Configuration discovery: explicit options, then environment, then the
// lakectl config file. Messages name sources, files and keys, never secrets.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "config/endpoint.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"

namespace lakefs {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

// One source's view of the settings that can be discovered.
struct Source {
  std::string name;
  std::string endpoint;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  [[nodiscard]] bool has_credentials() const { return !access_key_id.empty() || !session_token.empty(); }
};

Source from_options(const ClientOptions& o) {
  return {"explicit options", o.endpoint, o.access_key_id, o.secret_access_key, o.session_token};
}

Source from_lakefs_env() {
  return {"environment (LAKEFS_*)", env("LAKEFS_ENDPOINT"), env("LAKEFS_ACCESS_KEY_ID"),
          env("LAKEFS_SECRET_ACCESS_KEY"), ""};
}

Source from_lakectl_env() {
  return {"environment (LAKECTL_*)", env("LAKECTL_SERVER_ENDPOINT_URL"), env("LAKECTL_CREDENTIALS_ACCESS_KEY_ID"),
          env("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY"), env("LAKECTL_CREDENTIALS_SESSION_TOKEN")};
}

std::string config_file_path() {
  if (auto explicit_path = env("LAKECTL_CONFIG_FILE"); !explicit_path.empty()) return explicit_path;
  const auto home = env("HOME");
  if (home.empty()) return {};
  return (std::filesystem::path(home) / ".lakectl.yaml").string();
}

std::string scalar_at(const YAML::Node& root, const std::string& file, const char* section, const char* key) {
  const auto where = std::string(section) + "." + key;
  try {
    YAML::Node parent = root[section];
    if (!parent) return {};
    if (!parent.IsMap()) throw ConfigurationError(file + ": '" + section + "' must be a mapping");
    YAML::Node node = parent[key];
    if (!node || node.IsNull()) return {};
    if (!node.IsScalar()) throw ConfigurationError(file + ": '" + where + "' must be a string");
    return node.as<std::string>();
  } catch (const YAML::Exception&) {
    throw ConfigurationError(file + ": '" + where + "' is not a usable value");
  }
}

Source from_file(const std::string& path) {
  Source source{"config file " + path, {}, {}, {}, {}};
  if (path.empty() || !std::filesystem::exists(path)) return source;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::ParserException& e) {
    // e.mark locates the problem; e.msg never quotes file contents.
    throw ConfigurationError(path + ": malformed YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigurationError(path + ": cannot read config file: " + e.msg);
  }
  if (root.IsNull()) return source;
  if (!root.IsMap()) throw ConfigurationError(path + ": the top level must be a mapping");
  source.endpoint = scalar_at(root, path, "server", "endpoint_url");
  source.access_key_id = scalar_at(root, path, "credentials", "access_key_id");
  source.secret_access_key = scalar_at(root, path, "credentials", "secret_access_key");
  source.session_token = scalar_at(root, path, "credentials", "session_token");
  return source;
}

}  // namespace

ResolvedConfig resolve_config(const ClientOptions& options) {
  std::vector<Source> sources{from_options(options)};
  std::string file;
  if (!options.explicit_only) {
    sources.push_back(from_lakefs_env());
    sources.push_back(from_lakectl_env());
    file = config_file_path();
    sources.push_back(from_file(file));
  }

  ResolvedConfig resolved;
  auto& t = resolved.transport;
  for (const auto& s : sources) {
    if (!s.endpoint.empty()) {
      t.endpoint = detail::normalize_endpoint(s.endpoint, s.name);
      resolved.endpoint_source = s.name;
      break;
    }
  }
  for (const auto& s : sources) {
    if (!s.has_credentials()) continue;
    resolved.credentials_source = s.name;
    if (!s.session_token.empty()) {  // a session token wins over a key pair
      t.session_token = s.session_token;
    } else {
      if (s.secret_access_key.empty()) {
        throw ConfigurationError(s.name + ": an access key id is set but no secret access key");
      }
      t.access_key_id = s.access_key_id;
      t.secret_access_key = s.secret_access_key;
    }
    break;
  }

  std::string looked = "explicit options";
  if (!options.explicit_only) {
    looked +=
        ", environment (LAKEFS_ENDPOINT/LAKEFS_ACCESS_KEY_ID/LAKEFS_SECRET_ACCESS_KEY, "
        "LAKECTL_SERVER_ENDPOINT_URL/LAKECTL_CREDENTIALS_*), config file " +
        (file.empty() ? std::string("~/.lakectl.yaml (HOME unset)") : file);
  }
  if (t.endpoint.empty()) throw NoAuthenticationFoundError("no lakeFS endpoint found; looked in " + looked);
  if (resolved.credentials_source.empty()) {
    throw NoAuthenticationFoundError("no lakeFS credentials found; looked in " + looked);
  }

  if (options.verify_tls) t.verify_tls = *options.verify_tls;
  t.ca_file = options.ca_file;
  t.ca_path = options.ca_path;
  t.proxy = options.proxy;
  if (options.connect_timeout) t.connect_timeout = *options.connect_timeout;
  if (options.request_timeout) t.request_timeout = *options.request_timeout;
  if (options.low_speed_timeout) t.low_speed_timeout = *options.low_speed_timeout;
  if (options.max_connections) {
    if (*options.max_connections == 0) throw ConfigurationError("max_connections must be at least 1");
    t.max_connections = *options.max_connections;
  }
  if (options.max_retries) {
    if (*options.max_retries < 0) throw ConfigurationError("max_retries must not be negative");
    t.max_retries = *options.max_retries;
  }
  return resolved;
}

}  // namespace lakefs
