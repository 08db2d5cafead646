#include "lakefs/client.hpp"

#include <mutex>
#include <utility>

#include "client_state.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"

namespace lakefs {

Client::State::State(ResolvedConfig resolved)
    : config(std::move(resolved)), transport(config.transport), api(transport) {}

Client::Client() : Client(ClientOptions{}) {}

Client::Client(const ClientOptions& options) : state_(std::make_shared<State>(resolve_config(options))) {}

api::Api& Client::api() const { return state_->api; }

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
