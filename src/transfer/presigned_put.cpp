// SPDX-License-Identifier: Apache-2.0
#include "transfer/presigned_put.hpp"

#include <string>
#include <utility>

#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"

namespace lakefs::detail {
namespace {

// A physical address with a pre-signed URL to PUT the object to, from lakeFS.
async::Task<api::StagingLocation> locate(Via via, const UploadTarget& target) {
  api::GetPhysicalAddressRequest request{.repository = target.object.repo,
                                         .branch = target.object.ref,
                                         .path = target.object.path,
                                         .presign = true,
                                         .call = target.options.call};
  const auto& staging = target.client.api().staging;
  api::StagingLocation location = co_await call_via(
      via, [&] { return staging.get_physical_address(request); },
      [&] { return staging.get_physical_address_async(request); });
  if (!location.presigned_url) {
    throw NotSupportedError("upload of '" + target.object.path + "': the server returned no pre-signed URL");
  }
  co_return location;
}

// A renewal: a new physical address (which the link must then name) and its URL.
async::Task<std::string> relocate(Via via, const UploadTarget& target, api::StagingLocation& location) {
  location = co_await locate(via, target);
  co_return *location.presigned_url;
}

async::Task<ObjectInfo> put_and_link_unmapped(Via via, const UploadTarget& target,
                                              std::function<std::size_t(char*, std::size_t)> source,
                                              std::function<void()> restart, std::uint64_t length) {
  const UploadOptions& options = target.options;
  const Client& client = target.client;
  api::StagingLocation location = co_await locate(via, target);
  // A renewed URL belongs to a new physical address: the link names the address whose URL took the bytes.
  SharedUrl url(*location.presigned_url, [via, &target, &location] { return relocate(via, target, location); });
  const StoreCapabilities store = co_await store_capabilities(via, client, options.call);
  http::Request put;
  put.method = "PUT";
  put.body_source = std::move(source);
  put.body_length = length;
  put.content_type = options.content_type;
  put.headers = presigned_put_headers(store);
  put.restart_body = std::move(restart);
  put.call = options.call;
  const http::Response response = co_await presigned_send(via, client, url, target.object, std::move(put));
  std::string etag = unquote_etag(response.header("etag").value_or(""));
  if (etag.empty()) {
    throw ProtocolError("upload of '" + target.object.path + "': the object store answered the PUT without an ETag");
  }
  api::LinkPhysicalAddressRequest link{
      .repository = target.object.repo,
      .branch = target.object.ref,
      .body = {.staging = location, .checksum = std::move(etag), .size_bytes = static_cast<std::int64_t>(length)},
      .path = target.object.path,
  };
  if (!options.metadata.empty()) link.body.user_metadata = options.metadata;
  if (!options.content_type.empty()) link.body.content_type = options.content_type;
  if (options.exclusive) link.if_none_match = "*";
  if (!options.if_match.empty()) link.if_match = options.if_match;
  link.call = options.call;
  const auto& staging = client.api().staging;
  api::ObjectStats stats = co_await call_via(
      via, [&] { return staging.link_physical_address(link); },
      [&] { return staging.link_physical_address_async(link); });
  co_return to_object_info(std::move(stats));
}

}  // namespace

async::Task<ObjectInfo> put_and_link(Via via, UploadTarget target,
                                     std::function<std::size_t(char*, std::size_t)> source,
                                     std::function<void()> restart, std::uint64_t length) {
  // A coroutine itself: `target` lives in its frame while the inner task refers to it.
  const ObjectName& name = target.object;
  co_return co_await object_task(put_and_link_unmapped(via, target, std::move(source), std::move(restart), length),
                                 name.repo, name.ref, name.path);
}

ObjectInfo put_and_link(const UploadTarget& target, const std::function<std::size_t(char*, std::size_t)>& source,
                        const std::function<void()>& restart, std::uint64_t length) {
  return run_on_caller(put_and_link(Via::caller, target, source, restart, length));
}

}  // namespace lakefs::detail
