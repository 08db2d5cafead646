// SPDX-License-Identifier: Apache-2.0
// Which declarations the shared library exports, and the check that these headers and the library they are
// linked with are of the same ABI. Every public header includes it (first, so a compiler below C++20 stops at
// version.hpp's message before anything else).
#pragma once

#include "lakefs/version.hpp"

/// Marks a class or function of the public API as exported from the shared library. The library is built with
/// hidden visibility (`-fvisibility=hidden`): whatever is not marked stays internal, so the library's exported
/// symbols are its API and nothing else (neither its dependencies' nor its own implementation's).
#if defined(__GNUC__) || defined(__clang__)
#define LAKEFS_API __attribute__((visibility("default")))
#else
#define LAKEFS_API
#endif

#define LAKEFS_CPP_ABI_CONCAT_(major, minor) lakefs_cpp_abi_v##major##_##minor
#define LAKEFS_CPP_ABI_NAME_(major, minor) LAKEFS_CPP_ABI_CONCAT_(major, minor)
/// The ABI tag of these headers: a symbol only a library of the same ABI (same major.minor while the version is
/// 0.x, same major from 1.0) defines. Every translation unit that includes a lakefs header refers to it, so a
/// program compiled with these headers and linked (or run) with a library of another ABI fails to link, or to
/// load, with "undefined symbol: lakefs_cpp_abi_vX_Y" instead of misbehaving.
#define LAKEFS_CPP_ABI_SYMBOL LAKEFS_CPP_ABI_NAME_(LAKEFS_CPP_VERSION_MAJOR, LAKEFS_CPP_VERSION_MINOR)

extern "C" {
LAKEFS_API extern const char LAKEFS_CPP_ABI_SYMBOL;
}

namespace lakefs {

/// The version of the library the program runs with ("0.1.0"), which may differ from sdk_version (the headers'
/// version) by its patch number only: the ABI tag above refuses any other difference.
[[nodiscard]] LAKEFS_API const char* library_version() noexcept;

namespace detail {
#if (defined(__GNUC__) || defined(__clang__)) && !defined(LAKEFS_BUILDING_LIBRARY)
// The reference that makes the ABI tag required (kept by `used` although nothing reads it). Every user of the
// headers has it; the library itself, which defines the tag, does not.
[[gnu::used]] static const char* const abi_tag_reference = &LAKEFS_CPP_ABI_SYMBOL;
#endif
}  // namespace detail

}  // namespace lakefs
