// SPDX-License-Identifier: Apache-2.0
#include "transfer/upload_route.hpp"

#include <algorithm>
#include <string>

#include "lakefs/errors.hpp"
#include "transfer/multipart_upload.hpp"

namespace lakefs::detail {

std::uint64_t multipart_threshold(std::uint64_t requested) noexcept {
  // Above the store's single-PUT limit, one request could not carry the object at all.
  return std::min(requested != 0 ? requested : default_multipart_threshold, max_single_put);
}

bool route_needs_store(const UploadCase& upload) noexcept {
  if (upload.pre_sign.has_value() && !*upload.pre_sign) return false;
  if (upload.storage_class) return false;
  return upload.length.has_value() || upload.in_parts;
}

UploadRoute upload_route(const UploadCase& upload, const std::function<StoreCapabilities()>& store,
                         std::string_view what) {
  const std::string name(what);
  if (upload.pre_sign.has_value() && !*upload.pre_sign) return UploadRoute::through_lakefs;
  if (upload.storage_class) {
    if (upload.pre_sign.has_value()) {
      throw NotSupportedError(name +
                              ": a storage class is sent only through lakeFS, never with a pre-signed upload; leave "
                              "pre_sign unset");
    }
    return UploadRoute::through_lakefs;
  }
  if (!upload.length) {
    if (!upload.in_parts) {
      if (upload.pre_sign.has_value()) {
        throw NotSupportedError(name +
                                ": a pre-signed upload needs the length in advance, and this stream is not seekable; "
                                "leave pre_sign unset to stream it through lakeFS");
      }
      return UploadRoute::through_lakefs;
    }
    // Bytes that come as they are written: pre-signed only as a multipart upload, whose completion lakeFS does not
    // check a condition on. A conditional writer, whose object may need one, streams through lakeFS, which checks it.
    const StoreCapabilities caps = store();
    const bool supported = caps.pre_sign && caps.pre_sign_multipart;
    if (!upload.pre_sign.has_value()) {
      return supported && !upload.conditional ? UploadRoute::presigned_multipart : UploadRoute::through_lakefs;
    }
    if (!supported) {
      throw NotSupportedError(name +
                              ": pre-signed writing requested (pre_sign = true), but the server's block store does "
                              "not support pre-signed multipart uploads; leave pre_sign unset to write through lakeFS");
    }
    if (upload.conditional) {
      throw NotSupportedError(name +
                              ": exclusive cannot be combined with pre_sign = true: lakeFS does not check "
                              "If-None-Match when it completes a multipart upload; leave pre_sign unset (an exclusive "
                              "writer then streams through lakeFS, which checks it)");
    }
    return UploadRoute::presigned_multipart;
  }
  const StoreCapabilities caps = store();
  if (!caps.pre_sign) {
    if (upload.pre_sign.has_value()) {
      throw NotSupportedError(name +
                              ": pre-signed transfer requested (pre_sign = true), but the server's block store does "
                              "not support pre-signed URLs (e.g. the local block store); leave pre_sign unset to "
                              "transfer through lakeFS");
    }
    return UploadRoute::through_lakefs;
  }
  const std::uint64_t length = *upload.length;
  const bool large = length >= multipart_threshold(upload.multipart_threshold);
  const bool multipart = large && upload.in_parts && caps.pre_sign_multipart;
  if (multipart && !upload.conditional) return UploadRoute::presigned_multipart;
  // A conditional object that needs parts goes through lakeFS, which checks the condition and splits the object
  // into parts itself, unless pre-signing was asked for (then it goes as one PUT, within the store's single-PUT
  // limit). So does an object larger than one PUT can carry that cannot go up in pre-signed parts here (no
  // multipart support on the server, or a source without random access).
  const bool fits_one_put = length <= max_single_put;
  const bool better_through_lakefs = (multipart && upload.conditional) || !fits_one_put;
  if (better_through_lakefs && !upload.pre_sign.has_value()) return UploadRoute::through_lakefs;
  if (!fits_one_put) {
    throw NotSupportedError(name + ": " + std::to_string(length) +
                            " bytes is more than one PUT to the object store can carry (5 GiB), and it cannot go up "
                            "as a pre-signed multipart upload here (" +
                            (upload.conditional ? std::string("conditional")
                             : upload.in_parts  ? std::string("the server does not support them")
                                                : std::string("the stream cannot be read at offsets")) +
                            "); leave pre_sign unset to send it through lakeFS, which splits it into parts");
  }
  return UploadRoute::presigned_put;
}

}  // namespace lakefs::detail
