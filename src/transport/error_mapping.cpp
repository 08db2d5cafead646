// SPDX-License-Identifier: Apache-2.0
#include "transport/error_mapping.hpp"

#include <simdjson.h>

#include <cctype>
#include <utility>
#include <vector>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

std::string server_message_of(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!body.empty() && parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS) {
    std::string_view message;
    if (doc["message"].get_string().get(message) == simdjson::SUCCESS) return std::string(message);
    if (doc["error"].get_string().get(message) == simdjson::SUCCESS) return std::string(message);
    // JSON without an explanation (lakeFS answers a merge conflict with {"reference":""}): nothing to
    // quote; the body stays available in ServerError::body() and what() names the status instead.
    return {};
  }
  // Not lakeFS's JSON error (a proxy's HTML page, plain text): keep a readable excerpt.
  std::string text(body.substr(0, 512));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

namespace {

struct Answer {
  int status;
  std::string message;
  std::string request_id;
  std::string method;
  std::string path;
  std::string body;
  std::vector<ServerError::Header> headers;
};

bool is_set_cookie(std::string_view name) {
  constexpr std::string_view kName = "set-cookie";
  if (name.size() != kName.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != kName[i]) return false;
  }
  return true;
}

[[noreturn]] void raise_for_status(Answer& a);

template <typename E>
[[noreturn]] void raise(Answer& a) {
  throw E(a.status, std::move(a.message), std::move(a.request_id), std::move(a.method), std::move(a.path),
          std::move(a.body), std::move(a.headers));
}

}  // namespace

void throw_server_error(const http::Response& response, std::string_view method, std::string_view path,
                        const Redactor& redactor) {
  Answer a{.status = response.status,
           .message = {},
           .request_id = std::string(response.header("x-request-id").value_or("")),
           .method = std::string(method),
           .path = std::string(path),
           // Scrubbed whole, before ServerError cuts it: no part of a secret survives at the cut.
           .body = redactor.scrub(response.body),
           .headers = {}};
  a.message = server_message_of(a.body);
  a.headers.reserve(response.headers.size());
  for (const auto& [name, value] : response.headers) {
    if (is_set_cookie(name)) continue;  // a session cookie is a credential
    a.headers.emplace_back(name, redactor.scrub(value));
  }
  raise_for_status(a);
}

std::exception_ptr item_error(int status, std::string_view message, std::string_view method, std::string_view path,
                              const Redactor& redactor) {
  Answer a{.status = status,
           .message = redactor.scrub(std::string(message)),
           .request_id = {},
           .method = std::string(method),
           .path = std::string(path),
           .body = {},
           .headers = {}};
  try {
    raise_for_status(a);
  } catch (...) {
    return std::current_exception();
  }
}

namespace {

void raise_for_status(Answer& a) {
  switch (a.status) {
    case 400:
      raise<BadRequestError>(a);
    case 401:
      raise<UnauthorizedError>(a);
    case 403:
      raise<ForbiddenError>(a);
    case 404:
      // lakeFS names a missing repository; any other 404 (object, ref, branch, ...) stays general.
      if (a.message == "repository not found") raise<RepositoryNotFoundError>(a);
      raise<NotFoundError>(a);
    case 405:
      raise<MethodNotAllowedError>(a);
    case 409:
      raise<ConflictError>(a);
    case 412:
      // lakeFS: "pre-commit hook aborted, run id '...': ..." (any pre-* event).
      if (a.message.find(" hook aborted, run id '") != std::string::npos) raise<HookFailedError>(a);
      raise<PreconditionFailedError>(a);
    case 416:
      raise<InvalidRangeError>(a);
    case 429:
      raise<TooManyRequestsError>(a);
    case 501:
      raise<NotImplementedError>(a);
    default:
      raise<ServerError>(a);
  }
}

}  // namespace

std::exception_ptr transport_error(http::Failure failure, std::string_view message, std::string_view method,
                                   std::string_view path, const std::string& origin, bool outcome_unknown) {
  std::string detail = message.empty() ? std::string("no answer") : std::string(message);
  if (outcome_unknown) {
    detail +=
        "; the request was sent but no answer came back, so it may have been applied on the server (it was not "
        "re-sent: check the state before trying again)";
  }
  std::string text = std::string(method) + " " + std::string(path) + ": ";
  switch (failure) {
    case http::Failure::cannot_connect:
      return std::make_exception_ptr(ConnectionError(text + "cannot connect to " + origin + ": " + detail, origin));
    case http::Failure::timed_out:
      return std::make_exception_ptr(
          TimeoutError(text + "timed out talking to " + origin + ": " + detail, origin, outcome_unknown));
    case http::Failure::tls:
      return std::make_exception_ptr(
          TlsError(text + "TLS failure with " + origin + ": " + detail, origin, outcome_unknown));
    case http::Failure::cancelled:
      return std::make_exception_ptr(
          CancelledError(text + "cancelled" + (outcome_unknown ? "; " + detail : std::string()), outcome_unknown));
    case http::Failure::none:
    case http::Failure::connection_dropped:
    case http::Failure::other:
      break;
  }
  return std::make_exception_ptr(
      TransportError(text + "transfer with " + origin + " failed: " + detail, origin, outcome_unknown));
}

void throw_transport_error(http::Failure failure, std::string_view message, std::string_view method,
                           std::string_view path, const std::string& origin, bool outcome_unknown) {
  std::rethrow_exception(transport_error(failure, message, method, path, origin, outcome_unknown));
}

}  // namespace lakefs::detail
