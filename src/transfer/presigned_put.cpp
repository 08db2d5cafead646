// SPDX-License-Identifier: Apache-2.0
#include "transfer/presigned_put.hpp"

#include <string>
#include <utility>

#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"

namespace lakefs::detail {

ObjectInfo put_and_link(const UploadTarget& target, const std::function<std::size_t(char*, std::size_t)>& source,
                        const std::function<void()>& restart, std::uint64_t length) {
  // Plain references, not a structured binding: lambdas below use them (clang 14 cannot capture bindings).
  const std::string& repo = target.object.repo;
  const std::string& branch = target.object.ref;
  const std::string& path = target.object.path;
  const UploadOptions& options = target.options;
  const Client& client = target.client;
  const auto locate = [&] {
    auto location = client.api().staging.get_physical_address(
        {.repository = repo, .branch = branch, .path = path, .presign = true, .call = options.call});
    if (!location.presigned_url) {
      throw NotSupportedError("upload of '" + path + "': the server returned no pre-signed URL");
    }
    return location;
  };
  return object_call(repo, branch, path, [&] {
    api::StagingLocation location = locate();
    // A renewed URL belongs to a new physical address: the link names the address whose URL took the bytes.
    RenewableUrl url(*location.presigned_url, [&] {
      location = locate();
      return *location.presigned_url;
    });
    const auto response =
        presigned_put(client, url, target.object, source, restart, length, options.content_type, options.call);
    std::string etag = unquote_etag(response.header("etag").value_or(""));
    if (etag.empty()) {
      throw ProtocolError("upload of '" + path + "': the object store answered the PUT without an ETag");
    }
    api::LinkPhysicalAddressRequest link{
        .repository = repo,
        .branch = branch,
        .body = {.staging = location, .checksum = std::move(etag), .size_bytes = static_cast<std::int64_t>(length)},
        .path = path,
    };
    if (!options.metadata.empty()) link.body.user_metadata = options.metadata;
    if (!options.content_type.empty()) link.body.content_type = options.content_type;
    if (options.exclusive) link.if_none_match = "*";
    if (!options.if_match.empty()) link.if_match = options.if_match;
    link.call = options.call;
    return to_object_info(client.api().staging.link_physical_address(link));
  });
}

}  // namespace lakefs::detail
