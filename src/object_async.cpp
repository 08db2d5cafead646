// SPDX-License-Identifier: Apache-2.0
// The asynchronous members of the object handles (include/lakefs/object.hpp): each is a coroutine that owns a
// copy of what it needs (the client, the ids, the options), so a task outlives the handle it came from. They send
// the same requests as their synchronous forms and map errors the same way (detail::object_call).
#include <string>
#include <utility>

#include "async/admission.hpp"
#include "client_state.hpp"
#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/async/task.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/object.hpp"
#include "model/convert.hpp"
#include "object_tasks.hpp"
#include "transfer/object_transfer.hpp"
#include "transfer/presign.hpp"

namespace lakefs {
namespace {

// Requests are named before they are awaited: GCC 12 miscompiles a braced temporary inside co_await (docs/async.md).

// A member's task: admitted through the client's gate, then the task `start` makes. `client` is the handle's; the
// lambda's copy of it keeps the gate alive while the task waits.
template <class T, class Start>
async::Task<T> admitted(const Client& client, std::stop_token stop, Start start) {
  return detail::admitted<T>(detail::channel_of(client), std::move(stop), std::move(start));
}

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

namespace detail {
async::Task<ObjectInfo> stat_unadmitted(const StoredObject& object, StatOptions options) {
  return stat_task(object.client(), object.repo_id(), object.ref_id(), object.path(), std::move(options));
}
}  // namespace detail

// Each member's task waits for admission first (async/admission.hpp): until then it holds only the call's arguments
// (a copy of the handle and the options), in the lambda that makes the requests once admitted.

async::Task<ObjectInfo> StoredObject::stat_async(StatOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<ObjectInfo>(client_, std::move(stop), [object = *this, options = std::move(options)]() mutable {
    return stat_task(std::move(object.client_), std::move(object.repo_id_), std::move(object.ref_id_),
                     std::move(object.path_), std::move(options));
  });
}

async::Task<bool> StoredObject::exists_async(CallOptions call) const {
  std::stop_token stop = call.stop;
  return admitted<bool>(client_, std::move(stop), [object = *this, call = std::move(call)]() mutable {
    return exists_task(std::move(object.client_), std::move(object.repo_id_), std::move(object.ref_id_),
                       std::move(object.path_), std::move(call));
  });
}

async::Task<WriteableObject> StoredObject::copy_async(std::string destination_branch, std::string destination_path,
                                                      CopyOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<WriteableObject>(client_, std::move(stop),
                                   [object = *this, branch = std::move(destination_branch),
                                    path = std::move(destination_path), options = std::move(options)]() mutable {
                                     return copy_task(std::move(object.client_), std::move(object.repo_id_),
                                                      std::move(object.ref_id_), std::move(object.path_),
                                                      std::move(branch), std::move(path), std::move(options));
                                   });
}

async::Task<std::string> StoredObject::read_all_async(ReadOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<std::string>(client_, std::move(stop), [object = *this, options = std::move(options)]() mutable {
    return detail::read_all(detail::Via::engine, std::move(object), std::move(options));
  });
}

async::Task<std::string> StoredObject::read_range_async(std::uint64_t offset, std::uint64_t length,
                                                        ReadOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<std::string>(
      client_, std::move(stop), [object = *this, offset, length, options = std::move(options)]() mutable {
        return detail::read_range(detail::Via::engine, std::move(object), offset, length, std::move(options));
      });
}

async::Task<void> StoredObject::download_async(std::filesystem::path local_path, DownloadOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<void>(client_, std::move(stop),
                        [object = *this, local_path = std::move(local_path), options = std::move(options)]() mutable {
                          return detail::download(detail::Via::engine, std::move(object), std::move(local_path),
                                                  std::move(options));
                        });
}

async::Task<void> WriteableObject::upload_async(std::string data, UploadOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<void>(
      client_, std::move(stop), [object = *this, data = std::move(data), options = std::move(options)]() mutable {
        return detail::upload_data(detail::Via::engine, std::move(object), std::move(data), std::move(options));
      });
}

async::Task<void> WriteableObject::upload_file_async(std::filesystem::path local_path, UploadOptions options) const {
  std::stop_token stop = options.call.stop;
  return admitted<void>(client_, std::move(stop),
                        [object = *this, local_path = std::move(local_path), options = std::move(options)]() mutable {
                          return detail::upload_file(detail::Via::engine, std::move(object), std::move(local_path),
                                                     std::move(options));
                        });
}

async::Task<void> WriteableObject::remove_async(CallOptions call) const {
  std::stop_token stop = call.stop;
  return admitted<void>(client_, std::move(stop), [object = *this, call = std::move(call)]() mutable {
    return remove_task(std::move(object.client_), std::move(object.repo_id_), std::move(object.ref_id_),
                       std::move(object.path_), std::move(call));
  });
}

}  // namespace lakefs
