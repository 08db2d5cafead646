// The SDK's own version (not the server's: see Client::server_version()).
#pragma once

#define LAKEFS_CPP_VERSION_MAJOR 0
#define LAKEFS_CPP_VERSION_MINOR 1
#define LAKEFS_CPP_VERSION_PATCH 0
#define LAKEFS_CPP_VERSION "0.1.0"

namespace lakefs {
/// "0.1.0": the version of this SDK.
inline constexpr const char* sdk_version = LAKEFS_CPP_VERSION;
}  // namespace lakefs
