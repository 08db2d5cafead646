// SPDX-License-Identifier: Apache-2.0
// Configuration discovery: explicit options, then environment, then the
// lakectl config file. Messages name sources, files and keys, never secrets.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "config/endpoint.hpp"
#include "config/lakectl_config.hpp"
#include "config/resolve.hpp"
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
  std::string provider_type;  // the config file's credentials.provider.type
  [[nodiscard]] bool has_credentials() const { return !access_key_id.empty() || !session_token.empty(); }
};

Source from_options(const ClientOptions& o) {
  return {"explicit options", o.endpoint, o.access_key_id, o.secret_access_key, o.session_token, {}};
}

Source from_lakefs_env() {
  return {"environment (LAKEFS_*)",
          env("LAKEFS_ENDPOINT"),
          env("LAKEFS_ACCESS_KEY_ID"),
          env("LAKEFS_SECRET_ACCESS_KEY"),
          "",
          {}};
}

Source from_lakectl_env() {
  return {"environment (LAKECTL_*)",
          env("LAKECTL_SERVER_ENDPOINT_URL"),
          env("LAKECTL_CREDENTIALS_ACCESS_KEY_ID"),
          env("LAKECTL_CREDENTIALS_SECRET_ACCESS_KEY"),
          env("LAKECTL_CREDENTIALS_SESSION_TOKEN"),
          {}};
}

std::string config_file_path() {
  if (auto explicit_path = env("LAKECTL_CONFIG_FILE"); !explicit_path.empty()) return explicit_path;
  const auto home = env("HOME");
  if (home.empty()) return {};
  return (std::filesystem::path(home) / ".lakectl.yaml").string();
}

// File names go into messages; one taken from the environment may be huge.
std::string shown_path(const std::string& path) {
  constexpr std::size_t kMax = 200;
  return path.size() > kMax ? path.substr(0, kMax) + "..." : path;
}

// Reads the config file; empty when there is none. Every failure is a
// ConfigurationError naming the file: std::filesystem and iostream errors must
// not escape as their own types, which callers catching lakefs::Error miss.
std::optional<std::string> read_config_file(const std::string& path, const std::string& shown) {
  namespace fs = std::filesystem;
  if (path.empty()) return std::nullopt;
  std::error_code ec;
  const auto status = fs::status(path, ec);  // follows symlinks, so a loop is an error here
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) return std::nullopt;
    throw ConfigurationError("config file " + shown + ": cannot access it: " + ec.message());
  }
  if (status.type() == fs::file_type::not_found) return std::nullopt;
  if (status.type() == fs::file_type::directory) {
    throw ConfigurationError("config file " + shown + ": is a directory, not a file");
  }
  // A FIFO would block until someone writes to it. Character devices stay
  // allowed: LAKECTL_CONFIG_FILE=/dev/null is how one switches the file off,
  // and the read below stops at the size limit.
  if (status.type() != fs::file_type::regular && status.type() != fs::file_type::character) {
    throw ConfigurationError("config file " + shown + ": is not a regular file");
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    const int err = errno;
    throw ConfigurationError("config file " + shown + ": cannot open it" +
                             (err != 0 ? ": " + std::generic_category().message(err) : std::string()));
  }
  // Read to the end rather than trusting the size (files under /proc report 0),
  // stopping one byte past the limit.
  std::string text;
  char buffer[8192];
  while (text.size() <= detail::kMaxLakectlConfigBytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (!in) break;
  }
  if (in.bad()) throw ConfigurationError("config file " + shown + ": cannot read it");
  return text;  // parse_lakectl_config refuses it when over the limit
}

// The config file as a source of endpoint and credentials; its other settings (retries, parallelism) in `rest`.
Source from_file(const std::string& path, detail::LakectlConfig& rest) {
  const auto shown = shown_path(path);
  Source source{"config file " + shown, {}, {}, {}, {}, {}};
  const auto text = read_config_file(path, shown);
  if (!text) return source;
  rest = detail::parse_lakectl_config(*text, source.name);
  source.endpoint = std::move(rest.endpoint_url);
  source.access_key_id = std::move(rest.access_key_id);
  source.secret_access_key = std::move(rest.secret_access_key);
  source.session_token = std::move(rest.session_token);
  source.provider_type = std::move(rest.provider_type);
  return source;
}

