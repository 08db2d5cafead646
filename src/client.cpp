// SPDX-License-Identifier: Apache-2.0
#include "lakefs/client.hpp"

#include <mutex>
#include <utility>

#include "client_state.hpp"
#include "codec/validate.hpp"
#include "config/resolve.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/repository.hpp"
#include "login.hpp"
#include "model/convert.hpp"
#include "util/http_syntax.hpp"

namespace lakefs {
Client::State::State(ResolvedConfig resolved, std::shared_ptr<Transport> transport,
                     std::shared_ptr<CredentialsProvider> credentials, LoggingOptions log,
                     std::shared_ptr<RequestHook> hook)
    : config(std::move(resolved)),
      channel(transport ? std::move(transport) : make_curl_transport(config.transport),
              detail::origin_of(config.transport.endpoint), config.retry, config.transport.request_timeout,
              std::move(credentials), detail::Logger(log), detail::login_exchange, std::move(hook),
              detail::EngineLimits{.threads = config.transport.engine_threads,
                                   .max_in_flight = config.transport.max_in_flight,
                                   .max_queued = config.transport.max_queued_requests}),
      api(channel) {}

Client::Client() : Client(ClientOptions{}) {}

Client::Client(const ClientOptions& options) {
  auto resolution = detail::resolve(options);
  state_ = std::make_shared<State>(std::move(resolution.config), options.transport, std::move(resolution.credentials),
                                   options.log, options.request_hook);
  state_->channel.set_owner(state_);
}

std::string Client::server_version(CallOptions call) const { return server_config(std::move(call)).version; }

ServerConfiguration Client::server_config(CallOptions call) const {
  ServerConfiguration out;
  api::Config config;
  try {
    config = state_->api.config.get_config({.call = call});
  } catch (const NotFoundError&) {
    // A server from before GET /config: its deprecated endpoints.
    auto version = state_->api.internal.get_lakefs_version({.call = call});
    if (!version.version) throw ProtocolError("the server's version response has no version");
    out.version = *version.version;
    out.upgrade_recommended = version.upgrade_recommended.value_or(false);
    out.latest_version = version.latest_version;
    out.unknown_fields = detail::to_unknown_fields(version.unknown_fields);
    out.storages.push_back(detail::to_storage_config(state_->api.internal.get_storage_config({.call = call})));
    return out;
  }
  if (!config.version_config || !config.version_config->version) {
    throw ProtocolError("the server's configuration (GET /config) has no version");
  }
  out.version = *config.version_config->version;
  out.latest_version = config.version_config->latest_version;
  out.upgrade_recommended = config.version_config->upgrade_recommended.value_or(false);
  out.unknown_fields = detail::to_unknown_fields(config.unknown_fields);
  // A multi-storage server lists every block store; one with a single store leaves the list empty.
  if (config.storage_config_list && !config.storage_config_list->empty()) {
    for (const auto& s : *config.storage_config_list) out.storages.push_back(detail::to_storage_config(s));
  } else if (config.storage_config) {
    out.storages.push_back(detail::to_storage_config(*config.storage_config));
  }
  return out;
}

ServerStorageConfiguration Client::storage_config(CallOptions call) const {
  auto config = server_config(std::move(call));
  if (config.storages.empty()) throw ProtocolError("the server's configuration (GET /config) names no block store");
  return std::move(config.storages.front());
}

ServerStorageConfiguration Client::storage_config(const std::string& storage_id, CallOptions call) const {
  auto config = server_config(std::move(call));
  std::string known;
  for (auto& s : config.storages) {
    if (s.blockstore_id == storage_id) return std::move(s);
    known += (known.empty() ? "'" : ", '") + detail::printable(s.blockstore_id) + "'";
  }
  throw InvalidArgumentError("the server has no block store '" + detail::printable(storage_id) + "' (it has " + known +
                             ")");
}

Repository Client::repository(std::string id) const { return Repository(std::move(id), *this); }

api::Api& Client::api() const& { return state_->api; }

http::Response Client::send(http::Request request) const { return state_->channel.send(std::move(request)); }

async::Task<http::Response> Client::send_async(http::Request request) const {
  return state_->channel.send_async(std::move(request));
}

void Client::set_credentials(std::shared_ptr<CredentialsProvider> provider) const {
  if (!provider) throw InvalidArgumentError("set_credentials: the provider is null");
  state_->channel.set_credentials(std::move(provider));
}

const TransportOptions& Client::options() const { return state_->config.transport; }

const ResolvedConfig& Client::config() const { return state_->config; }

namespace {
std::mutex default_mutex;
std::optional<Client> default_instance;
}  // namespace

Client default_client() {
  std::lock_guard lock(default_mutex);
  if (!default_instance) default_instance.emplace();
  return *default_instance;
}

void set_default_client(Client client) {
  std::lock_guard lock(default_mutex);
  default_instance = std::move(client);
}

}  // namespace lakefs
