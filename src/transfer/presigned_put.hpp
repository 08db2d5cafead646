// SPDX-License-Identifier: Apache-2.0
// The pre-signed single PUT: an object that fits in one request goes straight
// to the object store through a URL lakeFS signs, and lakeFS then links the
// physical address it wrote to the path (staging the object).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "async/via.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/client.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object.hpp"
#include "transfer/presign.hpp"

namespace lakefs::detail {

/// One object written by a pre-signed upload: where, and what lakeFS records with it.
struct UploadTarget {
  const Client& client;
  ObjectName object;             // repo, branch, path
  const UploadOptions& options;  // content type, metadata, exclusive, call
};

/// One pre-signed PUT of `length` bytes from `source`, linked to the path
/// (get-physical-address, PUT, link-physical-address with If-None-Match when
/// exclusive). With `restart` (which must make `source` start over), a failed
/// PUT is retried, and a rejected (expired) URL renewed: the renewal asks for
/// a new physical address, which the link then names. Without it a PUT whose
/// bytes left is neither.
ObjectInfo put_and_link(const UploadTarget& target, const std::function<std::size_t(char*, std::size_t)>& source,
                        const std::function<void()>& restart, std::uint64_t length);
/// The same, the Via way. `target` must outlive the task.
[[nodiscard]] async::Task<ObjectInfo> put_and_link(Via via, UploadTarget target,
                                                   std::function<std::size_t(char*, std::size_t)> source,
                                                   std::function<void()> restart, std::uint64_t length);

}  // namespace lakefs::detail