// lakectl's credentials.provider.type names another way to authenticate (lakectl knows "aws_iam": a token from
// AWS STS). lakefs-cpp implements none, and must not silently fall back to a key pair the file may not hold.
[[noreturn]] void throw_unsupported_provider(const Source& source) {
  const std::string& type = source.provider_type;
  const bool printable =
      type.size() <= 64 && std::all_of(type.begin(), type.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  throw ConfigurationError(source.name + ": credentials.provider.type " +
                           (printable ? "'" + type + "'" : std::string("(a value that is not a plain name)")) +
                           " is not supported by lakefs-cpp (lakectl's aws_iam provider is not implemented): remove "
                           "it and set credentials.access_key_id and secret_access_key, or pass credentials "
                           "explicitly or through LAKEFS_ACCESS_KEY_ID / LAKEFS_SECRET_ACCESS_KEY");
}

// A file the transport will read (a client certificate or key): a ConfigurationError naming the option now,
// rather than a TLS failure at the first request. Only its name is shown, never what it holds.
void check_readable_file(const std::string& path, const char* option) {
  namespace fs = std::filesystem;
  if (path.empty()) return;
  const std::string where = std::string(option) + " " + shown_path(path);
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || status.type() == fs::file_type::not_found) {
    throw ConfigurationError(
        where + ": cannot access it: " +
        (ec ? ec.message() : std::make_error_code(std::errc::no_such_file_or_directory).message()));
  }
  if (status.type() != fs::file_type::regular) throw ConfigurationError(where + ": is not a regular file");
  errno = 0;
  const std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) {
    const int err = errno;
    throw ConfigurationError(where + ": cannot open it" +
                             (err != 0 ? ": " + std::generic_category().message(err) : std::string()));
  }
}

// Checked before discovery so that a bad option is reported as such, whatever
// the environment holds.
void validate_options(const ClientOptions& options) {
  using std::chrono::milliseconds;
  // libcurl reads a zero connect timeout as "its default" (300 s), not as "none".
  if (options.connect_timeout && *options.connect_timeout <= milliseconds::zero()) {
    throw ConfigurationError("connect_timeout must be positive");
  }
  if (options.request_timeout && *options.request_timeout < milliseconds::zero()) {
    throw ConfigurationError("request_timeout must not be negative (zero means no limit)");
  }
  if (options.low_speed_timeout && *options.low_speed_timeout < milliseconds::zero()) {
    throw ConfigurationError("low_speed_timeout must not be negative (zero disables it)");
  }
  for (const char c : options.user_agent_suffix) {
    if (c < 0x20 || c > 0x7e)
      throw ConfigurationError("user_agent_suffix must be printable ASCII (it becomes a header)");
  }
  if (options.max_connections && *options.max_connections == 0) {
    throw ConfigurationError("max_connections must be at least 1");
  }
  if (options.engine_threads && *options.engine_threads == 0) {
    throw ConfigurationError("engine_threads must be at least 1");
  }
  if (options.max_in_flight && *options.max_in_flight == 0) {
    throw ConfigurationError("max_in_flight must be at least 1");
  }
  if (options.receive_buffer_size &&
      (*options.receive_buffer_size < (1u << 10) || *options.receive_buffer_size > (10u << 20))) {
    throw ConfigurationError("receive_buffer_size must be between 1 KiB and 10 MiB (libcurl's limits)");
  }
  if (options.retry) {
    const auto& r = *options.retry;
    if (r.max_retries < 0) throw ConfigurationError("retry.max_retries must not be negative");
    if (r.initial_backoff < milliseconds::zero() || r.max_backoff < milliseconds::zero() ||
        r.max_retry_after < milliseconds::zero() || r.total_budget < milliseconds::zero()) {
      throw ConfigurationError("retry: back-off, Retry-After cap and budget must not be negative");
    }
  }
  if (!options.client_key_file.empty() && options.client_cert_file.empty()) {
    throw ConfigurationError("client_key_file is set but client_cert_file is not (the key's certificate)");
  }
  check_readable_file(options.client_cert_file, "client_cert_file");
  check_readable_file(options.client_key_file, "client_key_file");
  if (options.login && options.credentials) {
    throw ConfigurationError("login and a credentials provider exclude each other: pass login_credentials() instead");
  }
}

}  // namespace

