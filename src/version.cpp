// SPDX-License-Identifier: Apache-2.0
// The library's side of lakefs/export.hpp: its version and the ABI tag its headers refer to.
#include "lakefs/export.hpp"

// Defined only here, under the name of this library's ABI (lakefs_cpp_abi_v<major>_<minor>); external linkage
// and default visibility come from the declaration in lakefs/export.hpp.
extern "C" {
const char LAKEFS_CPP_ABI_SYMBOL = 0;
}

namespace lakefs {

const char* library_version() noexcept { return LAKEFS_CPP_VERSION; }

}  // namespace lakefs
