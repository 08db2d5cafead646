// SPDX-License-Identifier: Apache-2.0
#include "lakefs/request_hook.hpp"

namespace lakefs {

RequestHook::~RequestHook() = default;

void RequestHook::before_attempt(RequestAttempt& /*attempt*/) {}

void RequestHook::after_attempt(RequestAttempt& /*attempt*/, const AttemptResult& /*result*/) {}

}  // namespace lakefs
