// The exception hierarchy of lakefs-cpp. Every error the SDK throws derives
// from lakefs::Error, so `catch (const lakefs::Error&)` catches them all, and
// each failure scenario has a type of its own to catch precisely.
//
// No message, accessor or what() string ever contains a credential.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace lakefs {

/// Root of every exception the SDK throws.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The server answered with a non-2xx status.
class ServerError : public Error {
 public:
  ServerError(int status, std::string server_message, std::string request_id, std::string method, std::string path);

  /// HTTP status code (e.g. 404).
  [[nodiscard]] int status() const noexcept { return status_; }
  /// The server's own explanation, parsed from lakeFS's error body.
  [[nodiscard]] const std::string& server_message() const noexcept { return server_message_; }
  /// The X-Request-ID the server assigned, empty when it sent none.
  [[nodiscard]] const std::string& request_id() const noexcept { return request_id_; }
  /// HTTP method of the failed request ("GET", "POST", ...).
  [[nodiscard]] const std::string& method() const noexcept { return method_; }
  /// Request path below the API root (e.g. "/repositories/r/branches/main"), without query.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  int status_{};
  std::string server_message_{};
  std::string request_id_{};
  std::string method_{};
  std::string path_{};
};

/// 400: the server rejected the request's parameters.
class BadRequestError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 401: missing, wrong or expired credentials.
class UnauthorizedError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 403: authenticated, but not allowed.
class ForbiddenError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 404: a repository, branch, tag, commit or other resource does not exist.
class NotFoundError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 404 on an object path: the object does not exist (the repository and ref do).
class ObjectNotFoundError : public NotFoundError {
 public:
  using NotFoundError::NotFoundError;
};
/// 409: the change conflicts with the current state (exists already, merge conflict, ...).
class ConflictError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 412: a precondition (If-None-Match / If-Match) failed.
class PreconditionFailedError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 412 on an exclusive create: the object already exists.
class ObjectExistsError : public PreconditionFailedError {
 public:
  using PreconditionFailedError::PreconditionFailedError;
};
/// 416: the requested byte range lies outside the object.
class InvalidRangeError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 429: the server asks the client to slow down.
class TooManyRequestsError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 501: the server does not implement this operation (e.g. enterprise-only APIs).
class NotImplementedError : public ServerError {
 public:
  using ServerError::ServerError;
};

/// The request did not get an HTTP answer: no connection, timeout, TLS failure.
class TransportError : public Error {
 public:
  TransportError(const std::string& message, std::string endpoint, bool outcome_unknown = false);
  /// The endpoint that was being reached (scheme, host and port; never credentials).
  [[nodiscard]] const std::string& endpoint() const noexcept { return endpoint_; }
  /// True when a non-idempotent request (POST, PATCH: commit, merge, create,
  /// ...) was sent but no answer came back: the server may or may not have
  /// applied it. The SDK never re-sends such a request by itself; check the
  /// state (e.g. the branch head) before trying again. False when the request
  /// certainly did not reach the server, or was idempotent.
  [[nodiscard]] bool outcome_unknown() const noexcept { return outcome_unknown_; }

 private:
  std::string endpoint_{};
  bool outcome_unknown_ = false;
};
/// Nothing accepted a connection at the endpoint (refused, unresolvable host).
class ConnectionError : public TransportError {
 public:
  using TransportError::TransportError;
};
/// The connect or request timeout expired.
class TimeoutError : public TransportError {
 public:
  using TransportError::TransportError;
};
/// TLS handshake or certificate verification failed.
class TlsError : public TransportError {
 public:
  using TransportError::TransportError;
};

/// The call was cancelled through its CallOptions::stop token before it finished.
class CancelledError : public Error {
 public:
  explicit CancelledError(const std::string& message, bool outcome_unknown = false)
      : Error(message), outcome_unknown_(outcome_unknown) {}
  /// True when a non-idempotent request was already sent when the stop came:
  /// the server may have applied it (see TransportError::outcome_unknown).
  [[nodiscard]] bool outcome_unknown() const noexcept { return outcome_unknown_; }

 private:
  bool outcome_unknown_ = false;
};

/// Client configuration is unusable: malformed endpoint, bad config file, bad option.
class ConfigurationError : public Error {
 public:
  using Error::Error;
};
/// No credentials were found in explicit options, environment or config file.
class NoAuthenticationFoundError : public ConfigurationError {
 public:
  using ConfigurationError::ConfigurationError;
};

/// The server's configuration does not support what was asked for, e.g. a
/// pre-signed transfer forced on against a block store without pre-signed URLs.
/// Raised before any transfer starts.
class NotSupportedError : public Error {
 public:
  using Error::Error;
};

/// A response could not be understood (malformed JSON, missing required field).
class ProtocolError : public Error {
 public:
  using Error::Error;
};

/// Invalid argument detected locally, before any request was sent.
class InvalidArgumentError : public Error {
 public:
  using Error::Error;
};

/// A transaction could not be committed or merged; the source branch is untouched.
class TransactionError : public Error {
 public:
  TransactionError(const std::string& message, std::exception_ptr cause) : Error(message), cause_(std::move(cause)) {}
  /// The error that made the transaction fail (rethrow with std::rethrow_exception).
  [[nodiscard]] std::exception_ptr cause() const noexcept { return cause_; }

 private:
  std::exception_ptr cause_{};
};

/// An import failed, was cancelled, or was used out of order.
class ImportError : public Error {
 public:
  using Error::Error;
};

}  // namespace lakefs
