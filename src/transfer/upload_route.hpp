// SPDX-License-Identifier: Apache-2.0
// The rule that picks how an object goes up: through lakeFS, as one pre-signed
// PUT straight to the object store, or as a pre-signed multipart upload. Used
// by every upload (Object::upload*, the ObjectWriter), so they decide alike.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "client_state.hpp"

namespace lakefs::detail {

enum class UploadRoute {
  through_lakefs,       // one upload request to lakeFS, which writes the object store itself
  presigned_put,        // one PUT to a pre-signed URL, then linked by lakeFS
  presigned_multipart,  // parts PUT to pre-signed URLs, completed by lakeFS
};

/// What an upload is, as far as its route goes.
struct UploadCase {
  /// The object's size; unset = a stream of unknown length (a writer's, or a stream that cannot be measured).
  std::optional<std::uint64_t> length{};
  /// Whether the bytes can go up as parts: read at offsets (an upload's seekable source), or cut into parts as
  /// they come (a writer's buffers).
  bool in_parts = false;
  /// The caller's choice (UploadOptions::pre_sign, WriterOptions::pre_sign); unset = whatever the server allows.
  std::optional<bool> pre_sign{};
  /// exclusive (If-None-Match) or if_match (If-Match): lakeFS checks them when it links one PUT, not when it
  /// completes a multipart upload.
  bool conditional = false;
  /// A storage class was asked for: lakeFS sends it to the store only on an upload through it.
  bool storage_class = false;
  /// UploadOptions::multipart_threshold (0 = the default): a known length at or above it goes up in parts.
  std::uint64_t multipart_threshold = 0;
};

/// The threshold at or above which an object of known length goes up in parts: `requested` (0 = the default),
/// capped at the store's single-PUT limit.
[[nodiscard]] std::uint64_t multipart_threshold(std::uint64_t requested) noexcept;

/// Whether upload_route() asks for the store's capabilities on `upload` (so an asynchronous caller fetches them
/// first, only then).
[[nodiscard]] bool route_needs_store(const UploadCase& upload) noexcept;

/// The route of `upload`. `store` gives the server's block-store capabilities; it is asked only when the answer
/// depends on them (never with pre_sign = false). A combination that cannot be honoured is NotSupportedError, its
/// message starting with `what` (e.g. "upload of 'data/x'").
[[nodiscard]] UploadRoute upload_route(const UploadCase& upload, const std::function<StoreCapabilities()>& store,
                                       std::string_view what);

}  // namespace lakefs::detail
