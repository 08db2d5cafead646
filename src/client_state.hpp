// The state every copy of a Client and every handle made from it share, and
// the private accessor through which the SDK's own code reaches it.
#pragma once

#include <atomic>
#include <memory>

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/transport.hpp"
#include "transport/channel.hpp"

namespace lakefs {

struct Client::State {
  State(ResolvedConfig resolved, std::shared_ptr<Transport> transport,
        std::shared_ptr<CredentialsProvider> credentials, LoggingOptions log);

  ResolvedConfig config;
  detail::Channel channel;
  api::Api api;
  /// Whether the server supports pre-signed URLs: -1 not asked yet, else 0/1.
  std::atomic<int> pre_sign_support{-1};
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
