// SPDX-License-Identifier: Apache-2.0
// The object tasks as the SDK runs them inside its own tasks: without waiting for admission (async/admission.hpp),
// which the task around them already has.
#pragma once

#include "lakefs/async/task.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object.hpp"

namespace lakefs::detail {

/// StoredObject::stat_async, not admitted.
[[nodiscard]] async::Task<ObjectInfo> stat_unadmitted(const StoredObject& object, StatOptions options);

}  // namespace lakefs::detail
