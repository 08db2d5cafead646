// SPDX-License-Identifier: Apache-2.0
// The exception hierarchy of lakefs-cpp. Every error the SDK throws derives
// from lakefs::Error, so `catch (const lakefs::Error&)` catches them all, and
// each failure scenario has a type of its own to catch precisely.
//
// No message, accessor or what() string ever contains a credential.
#pragma once

#include "lakefs/export.hpp"

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace lakefs {

/// Root of every exception the SDK throws.
class LAKEFS_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The server answered with a non-2xx status. Thrown only for a real answer
/// of the server: the SDK never makes one up for a condition it found itself.
class LAKEFS_API ServerError : public Error {
 public:
  /// A response header: (lower-cased name, value).
  using Header = std::pair<std::string, std::string>;

  /// At most this many bytes of the response body are kept in body().
  static constexpr std::size_t max_body_size = 64 * 1024;

  /// The answer `status` to `method` `path`. what() reads "<method> <path>: HTTP <status>: <explanation>
  /// (request id <id>)", the explanation being `server_message`, or the status's meaning when it is empty.
  ServerError(int status, std::string server_message, std::string request_id, std::string method, std::string path);
  /// As above, also keeping the response body (cut to max_body_size) and headers.
  ServerError(int status, std::string server_message, std::string request_id, std::string method, std::string path,
              std::string body, std::vector<Header> headers);

  /// HTTP status code (e.g. 404).
  [[nodiscard]] int status() const noexcept { return status_; }
  /// The server's own explanation, parsed from lakeFS's error body; empty
  /// when the body has none (what() then names the status instead).
  [[nodiscard]] const std::string& server_message() const noexcept { return server_message_; }
  /// The X-Request-ID the server assigned, empty when it sent none.
  [[nodiscard]] const std::string& request_id() const noexcept { return request_id_; }
  /// HTTP method of the failed request ("GET", "POST", ...).
  [[nodiscard]] const std::string& method() const noexcept { return method_; }
  /// Request path below the API root (e.g. "/repositories/r/branches/main"), without query.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  /// The response body as received, cut to its first max_body_size bytes,
  /// with the client's credentials replaced by "[REDACTED]".
  [[nodiscard]] const std::string& body() const noexcept { return body_; }
  /// True when body() is shorter than the body the server sent.
  [[nodiscard]] bool body_truncated() const noexcept { return body_truncated_; }
  /// The response headers (names lower-cased; credentials redacted; Set-Cookie left out).
  [[nodiscard]] const std::vector<Header>& headers() const noexcept { return headers_; }
  /// Value of the first header named `name` (case-insensitive), if any.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;

 protected:
  /// For subclasses that explain the failure in their own words: `what` is
  /// the what() text, every accessor is copied from `answer`.
  ServerError(const std::string& what, const ServerError& answer);

 private:
  int status_{};
  std::string server_message_{};
  std::string request_id_{};
  std::string method_{};
  std::string path_{};
  std::string body_{};
  bool body_truncated_ = false;
  std::vector<Header> headers_{};
};

/// 400: the server rejected the request's parameters.
class LAKEFS_API BadRequestError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 401: missing, wrong or expired credentials.
class LAKEFS_API UnauthorizedError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 403: authenticated, but not allowed.
class LAKEFS_API ForbiddenError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 403 on an object path (stat, read, download, upload, writer, copy, remove,
/// metadata update): lakeFS refused the operation on that object, e.g. a
/// policy that denies it, a protected branch or a read-only repository. A
/// ForbiddenError too; its message names the object.
class LAKEFS_API ObjectAccessDeniedError : public ForbiddenError {
 public:
  using ForbiddenError::ForbiddenError;
};
/// 404: a repository, branch, tag, commit or other resource does not exist.
class LAKEFS_API NotFoundError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 404 on an object path: the object does not exist at that ref. lakeFS
/// answers a missing ref (branch, tag, commit) with the same "not found", so
/// this also covers a ref that does not exist (Reference::get_commit() tells
/// them apart); a missing repository is RepositoryNotFoundError instead, and a
/// missing branch written to is a plain NotFoundError ("branch not found").
class LAKEFS_API ObjectNotFoundError : public NotFoundError {
 public:
  using NotFoundError::NotFoundError;
};
/// 404 because the repository does not exist (lakeFS's "repository not found"),
/// whatever the request was about. Never an ObjectNotFoundError:
/// StoredObject::exists() throws it rather than answering false.
class LAKEFS_API RepositoryNotFoundError : public NotFoundError {
 public:
  using NotFoundError::NotFoundError;
};
/// The object store, not lakeFS, refused or failed a direct (pre-signed)
/// transfer of an object's data. what() names the object (repository, ref and
/// path) and the store's error code and message, never the pre-signed URL or
/// its signature; body() is empty (a store's error document may echo the
/// signed request). path() is the object's address "lakefs://repo/ref/path".
/// Typical codes: AccessDenied (an expired or rejected URL: the SDK renews a
/// URL once before this error), EntityTooLarge, SlowDown, InternalError. A
/// missing physical object is ObjectNotFoundError instead; a store that cannot
/// be reached is a TransportError.
class LAKEFS_API ObjectStoreError : public ServerError {
 public:
  /// The store's answer `status` to `method` on the object `object_address` ("lakefs://repo/ref/path"), with
  /// the store's error code and message; what() starts with "object store: ".
  ObjectStoreError(int status, std::string store_code, std::string store_message, std::string request_id,
                   std::string method, std::string object_address, std::vector<Header> headers = {});
  /// The store's error code (S3's `<Code>` element, e.g. "AccessDenied"); empty when it sent none.
  [[nodiscard]] const std::string& store_code() const noexcept { return store_code_; }

 private:
  std::string store_code_{};
};
/// 405: the server does not allow this HTTP method on the path (a raw
/// Client::send with the wrong method, or an API the server routes differently).
class LAKEFS_API MethodNotAllowedError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 409: the change conflicts with the current state (exists already, merge conflict, ...).
class LAKEFS_API ConflictError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 409 on a merge: the source and the destination changed the same paths
/// since their merge base. what() says "conflict" and names both refs, e.g.
/// "merge of 'feature' into 'main': conflict (the same paths changed on both sides)".
class LAKEFS_API MergeConflictError : public ConflictError {
 public:
  /// Wraps the server's 409 `answer` to the merge of `source_ref` into `destination_branch`.
  MergeConflictError(const ConflictError& answer, std::string source_ref, std::string destination_branch);
  /// The reference that was being merged.
  [[nodiscard]] const std::string& source_ref() const noexcept { return source_ref_; }
  /// The branch it was being merged into.
  [[nodiscard]] const std::string& destination_branch() const noexcept { return destination_branch_; }

 private:
  std::string source_ref_{};
  std::string destination_branch_{};
};
/// 412: a precondition (If-None-Match / If-Match) failed.
class LAKEFS_API PreconditionFailedError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 412 because a hook failed: a pre-commit, pre-merge, pre-create-branch, ...
/// action stopped the operation, which did not happen. run_id() names the run:
/// Repository::hook_runs(run_id) and hook_output() tell which hook failed and why.
class LAKEFS_API HookFailedError : public PreconditionFailedError {
 public:
  /// As ServerError's constructor; run_id() is read from `server_message` (lakeFS's "... run id '<id>' ...").
  HookFailedError(int status, std::string server_message, std::string request_id, std::string method,
                  std::string path, std::string body = {}, std::vector<Header> headers = {});
  /// The action run that failed (from lakeFS's message); empty if it named none.
  [[nodiscard]] const std::string& run_id() const noexcept { return run_id_; }

 private:
  std::string run_id_{};
};
/// 412 on an exclusive create: the object already exists.
class LAKEFS_API ObjectExistsError : public PreconditionFailedError {
 public:
  using PreconditionFailedError::PreconditionFailedError;
};
/// 416: the requested byte range lies outside the object. object_size() is
/// the object's size when it is known: lakeFS sends it with its 416 to a GET
/// of an object (`Content-Range: bytes */<size>`); on a pre-signed read the
/// SDK fills it in from the stat that gave the URL.
class LAKEFS_API InvalidRangeError : public ServerError {
 public:
  /// As ServerError's constructor; object_size() is read from a `content-range` header of `headers` of the
  /// form "bytes */<size>", if there is one.
  InvalidRangeError(int status, std::string server_message, std::string request_id, std::string method,
                    std::string path, std::string body = {}, std::vector<Header> headers = {});
  /// `answer` (what() and every accessor kept) with the object's size the SDK knew, when the answer did not
  /// say it; a size the answer did give is kept.
  InvalidRangeError(const InvalidRangeError& answer, std::uint64_t object_size);
  /// The object's size in bytes, when the server said it or the SDK knew it; nullopt otherwise.
  [[nodiscard]] std::optional<std::uint64_t> object_size() const noexcept { return object_size_; }

 private:
  std::optional<std::uint64_t> object_size_{};
};
/// 429: the server asks the client to slow down.
class LAKEFS_API TooManyRequestsError : public ServerError {
 public:
  using ServerError::ServerError;
};
/// 501: the server does not implement this operation (e.g. enterprise-only APIs).
class LAKEFS_API NotImplementedError : public ServerError {
 public:
  using ServerError::ServerError;
};

/// The request did not get an HTTP answer: no connection, timeout, TLS failure.
class LAKEFS_API TransportError : public Error {
 public:
  /// `message` is the what() text; `endpoint` the scheme, host and port that was being reached.
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
class LAKEFS_API ConnectionError : public TransportError {
 public:
  using TransportError::TransportError;
};
/// The connect or request timeout expired.
class LAKEFS_API TimeoutError : public TransportError {
 public:
  using TransportError::TransportError;
};
/// TLS handshake or certificate verification failed.
class LAKEFS_API TlsError : public TransportError {
 public:
  using TransportError::TransportError;
};

/// The call was cancelled through its CallOptions::stop token before it finished.
class LAKEFS_API CancelledError : public Error {
 public:
  /// `message` is the what() text.
  explicit CancelledError(const std::string& message, bool outcome_unknown = false)
      : Error(message), outcome_unknown_(outcome_unknown) {}
  /// True when a non-idempotent request was already sent when the stop came:
  /// the server may have applied it (see TransportError::outcome_unknown).
  [[nodiscard]] bool outcome_unknown() const noexcept { return outcome_unknown_; }

 private:
  bool outcome_unknown_ = false;
};

/// Client configuration is unusable: malformed endpoint, bad config file, bad option.
class LAKEFS_API ConfigurationError : public Error {
 public:
  using Error::Error;
};
/// No credentials were found in explicit options, environment or config file.
class LAKEFS_API NoAuthenticationFoundError : public ConfigurationError {
 public:
  using ConfigurationError::ConfigurationError;
};

/// The server's configuration does not support what was asked for, e.g. a
/// pre-signed transfer forced on against a block store without pre-signed URLs.
/// Raised before any transfer starts.
class LAKEFS_API NotSupportedError : public Error {
 public:
  using Error::Error;
};

/// A response could not be understood (malformed JSON, missing required field).
class LAKEFS_API ProtocolError : public Error {
 public:
  using Error::Error;
};

/// Invalid argument detected locally, before any request was sent.
class LAKEFS_API InvalidArgumentError : public Error {
 public:
  using Error::Error;
};

/// A call the object's current state does not allow: a programming error
/// found locally, nothing was sent (e.g. ObjectWriter::close() after discard()).
class LAKEFS_API InvalidStateError : public Error {
 public:
  using Error::Error;
};

/// A condition the SDK checks against the repository before changing
/// anything did not hold, so nothing was changed (e.g. a transaction's tag
/// already exists: checked before the commit and merge, so the source branch
/// is untouched). Not a ServerError: no request failed.
class LAKEFS_API LocalPreconditionError : public Error {
 public:
  using Error::Error;
};

/// Reading or writing a local file or directory failed (open, read, write,
/// create a directory, rename a finished download into place, ...).
class LAKEFS_API LocalIOError : public Error {
 public:
  /// `operation` is a verb phrase ("open", "write", "create the directory");
  /// what() reads "cannot <operation> '<path>': <code's message>", followed by
  /// " (<detail>)" when `detail` is not empty.
  LocalIOError(std::string operation, std::filesystem::path path, std::error_code code, const std::string& detail = {});
  /// The operation that failed, e.g. "write".
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }
  /// The local file or directory; empty when the data came from a stream without one.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// The system's reason: errno values in std::generic_category(), std::filesystem's
  /// codes as they come, std::io_errc::stream for a failed std::istream; empty
  /// when no system call failed (a file that shrank while it was uploaded).
  [[nodiscard]] const std::error_code& code() const noexcept { return code_; }

 private:
  std::string operation_{};
  std::filesystem::path path_{};
  std::error_code code_{};
};

/// An object changed on the server while it was being read (its ETag no
/// longer matches the one the reader opened): the bytes read so far and the
/// rest would mix two versions. Open a new reader. Derives from Error, not
/// from ConflictError: no request failed; the SDK noticed the change itself.
class LAKEFS_API ObjectChangedError : public Error {
 public:
  /// The object at `path` of reference `ref` in `repository` changed; what() names it.
  ObjectChangedError(std::string repository, std::string ref, std::string path);
  /// The object's repository.
  [[nodiscard]] const std::string& repository() const noexcept { return repository_; }
  /// The reference the object was read from.
  [[nodiscard]] const std::string& ref() const noexcept { return ref_; }
  /// The object's path.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }

 private:
  std::string repository_{};
  std::string ref_{};
  std::string path_{};
};

/// Some items of a batch call failed while the rest succeeded (remove_objects:
/// lakeFS answers the request and lists the objects it could not delete).
/// Each failure keeps its item and its own error: for remove_objects, the
/// ServerError subclass of the status lakeFS gave that object.
class LAKEFS_API BatchError : public Error {
 public:
  /// One item that failed.
  struct Failure {
    /// The item that failed (an object path).
    std::string item{};
    /// Its error; rethrow with std::rethrow_exception.
    std::exception_ptr error{};
  };
  /// `message` is the what() text.
  BatchError(const std::string& message, std::vector<Failure> failures)
      : Error(message), failures_(std::move(failures)) {}
  /// Every item that failed, in the order the server reported them.
  [[nodiscard]] const std::vector<Failure>& failures() const noexcept { return failures_; }

 private:
  std::vector<Failure> failures_{};
};

/// A transaction could not be committed, merged or tagged. what() names the
/// transaction and says whether the source branch changed; cause() holds the
/// error behind it (MergeConflictError, LocalPreconditionError, ...).
class LAKEFS_API TransactionError : public Error {
 public:
  /// `message` is the what() text; `cause` the error behind it.
  TransactionError(const std::string& message, std::exception_ptr cause) : Error(message), cause_(std::move(cause)) {}
  /// The error that made the transaction fail (rethrow with std::rethrow_exception).
  [[nodiscard]] std::exception_ptr cause() const noexcept { return cause_; }

 private:
  std::exception_ptr cause_{};
};

/// A task the server ran for the SDK (a refs dump or restore) reported that it
/// failed; what() holds the server's message.
class LAKEFS_API TaskFailedError : public Error {
 public:
  using Error::Error;
};

/// An import failed, was cancelled, or was used out of order.
class LAKEFS_API ImportError : public Error {
 public:
  using Error::Error;
};

}  // namespace lakefs
