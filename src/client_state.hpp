// SPDX-License-Identifier: Apache-2.0
// The state every copy of a Client and every handle made from it share, and
// the private accessor through which the SDK's own code reaches it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/transport.hpp"
#include "transport/channel.hpp"

namespace lakefs {
namespace detail {

/// What the server's block store allows for direct transfers (its storage config).
struct StoreCapabilities {
  bool pre_sign = false;
  bool pre_sign_multipart = false;
  std::string blockstore_type{};
};

}  // namespace detail

struct Client::State {
  State(ResolvedConfig resolved, std::shared_ptr<Transport> transport, std::shared_ptr<CredentialsProvider> credentials,
        LoggingOptions log, std::shared_ptr<RequestHook> hook = {});

  ResolvedConfig config;
  detail::Channel channel;
  api::Api api;
  /// What the server's block store allows for direct transfers; asked once
  /// per client (detail::store_capabilities), guarded by `store_mutex`.
  std::mutex store_mutex;
  std::optional<detail::StoreCapabilities> store;
};

namespace detail {

/// The SDK's way into a Client's private state.
struct ClientAccess {
  static Client::State& state(const Client& client) noexcept { return *client.state_; }
};

[[nodiscard]] inline const Channel& channel_of(const Client& client) noexcept {
  return ClientAccess::state(client).channel;
}

}  // namespace detail
}  // namespace lakefs
