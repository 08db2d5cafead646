// SPDX-License-Identifier: Apache-2.0
// The asynchronous members of the object handles (include/lakefs/object.hpp): each is a coroutine that owns a
// copy of what it needs (the client, the ids, the options), so a task outlives the handle it came from. They send
// the same requests as their synchronous forms and map errors the same way (detail::object_call).
#include <string>
#include <utility>

#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "model/convert.hpp"
#include "transfer/object_transfer.hpp"
#include "transfer/presign.hpp"

namespace lakefs {
namespace {

// Requests are named before they are awaited: GCC 12 miscompiles a braced temporary inside co_await (docs/async.md).

async::Task<ObjectInfo> stat_task(Client client, std::string repo, std::string ref, std::string path,
                                  StatOptions options) {
  detail::require_non_empty(path, "object path");
  if (options.pre_sign) co_await detail::require_pre_sign_async(client, "stat (pre_sign = true)", options.call);
  api::StatObjectRequest request{.repository = repo,
                                 .ref = ref,
                                 .path = path,
                                 .user_metadata = true,
                                 .presign = options.pre_sign,
                                 .call = std::move(options.call)};
  api::ObjectStats stats = co_await async::detail::propagate(
      detail::object_task(client.api().objects.stat_object_async(std::move(request)), repo, ref, path));
  co_return detail::to_object_info(std::move(stats));
}

async::Task<bool> exists_task(Client client, std::string repo, std::string ref, std::string path, CallOptions call) {
  bool found = true;
  try {
    StatOptions options;
    options.call = std::move(call);
    (void)co_await stat_task(std::move(client), std::move(repo), std::move(ref), std::move(path), std::move(options));
  } catch (const ObjectNotFoundError&) {
    found = false;
  }
  co_return found;
}

async::Task<void> remove_task(Client client, std::string repo, std::string branch, std::string path, CallOptions call) {
  detail::require_non_empty(path, "object path");
  api::DeleteObjectRequest request{.repository = repo, .branch = branch, .path = path, .call = std::move(call)};
  co_await detail::object_task(client.api().objects.delete_object_async(std::move(request)), repo, branch, path);
}

async::Task<WriteableObject> copy_task(Client client, std::string repo, std::string ref, std::string path,
                                       std::string destination_branch, std::string destination_path,
                                       CopyOptions options) {
  detail::require_non_empty(path, "object path");
  detail::require_branch_id(destination_branch, "destination branch");
  detail::require_object_path(destination_path, "destination path");
  api::ObjectCopyCreation body{.src_path = path, .src_ref = ref};
  if (options.shallow) body.shallow = true;
  if (options.force) body.force = true;
  api::CopyObjectRequest request{.repository = repo,
                                 .branch = destination_branch,
                                 .body = std::move(body),
                                 .dest_path = destination_path,
                                 .call = std::move(options.call)};
  (void)co_await detail::object_task(client.api().objects.copy_object_async(std::move(request)), repo, ref, path);
  co_return WriteableObject(std::move(repo), std::move(destination_branch), std::move(destination_path),
                            std::move(client));
}

}  // namespace

async::Task<ObjectInfo> StoredObject::stat_async(StatOptions options) const {
  return stat_task(client_, repo_id_, ref_id_, path_, std::move(options));
}

async::Task<bool> StoredObject::exists_async(CallOptions call) const {
  return exists_task(client_, repo_id_, ref_id_, path_, std::move(call));
}

async::Task<WriteableObject> StoredObject::copy_async(std::string destination_branch, std::string destination_path,
                                                      CopyOptions options) const {
  return copy_task(client_, repo_id_, ref_id_, path_, std::move(destination_branch), std::move(destination_path),
                   std::move(options));
}

async::Task<std::string> StoredObject::read_all_async(ReadOptions options) const {
  return detail::read_all(detail::Via::engine, *this, std::move(options));
}

async::Task<std::string> StoredObject::read_range_async(std::uint64_t offset, std::uint64_t length,
                                                        ReadOptions options) const {
  return detail::read_range(detail::Via::engine, *this, offset, length, std::move(options));
}

async::Task<void> StoredObject::download_async(std::filesystem::path local_path, DownloadOptions options) const {
  return detail::download(detail::Via::engine, *this, std::move(local_path), std::move(options));
}

async::Task<void> WriteableObject::upload_async(std::string data, UploadOptions options) const {
  return detail::upload_data(detail::Via::engine, *this, std::move(data), std::move(options));
}

async::Task<void> WriteableObject::upload_file_async(std::filesystem::path local_path, UploadOptions options) const {
  return detail::upload_file(detail::Via::engine, *this, std::move(local_path), std::move(options));
}

async::Task<void> WriteableObject::remove_async(CallOptions call) const {
  return remove_task(client_, repo_id_, ref_id_, path_, std::move(call));
}

}  // namespace lakefs
