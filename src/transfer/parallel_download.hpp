// SPDX-License-Identifier: Apache-2.0
// A download of one large object as ranged GETs in parallel, each written at
// its own offset of an already open file (StoredObject::download's temporary
// file). Threads take the parts in order; the first failure stops the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "lakefs/policies.hpp"
#include "transfer/presign.hpp"

namespace lakefs::detail {

// DownloadOptions' defaults (chosen by measurement: docs/bench/NOTES.md, "How the download defaults were chosen").
inline constexpr std::uint64_t default_parallel_threshold = 64u << 20;
inline constexpr std::uint64_t default_download_part_size = 16u << 20;
inline constexpr std::size_t default_download_concurrency = 4;

/// One ranged GET of [offset, offset + length): streams the bytes to `sink`;
/// `restart` (called before a retry) makes the sink forget them. Returns the
/// response's ETag header (empty when none). Runs on the download's threads.
using RangeFetch = std::function<std::string(std::uint64_t offset, std::uint64_t length,
                                             const std::function<void(std::string_view)>& sink,
                                             const std::function<void()>& restart, const CallOptions& call)>;

/// Fills `fd` (open for writing; `file` names it in errors) with the `size`
/// bytes of `object`, `part_size` bytes per GET, `concurrency` GETs at once.
/// Every part must carry the ETag of the first (one version of the object,
/// else ObjectChangedError) and exactly its length (else ProtocolError). The
/// caller's `call.stop` cancels (CancelledError); the first failure of any part
/// stops the others and is rethrown.
void parallel_download(int fd, const std::filesystem::path& file, std::uint64_t size, std::uint64_t part_size,
                       std::size_t concurrency, const ObjectName& object, const RangeFetch& fetch,
                       const CallOptions& call);

}  // namespace lakefs::detail