namespace detail {

Resolution resolve(const ClientOptions& options) {
  validate_options(options);
  std::vector<Source> sources{from_options(options)};
  std::string file;
  detail::LakectlConfig file_settings;
  if (!options.explicit_only) {
    sources.push_back(from_lakefs_env());
    sources.push_back(from_lakectl_env());
    file = config_file_path();
    sources.push_back(from_file(file, file_settings));
  }

  Resolution resolution;
  ResolvedConfig& resolved = resolution.config;
  auto& t = resolved.transport;
  for (const auto& s : sources) {
    if (!s.endpoint.empty()) {
      t.endpoint = detail::normalize_endpoint(s.endpoint, s.name);
      resolved.endpoint_source = s.name;
      break;
    }
  }
  if (options.credentials) {
    resolved.credentials_source = "explicit options (credentials provider)";
    resolved.credentials_kind = options.credentials->describe();
    resolution.credentials = options.credentials;
  }
  for (const auto& s : sources) {
    if (resolution.credentials) break;
    // The file's provider type decides how the file authenticates, keys or not (as in lakectl).
    if (!s.provider_type.empty()) throw_unsupported_provider(s);
    if (!s.has_credentials()) continue;
    resolved.credentials_source = s.name;
    if (!s.session_token.empty()) {  // a session token wins over a key pair
      if (options.login) {
        throw ConfigurationError(s.name + ": login needs an access key pair, but a session token was found");
      }
      resolved.credentials_kind = "session token";
      resolution.credentials = session_token_credentials(s.session_token);
    } else {
      if (s.secret_access_key.empty()) {
        throw ConfigurationError(s.name + ": an access key id is set but no secret access key");
      }
      resolved.access_key_id = s.access_key_id;
      if (options.login) {
        resolved.credentials_kind = "login";
        resolution.credentials = login_credentials(s.access_key_id, s.secret_access_key);
      } else {
        resolved.credentials_kind = "key pair";
        resolution.credentials = static_credentials(s.access_key_id, s.secret_access_key);
      }
    }
    break;
  }

  std::string looked = "explicit options";
  if (!options.explicit_only) {
    looked +=
        ", environment (LAKEFS_ENDPOINT/LAKEFS_ACCESS_KEY_ID/LAKEFS_SECRET_ACCESS_KEY, "
        "LAKECTL_SERVER_ENDPOINT_URL/LAKECTL_CREDENTIALS_*), config file " +
        (file.empty() ? std::string("~/.lakectl.yaml (HOME unset)") : shown_path(file));
  }
  if (t.endpoint.empty()) throw NoAuthenticationFoundError("no lakeFS endpoint found; looked in " + looked);
  if (resolved.credentials_source.empty()) {
    throw NoAuthenticationFoundError("no lakeFS credentials found; looked in " + looked);
  }

  if (options.verify_tls) t.verify_tls = *options.verify_tls;
  t.ca_file = options.ca_file;
  t.ca_path = options.ca_path;
  t.client_cert_file = options.client_cert_file;
  t.client_key_file = options.client_key_file;
  t.proxy = options.proxy;
  if (options.connect_timeout) t.connect_timeout = *options.connect_timeout;
  if (options.request_timeout) t.request_timeout = *options.request_timeout;
  if (options.low_speed_timeout) t.low_speed_timeout = *options.low_speed_timeout;
  resolved.max_connections_source = "defaults";
  if (options.max_connections) {
    t.max_connections = *options.max_connections;
    resolved.max_connections_source = "explicit options";
  } else if (file_settings.parallelism) {
    // lakectl's workers for a recursive upload or download; here the pool's connections, which are also the
    // batch operations' default concurrency.
    t.max_connections = *file_settings.parallelism;
    resolved.max_connections_source = sources.back().name + " (options.parallelism)";
  }
  if (options.receive_buffer_size) t.receive_buffer_size = *options.receive_buffer_size;
  if (options.engine_threads) t.engine_threads = *options.engine_threads;
  if (options.max_in_flight) t.max_in_flight = *options.max_in_flight;
  if (options.max_queued_requests) t.max_queued_requests = *options.max_queued_requests;
  if (!options.user_agent_suffix.empty()) t.user_agent_suffix = options.user_agent_suffix;
  resolved.retry_source = "defaults";
  if (options.retry) {
    resolved.retry = *options.retry;
    resolved.retry_source = "explicit options";
  } else if (file_settings.retries_enabled || file_settings.retries_max_attempts || file_settings.retries_min_wait ||
             file_settings.retries_max_wait) {
    // lakectl's server.retries: max_attempts is what its retrying client takes as the retries after the first
    // attempt; the waits bound the doubling back-off. Disabled means no retry at all.
    auto& r = resolved.retry;
    if (file_settings.retries_max_attempts) r.max_retries = *file_settings.retries_max_attempts;
    if (file_settings.retries_min_wait) r.initial_backoff = *file_settings.retries_min_wait;
    if (file_settings.retries_max_wait) r.max_backoff = *file_settings.retries_max_wait;
    if (file_settings.retries_enabled == false) r.max_retries = 0;
    resolved.retry_source = sources.back().name + " (server.retries)";
  }
  return resolution;
}

}  // namespace detail

ResolvedConfig resolve_config(const ClientOptions& options) { return detail::resolve(options).config; }

}  // namespace lakefs
