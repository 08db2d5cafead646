// Pre-signed transfers: deciding whether to use them, and reaching the object
// store directly through the transport with a pre-signed URL.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lakefs/client.hpp"
#include "lakefs/transport.hpp"

namespace lakefs::detail {

/// Whether a transfer uses pre-signed URLs: `requested` when set, else whether
/// the server supports them (its storage config, fetched once per client).
/// Forced on against a server without support: NotSupportedError naming `what`.
[[nodiscard]] bool use_pre_sign(const Client& client, std::optional<bool> requested, const char* what);

/// A pre-signed URL without its query (which carries the signature): what
/// error messages may show.
[[nodiscard]] std::string redact_url(std::string_view url);

/// GET of a pre-signed URL; `range` is a Range header value or empty. `call`
/// sets the timeout, retry policy and cancellation (CancelledError).
http::Response presigned_get(const Client& client, const std::string& url, const std::string& range,
                             const std::function<void(std::string_view)>& sink, const CallOptions& call);

/// PUT of a body of known length to a pre-signed URL; returns the response (ETag header).
http::Response presigned_put(const Client& client, const std::string& url,
                             const std::function<std::size_t(char*, std::size_t)>& source, std::uint64_t length,
                             const CallOptions& call);

}  // namespace lakefs::detail
