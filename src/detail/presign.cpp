#include "detail/presign.hpp"

#include <map>
#include <memory>
#include <mutex>

#include "client_state.hpp"
#include "lakefs/errors.hpp"

namespace lakefs::detail {
namespace {

struct SupportCache {
  std::mutex mutex;
  // Keyed by the client's shared state, without keeping it alive.
  std::map<std::weak_ptr<Client::State>, bool, std::owner_less<>> entries;
};

SupportCache& support_cache() {
  static SupportCache cache;
  return cache;
}

bool server_supports_pre_sign(const Client& client) {
  auto& cache = support_cache();
  {
    std::lock_guard lock(cache.mutex);
    const auto it = cache.entries.find(client.state());
    if (it != cache.entries.end()) return it->second;
  }
  const bool supported = client.storage_config().pre_sign_support;
  std::lock_guard lock(cache.mutex);
  std::erase_if(cache.entries, [](const auto& entry) { return entry.first.expired(); });
  cache.entries[client.state()] = supported;
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
                             const std::function<void(std::string_view)>& sink) {
  http::Request request;
  request.method = "GET";
  request.path = redact_url(url);
  request.body_sink = sink;
  request.absolute_url = url;
  if (!range.empty()) request.headers.emplace_back("Range", range);
  return client.state()->transport.send(request);
}

http::Response presigned_put(const Client& client, const std::string& url,
                             const std::function<std::size_t(char*, std::size_t)>& source, std::uint64_t length) {
  http::Request request;
  request.method = "PUT";
  request.path = redact_url(url);
  request.body_source = source;
  request.body_length = length;
  request.absolute_url = url;
  return client.state()->transport.send(request);
}

}  // namespace lakefs::detail
