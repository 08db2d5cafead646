// SPDX-License-Identifier: Apache-2.0
// The page fetch of an AsyncListing built from what the synchronous Listing of the same endpoint uses: the same
// request (made by one function for both), the same schema check of the answer and the same decoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lakefs/async/listing.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/http.hpp"
#include "model/convert.hpp"

namespace lakefs::detail {

/// One page: the answer `response` (awaited) checked against `schema`, its items decoded by `decode(body, items)`.
template <typename T, typename Decode>
async::Task<Page<T>> async_page(async::Task<http::Response> response, const char* schema, Decode decode) {
  http::Response answer = co_await std::move(response);
  RawPage raw = raw_page(std::move(answer), schema);
  Page<T> page;
  decode(std::string_view(raw.body), page.items);
  page.next_after = std::move(raw.next_after);
  co_return page;
}

/// An AsyncListing fetch: `send(after, amount)` gives the task of one page's raw answer (the generated
/// `..._raw_async` call), `decode` its items.
template <typename T, typename Send, typename Decode>
typename AsyncListing<T>::Fetch async_pages(Send send, const char* schema, Decode decode) {
  return [send = std::move(send), schema, decode = std::move(decode)](std::string after, std::size_t amount) {
    return async_page<T>(send(std::move(after), amount), schema, decode);
  };
}

}  // namespace lakefs::detail
