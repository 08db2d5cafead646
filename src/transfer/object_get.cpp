// SPDX-License-Identifier: Apache-2.0
#include "transfer/object_get.hpp"

#include <limits>
#include <utility>

#include "api/api_support.hpp"
#include "client_state.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"
#include "util/http_syntax.hpp"

namespace lakefs::detail {

http::Request object_get_request(const ObjectName& object, const std::string& range) {
  http::Request request;
  request.method = "GET";
  request.path = "/repositories/";
  http::append_encoded(request.path, object.repo);
  request.path += "/refs/";
  http::append_encoded(request.path, object.ref);
  request.path += "/objects";
  add_query_string(request.query, "path", object.path);
  if (!range.empty()) request.headers.emplace_back("Range", range);
  return request;
}

http::Response get_object_streamed(const Client& client, const ObjectName& object, const std::string& range,
                                   const std::function<void(const http::Response&)>& start,
                                   const std::function<void(std::string_view)>& sink,
                                   const std::function<void()>& restart, const CallOptions& call) {
  http::Request request = object_get_request(object, range);
  request.call = call;
  request.body_start = start;
  request.body_sink = sink;
  request.restart_body = restart;
  return object_call(object.repo, object.ref, object.path, [&] { return channel_of(client).send(request); });
}

std::string range_header(std::uint64_t offset, std::uint64_t length, const std::string& what) {
  constexpr auto max_offset = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (offset > max_offset) {
    throw InvalidArgumentError(what + ": offset " + std::to_string(offset) + " is beyond the largest possible object");
  }
  std::string range = "bytes=" + std::to_string(offset) + "-";
  if (length - 1 <= max_offset - offset) range += std::to_string(offset + length - 1);
  return range;
}

std::optional<std::uint64_t> content_length(const http::Response& head) {
  const auto value = head.header("content-length");
  return value ? parse_decimal(*value) : std::nullopt;
}

std::optional<ContentRange> content_range(const http::Response& head) {
  auto value = head.header("content-range");
  if (!value || !value->starts_with("bytes ")) return std::nullopt;
  std::string_view text = value->substr(6);
  const auto dash = text.find('-');
  const auto slash = text.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
  const auto first = parse_decimal(text.substr(0, dash));
  const auto last = parse_decimal(text.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  ContentRange out{*first, *last, std::nullopt};
  const auto total = text.substr(slash + 1);
  if (total != "*") {
    out.total = parse_decimal(total);
    if (!out.total || *out.total <= *last) return std::nullopt;
  }
  return out;
}

}  // namespace lakefs::detail
