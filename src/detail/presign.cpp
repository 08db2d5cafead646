#include "detail/presign.hpp"


#include "client_state.hpp"
#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

bool server_supports_pre_sign(const Client& client) {
  auto& cached = ClientAccess::state(client).pre_sign_support;
  const int known = cached.load(std::memory_order_relaxed);
  if (known >= 0) return known == 1;
  const bool supported = client.storage_config().pre_sign_support;
  cached.store(supported ? 1 : 0, std::memory_order_relaxed);
  return supported;
}

}  // namespace

bool use_pre_sign(const Client& client, std::optional<bool> requested, const char* what) {
  if (requested.has_value() && !*requested) return false;
  const bool supported = server_supports_pre_sign(client);
  if (requested.has_value() && !supported) {
    throw NotSupportedError(std::string(what) +
                            ": pre-signed transfer requested (pre_sign = true), but the server's block store does "
                            "not support pre-signed URLs (e.g. the local block store); leave pre_sign unset to "
                            "transfer through lakeFS");
  }
  return supported;
}

std::string redact_url(std::string_view url) {
  const auto query = url.find('?');
  std::string out(url.substr(0, query));
  if (query != std::string_view::npos) out += "?<signature redacted>";
  return out;
}

http::Response presigned_get(const Client& client, const std::string& url, const std::string& range,
                             const std::function<void(std::string_view)>& sink, const CallOptions& call) {
  http::Request request;
  request.method = "GET";
  request.call = call;
  request.path = redact_url(url);
  request.body_sink = sink;
  request.absolute_url = url;
  if (!range.empty()) request.headers.emplace_back("Range", range);
  return channel_of(client).send(request);
}

http::Response presigned_put(const Client& client, const std::string& url,
                             const std::function<std::size_t(char*, std::size_t)>& source, std::uint64_t length,
                             const CallOptions& call) {
  http::Request request;
  request.method = "PUT";
  request.call = call;
  request.path = redact_url(url);
  request.body_source = source;
  request.body_length = length;
  request.absolute_url = url;
  return channel_of(client).send(request);
}

}  // namespace lakefs::detail
