// SPDX-License-Identifier: Apache-2.0
// The SDK's own version (not the server's: see Client::server_version()).
#pragma once

// Every public header includes this first (through lakefs/export.hpp): below C++20, one clear message and no more.
#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "lakefs-cpp needs C++20 or newer: compile with -std=c++20 (CMake: link lakefs::lakefs, which sets it)"
// A missing header ends compilation at once, so the C++20 code below does not add dozens of unrelated errors.
#include <lakefs-cpp-requires-cplusplus-20>
#endif

#define LAKEFS_CPP_VERSION_MAJOR 0
#define LAKEFS_CPP_VERSION_MINOR 1
#define LAKEFS_CPP_VERSION_PATCH 0
#define LAKEFS_CPP_VERSION "0.1.0"

namespace lakefs {
/// "0.1.0": the version of these headers (lakefs::library_version() gives the library's).
inline constexpr const char* sdk_version = LAKEFS_CPP_VERSION;
}  // namespace lakefs
