#include "lakefs/client.hpp"

#include <mutex>
#include <utility>

#include "client_state.hpp"
#include "detail/convert.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/repository.hpp"

namespace lakefs {

Client::State::State(ResolvedConfig resolved)
    : config(std::move(resolved)), transport(config.transport), api(transport) {}

Client::Client() : Client(ClientOptions{}) {}

Client::Client(const ClientOptions& options) : state_(std::make_shared<State>(resolve_config(options))) {}

std::string Client::server_version() const {
  auto version = state_->api.internal.get_lakefs_version();
  if (!version.version) throw ProtocolError("the server's version response has no version");
  return *version.version;
}

ServerStorageConfiguration Client::storage_config() const {
  return detail::to_storage_config(state_->api.internal.get_storage_config());
}

Repository Client::repository(std::string id) const { return Repository(std::move(id), *this); }

api::Api& Client::api() const& { return state_->api; }

const TransportOptions& Client::options() const { return state_->transport.options(); }

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
