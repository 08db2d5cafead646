// SPDX-License-Identifier: Apache-2.0
// Turns failed exchanges into the typed exceptions of lakefs/errors.hpp.
// Kept apart from the libcurl code so unit tests can check the mapping.
#pragma once

#include <exception>
#include <string>
#include <string_view>

#include "lakefs/transport.hpp"
#include "transport/redaction.hpp"

namespace lakefs::detail {

/// The server's message from a lakeFS error body ({"message": "..."}, or
/// {"error": "..."}); empty for JSON without either (e.g. lakeFS's merge
/// conflict answer {"reference":""}); the body itself (trimmed, shortened)
/// when it is not JSON.
[[nodiscard]] std::string server_message_of(std::string_view body);

/// Throws the ServerError subclass for `response.status`, keeping the body
/// (bounded by ServerError::max_body_size) and the headers (without
/// Set-Cookie). Body, message and header values are passed through `redactor`
/// first: an error page may echo the request's credentials.
[[noreturn]] void throw_server_error(const http::Response& response, std::string_view method, std::string_view path,
                                     const Redactor& redactor = {});

/// The ServerError subclass for `status` as an exception_ptr: the error of
/// one item inside a batch answer (remove_objects' per-object statuses).
/// `message` is passed through `redactor`.
[[nodiscard]] std::exception_ptr item_error(int status, std::string_view message, std::string_view method,
                                            std::string_view path, const Redactor& redactor = {});

/// Throws the TransportError subclass for an attempt that got no answer
/// (CancelledError for Failure::cancelled). `outcome_unknown` marks a
/// non-idempotent request that was sent but got no answer: the message then
/// says it may have been applied.
/// throw_transport_error()'s exception, made without throwing it.
[[nodiscard]] std::exception_ptr transport_error(http::Failure failure, std::string_view message,
                                                 std::string_view method, std::string_view path,
                                                 const std::string& origin, bool outcome_unknown = false);

[[noreturn]] void throw_transport_error(http::Failure failure, std::string_view message, std::string_view method,
                                        std::string_view path, const std::string& origin, bool outcome_unknown = false);

}  // namespace lakefs::detail
