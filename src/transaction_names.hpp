// SPDX-License-Identifier: Apache-2.0
// How a transaction's ephemeral branch is named, so that leftovers (of a
// process that died mid-transaction) can be recognised and aged.
#pragma once

#include <optional>
#include <string_view>

#include "lakefs/models.hpp"

namespace lakefs::detail {

/// When the transaction whose ephemeral branch is `branch` started, or
/// nullopt when `branch` is not named like one ("tx-YYYYMMDD-HHMMSS-<12 of a-z0-9>", UTC).
[[nodiscard]] std::optional<Timestamp> transaction_started(std::string_view branch);

}  // namespace lakefs::detail
