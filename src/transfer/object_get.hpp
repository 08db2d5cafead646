// SPDX-License-Identifier: Apache-2.0
// Streamed GETs of an object's bytes through lakeFS (the pre-signed ones are
// detail::presigned_get): the response's head reaches a hook before the first
// byte reaches the sink, so a caller can size its buffer from Content-Length
// or check the ETag first. And the few response headers the readers parse.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lakefs/client.hpp"
#include "lakefs/http.hpp"
#include "transfer/presign.hpp"

namespace lakefs::detail {

/// The GET of `object` through lakeFS (all of it when `range` is empty, else the Range header value `range`),
/// without its body hooks and call options.
[[nodiscard]] http::Request object_get_request(const ObjectName& object, const std::string& range);

/// One GET of `object` through lakeFS: all of it when `range` is empty, else
/// the Range header value `range`. `start` (may be empty) sees the 2xx head;
/// `sink` the body. With `restart` set, an attempt that failed after part of
/// the body arrived is retried like any GET, `restart` being called first (it
/// must make the sink forget or skip what it received); without it such an
/// attempt is not retried. Errors: ObjectNotFoundError for a missing
/// repository, ref or object, the other ServerError and TransportError types,
/// CancelledError, and whatever the hooks throw.
http::Response get_object_streamed(const Client& client, const ObjectName& object, const std::string& range,
                                   const std::function<void(const http::Response&)>& start,
                                   const std::function<void(std::string_view)>& sink,
                                   const std::function<void()>& restart, const CallOptions& call);

/// The Range header value of `length` (> 0) bytes from `offset`. Offsets are signed 64-bit on the server: an offset
/// beyond that is InvalidArgumentError (`what` names the read), and a range reaching past it runs to the end.
[[nodiscard]] std::string range_header(std::uint64_t offset, std::uint64_t length, const std::string& what);

/// Content-Length of `head`, if present and a number.
[[nodiscard]] std::optional<std::uint64_t> content_length(const http::Response& head);

/// The first offset and the complete length of a 206's "Content-Range: bytes A-B/TOTAL"
/// (TOTAL unset when it is "*"); nullopt when absent or malformed.
struct ContentRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::optional<std::uint64_t> total{};
};
[[nodiscard]] std::optional<ContentRange> content_range(const http::Response& head);

}  // namespace lakefs::detail
