// SPDX-License-Identifier: Apache-2.0
// A download of one large object as ranged GETs in parallel, each written at
// its own offset of an already open file (StoredObject::download's temporary
// file), on the engine. Parts start in order; the first failure stops the others.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "async/via.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/http.hpp"
#include "lakefs/policies.hpp"
#include "transfer/presign.hpp"

namespace lakefs::detail {

// DownloadOptions' defaults (chosen by measurement: docs/bench/NOTES.md, "How the download defaults were chosen").
inline constexpr std::uint64_t default_parallel_threshold = 64u << 20;
inline constexpr std::uint64_t default_download_part_size = 16u << 20;
inline constexpr std::size_t default_download_concurrency = 4;

/// Sends one ranged GET (complete but for its URL: method, Range header, body sink, restart_body, call) as a task
/// on the engine, and returns its response (for the ETag).
using RangeSend = std::function<async::Task<http::Response>(http::Request request)>;

/// Fills `fd` (open for writing; `file` names it in errors) with the `size`
/// bytes of `object`, `part_size` bytes per GET, `concurrency` GETs at once on
/// the client's engine.
/// Every part must carry the ETag of the first (one version of the object,
/// else ObjectChangedError) and exactly its length (else ProtocolError). The
/// caller's `call.stop` cancels (CancelledError); the first failure of any part
/// stops the others and is rethrown.
/// With Via::caller the calling thread waits for the ranges (run_batch); with Via::engine the task awaits them.
[[nodiscard]] async::Task<void> parallel_download(Via via, int fd, std::filesystem::path file, std::uint64_t size,
                                                  std::uint64_t part_size, std::size_t concurrency, ObjectName object,
                                                  RangeSend send, CallOptions call);

}  // namespace lakefs::detail
