#include "transport/error_mapping.hpp"

#include <simdjson.h>

#include "lakefs/errors.hpp"

namespace lakefs::detail {

std::string server_message_of(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (!body.empty() && parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS) {
    std::string_view message;
    if (doc["message"].get_string().get(message) == simdjson::SUCCESS) return std::string(message);
  }
  // Not lakeFS's JSON error (a proxy's HTML page, plain text): keep a readable excerpt.
  std::string text(body.substr(0, 512));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
  return text;
}

void throw_server_error(const http::Response& response, std::string_view method_view, std::string_view path_view,
                        const Redactor& redactor) {
  std::string message = redactor.scrub(server_message_of(response.body));
  std::string request_id(response.header("x-request-id").value_or(""));
  std::string method(method_view);
  std::string path(path_view);
  const int status = response.status;
  switch (status) {
    case 400:
      throw BadRequestError(status, message, request_id, method, path);
    case 401:
      throw UnauthorizedError(status, message, request_id, method, path);
    case 403:
      throw ForbiddenError(status, message, request_id, method, path);
    case 404:
      throw NotFoundError(status, message, request_id, method, path);
    case 409:
      throw ConflictError(status, message, request_id, method, path);
    case 412:
      throw PreconditionFailedError(status, message, request_id, method, path);
    case 416:
      throw InvalidRangeError(status, message, request_id, method, path);
    case 429:
      throw TooManyRequestsError(status, message, request_id, method, path);
    case 501:
      throw NotImplementedError(status, message, request_id, method, path);
    default:
      throw ServerError(status, message, request_id, method, path);
  }
}

void throw_transport_error(http::Failure failure, std::string_view message, std::string_view method,
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
      throw ConnectionError(text + "cannot connect to " + origin + ": " + detail, origin);
    case http::Failure::timed_out:
      throw TimeoutError(text + "timed out talking to " + origin + ": " + detail, origin, outcome_unknown);
    case http::Failure::tls:
      throw TlsError(text + "TLS failure with " + origin + ": " + detail, origin, outcome_unknown);
    case http::Failure::cancelled:
      throw CancelledError(text + "cancelled" + (outcome_unknown ? "; " + detail : std::string()), outcome_unknown);
    case http::Failure::none:
    case http::Failure::connection_dropped:
    case http::Failure::other:
      break;
  }
  throw TransportError(text + "transfer with " + origin + " failed: " + detail, origin, outcome_unknown);
}

}  // namespace lakefs::detail
