// SPDX-License-Identifier: Apache-2.0
#include "lakefs/tag.hpp"

#include "codec/validate.hpp"
#include "lakefs/api/api.hpp"
#include "model/convert.hpp"

namespace lakefs {

Tag::Tag(std::string repo_id, std::string id, Client client)
    : Reference(std::move(repo_id), std::move(id), std::move(client)) {
  detail::require_tag_id(id_);
}

Tag& Tag::create(const Reference& source_reference, TagCreateOptions options) {
  return create(source_reference.id(), std::move(options));
}

Tag& Tag::create(const std::string& source_reference, TagCreateOptions options) {
  detail::require_non_empty(repo_id_, "repository id");
  detail::require_non_empty(id_, "tag id");
  detail::require_ref(source_reference, "source reference");
  try {
    api::TagCreation body{.id = id_, .ref = source_reference};
    if (options.force) body.force = true;
    (void)client_.api().tags.create_tag({.repository = repo_id_, .body = body, .call = options.call});
  } catch (const ConflictError&) {
    if (!options.exist_ok) throw;
    (void)client_.api().tags.get_tag({.repository = repo_id_, .tag = id_, .call = options.call});
  }
  return *this;
}

void Tag::remove(RemoveOptions options) {
  detail::require_non_empty(id_, "tag id");
  api::DeleteTagRequest request{.repository = repo_id_, .tag = id_, .call = std::move(options.call)};
  if (options.force) request.force = true;
  client_.api().tags.delete_tag(request);
}

}  // namespace lakefs
