#include "lakefs/errors.hpp"

#include <utility>

namespace lakefs {
namespace {

std::string describe(int status, const std::string& message, const std::string& request_id, const std::string& method,
                     const std::string& path) {
  std::string text = method + " " + path + ": HTTP " + std::to_string(status);
  if (!message.empty()) text += ": " + message;
  if (!request_id.empty()) text += " (request id " + request_id + ")";
  return text;
}

}  // namespace

ServerError::ServerError(int status, std::string server_message, std::string request_id, std::string method,
                         std::string path)
    : Error(describe(status, server_message, request_id, method, path)),
      status_(status),
      server_message_(std::move(server_message)),
      request_id_(std::move(request_id)),
      method_(std::move(method)),
      path_(std::move(path)) {}

TransportError::TransportError(const std::string& message, std::string endpoint, bool outcome_unknown)
    : Error(message), endpoint_(std::move(endpoint)), outcome_unknown_(outcome_unknown) {}

}  // namespace lakefs
