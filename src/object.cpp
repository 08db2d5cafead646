#include "lakefs/object.hpp"

#include <cstring>

#include "detail/convert.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/branch.hpp"

namespace lakefs {

StoredObject::StoredObject(std::string repo_id, std::string ref_id, std::string path, Client client)
    : repo_id_(std::move(repo_id)), ref_id_(std::move(ref_id)), path_(std::move(path)), client_(std::move(client)) {}

ObjectInfo StoredObject::stat() const {
  detail::require_non_empty(path_, "object path");
  return detail::object_call(repo_id_, ref_id_, path_, [&] {
    return detail::to_object_info(client_.api().objects.stat_object(
        {.repository = repo_id_, .ref = ref_id_, .path = path_, .user_metadata = true}));
  });
}

bool StoredObject::exists() const {
  try {
    (void)stat();
    return true;
  } catch (const ObjectNotFoundError&) {
    return false;
  }
}

std::string StoredObject::read_all() const {
  detail::require_non_empty(path_, "object path");
  std::string data;
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    return client_.api().objects.get_object({.repository = repo_id_, .ref = ref_id_, .path = path_},
                                            [&](std::string_view chunk) { data.append(chunk); });
  });
  return data;
}

WriteableObject::WriteableObject(std::string repo_id, std::string branch_id, std::string path, Client client)
    : StoredObject(std::move(repo_id), std::move(branch_id), std::move(path), std::move(client)) {}

WriteableObject& WriteableObject::upload(std::string_view data, const UploadOptions& options) {
  detail::require_non_empty(path_, "object path");
  std::size_t offset = 0;
  api::UploadObjectRequest request{
      .repository = repo_id_,
      .branch = ref_id_,
      .body_source =
          [&](char* buf, std::size_t size) {
            const std::size_t n = std::min(size, data.size() - offset);
            std::memcpy(buf, data.data() + offset, n);
            offset += n;
            return n;
          },
      .body_length = data.size(),
      .path = path_,
  };
  if (!options.content_type.empty()) request.content_type = options.content_type;
  if (options.exclusive) request.if_none_match = "*";
  for (const auto& [key, value] : options.metadata) request.extra_headers.emplace_back("X-Lakefs-Meta-" + key, value);
  detail::object_call(repo_id_, ref_id_, path_, [&] { return client_.api().objects.upload_object(request); });
  return *this;
}

WriteableObject& WriteableObject::upload(std::span<const std::byte> data, const UploadOptions& options) {
  return upload(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()), options);
}

void WriteableObject::remove() {
  detail::require_non_empty(path_, "object path");
  detail::object_call(repo_id_, ref_id_, path_, [&] {
    client_.api().objects.delete_object({.repository = repo_id_, .branch = ref_id_, .path = path_});
  });
}

Branch WriteableObject::branch() const { return Branch(repo_id_, ref_id_, client_); }

Commit WriteableObject::commit(const std::string& message) { return branch().commit(message); }

}  // namespace lakefs
