// The state every copy of a Client and every handle made from it share.
#pragma once

#include "lakefs/api/api.hpp"
#include "lakefs/client.hpp"
#include "lakefs/transport.hpp"

namespace lakefs {

struct Client::State {
  explicit State(ResolvedConfig resolved);

  ResolvedConfig config;
  Transport transport;
  api::Api api;
};

}  // namespace lakefs
