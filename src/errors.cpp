// SPDX-License-Identifier: Apache-2.0
#include "lakefs/errors.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "util/http_syntax.hpp"

namespace lakefs {
namespace {

// What a status means, for a what() whose answer carried no explanation.
const char* status_text(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 409:
      return "conflict with the current state";
    case 412:
      return "precondition failed";
    case 416:
      return "range not satisfiable";
    case 429:
      return "too many requests";
    case 500:
      return "internal server error";
    case 501:
      return "not implemented";
    case 502:
      return "bad gateway";
    case 503:
      return "service unavailable";
    case 504:
      return "gateway timeout";
    default:
      return "";
  }
}

std::string describe(int status, const std::string& message, const std::string& request_id, const std::string& method,
                     const std::string& path) {
  std::string text = method + " " + path + ": HTTP " + std::to_string(status);
  const std::string explanation = message.empty() ? std::string(status_text(status)) : message;
  if (!explanation.empty()) text += ": " + explanation;
  if (!request_id.empty()) text += " (request id " + request_id + ")";
  return text;
}

bool same_name(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

std::string describe_merge_conflict(const ServerError& answer, const std::string& source,
                                    const std::string& destination) {
  std::string text = "merge of '" + source + "' into '" + destination + "': conflict (";
  text += answer.server_message().empty() ? "the same paths changed on both sides" : answer.server_message();
  text += "; " + answer.method() + " " + answer.path() + ": HTTP " + std::to_string(answer.status());
  if (!answer.request_id().empty()) text += ", request id " + answer.request_id();
  return text + ")";
}

std::string describe_io(const std::string& operation, const std::filesystem::path& path, const std::error_code& code,
                        const std::string& detail) {
  std::string text = "cannot " + operation;
  if (!path.empty()) text += " '" + path.string() + "'";
  if (code) text += ": " + code.message();
  if (!detail.empty()) text += " (" + detail + ")";
  return text;
}

}  // namespace

ServerError::ServerError(int status, std::string server_message, std::string request_id, std::string method,
                         std::string path)
    : ServerError(status, std::move(server_message), std::move(request_id), std::move(method), std::move(path), {},
                  {}) {}

ServerError::ServerError(int status, std::string server_message, std::string request_id, std::string method,
                         std::string path, std::string body, std::vector<Header> headers)
    : Error(describe(status, server_message, request_id, method, path)),
      status_(status),
      server_message_(std::move(server_message)),
      request_id_(std::move(request_id)),
      method_(std::move(method)),
      path_(std::move(path)),
      body_(std::move(body)),
      headers_(std::move(headers)) {
  if (body_.size() > max_body_size) {
    body_.resize(max_body_size);
    body_.shrink_to_fit();
    body_truncated_ = true;
  }
}

ServerError::ServerError(const std::string& what, const ServerError& answer) : Error(what) {
  status_ = answer.status_;
  server_message_ = answer.server_message_;
  request_id_ = answer.request_id_;
  method_ = answer.method_;
  path_ = answer.path_;
  body_ = answer.body_;
  body_truncated_ = answer.body_truncated_;
  headers_ = answer.headers_;
}

std::optional<std::string_view> ServerError::header(std::string_view name) const {
  for (const auto& [key, value] : headers_) {
    if (same_name(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

MergeConflictError::MergeConflictError(const ConflictError& answer, std::string source_ref,
                                       std::string destination_branch)
    : ConflictError(describe_merge_conflict(answer, source_ref, destination_branch), answer),
      source_ref_(std::move(source_ref)),
      destination_branch_(std::move(destination_branch)) {}

TransportError::TransportError(const std::string& message, std::string endpoint, bool outcome_unknown)
    : Error(message), endpoint_(std::move(endpoint)), outcome_unknown_(outcome_unknown) {}

LocalIOError::LocalIOError(std::string operation, std::filesystem::path path, std::error_code code,
                           const std::string& detail)
    : Error(describe_io(operation, path, code, detail)),
      operation_(std::move(operation)),
      path_(std::move(path)),
      code_(code) {}

namespace {
std::string store_explanation(const std::string& code, const std::string& message) {
  if (code.empty()) return message;
  if (message.empty()) return code;
  return code + ": " + message;
}
}  // namespace

namespace {
// lakeFS: "<event> hook aborted, run id '<id>': ...".
std::string hook_run_id(const std::string& message) {
  constexpr std::string_view kMarker = "run id '";
  const auto start = message.find(kMarker);
  if (start == std::string::npos) return {};
  const auto from = start + kMarker.size();
  const auto end = message.find('\'', from);
  return end == std::string::npos ? std::string() : message.substr(from, end - from);
}
}  // namespace

HookFailedError::HookFailedError(int status, std::string server_message, std::string request_id, std::string method,
                                 std::string path, std::string body, std::vector<Header> headers)
    : PreconditionFailedError(status, std::move(server_message), std::move(request_id), std::move(method),
                              std::move(path), std::move(body), std::move(headers)),
      run_id_(hook_run_id(this->server_message())) {}

namespace {

// The size in "bytes */<size>" (a 416's Content-Range, RFC 9110 14.4); nullopt for any other form.
std::optional<std::uint64_t> unsatisfied_range_size(std::optional<std::string_view> content_range) {
  if (!content_range) return std::nullopt;
  std::string_view v = *content_range;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  constexpr std::string_view prefix = "bytes */";
  if (!v.starts_with(prefix)) return std::nullopt;
  v.remove_prefix(prefix.size());
  return detail::parse_decimal(v);
}

}  // namespace

InvalidRangeError::InvalidRangeError(int status, std::string server_message, std::string request_id, std::string method,
                                     std::string path, std::string body, std::vector<Header> headers)
    : ServerError(status, std::move(server_message), std::move(request_id), std::move(method), std::move(path),
                  std::move(body), std::move(headers)),
      object_size_(unsatisfied_range_size(header("content-range"))) {}

InvalidRangeError::InvalidRangeError(const InvalidRangeError& answer, std::uint64_t object_size)
    : ServerError(answer.what(), answer), object_size_(answer.object_size_.value_or(object_size)) {}

ObjectStoreError::ObjectStoreError(int status, std::string store_code, std::string store_message,
                                   std::string request_id, std::string method, std::string object_address,
                                   std::vector<Header> headers)
    : ServerError("object store: " + describe(status, store_explanation(store_code, store_message), request_id, method,
                                              object_address),
                  ServerError(status, store_explanation(store_code, store_message), request_id, method, object_address,
                              {}, std::move(headers))),
      store_code_(std::move(store_code)) {}

ObjectChangedError::ObjectChangedError(std::string repository, std::string ref, std::string path)
    : Error("object '" + path + "' at '" + repository + "/" + ref +
            "' changed while it was being read; open a new reader"),
      repository_(std::move(repository)),
      ref_(std::move(ref)),
      path_(std::move(path)) {}

}  // namespace lakefs
