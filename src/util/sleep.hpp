// SPDX-License-Identifier: Apache-2.0
// A pause that a stop request cuts short: the retry back-off's, and the
// SDK's polling loops' (imports, refs dump and restore tasks).
#pragma once

#include <chrono>
#include <stop_token>

namespace lakefs::detail {

/// Sleeps for `delay` unless `stop` is requested first; true when it was. The
/// pause of the retry back-off and of the SDK's polling loops (imports, refs tasks).
bool sleep_unless_stopped(std::chrono::milliseconds delay, const std::stop_token& stop);

}  // namespace lakefs::detail
