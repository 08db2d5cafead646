// SPDX-License-Identifier: Apache-2.0
// Configuration discovery (src/config.cpp): the public ResolvedConfig plus
// the credentials provider, which holds the secrets ResolvedConfig must not.
#pragma once

#include <memory>

#include "lakefs/client.hpp"
#include "lakefs/credentials.hpp"

namespace lakefs::detail {

struct Resolution {
  ResolvedConfig config;
  std::shared_ptr<CredentialsProvider> credentials;
};

/// Resolves `options` against the environment and the config file; throws
/// ConfigurationError or NoAuthenticationFoundError like resolve_config().
[[nodiscard]] Resolution resolve(const ClientOptions& options);

}  // namespace lakefs::detail
