// Tag: an immutable name for a commit. Constructing one sends nothing.
#pragma once

#include <string>

#include "lakefs/reference.hpp"

namespace lakefs {

struct TagCreateOptions {
  /// Return the existing tag instead of failing with ConflictError.
  bool exist_ok = false;
  /// Create it even in a read-only repository (lakeFS's `force`).
  bool force = false;
};

class Tag : public Reference {
 public:
  Tag(std::string repo_id, std::string id, Client client = default_client());

  /// Creates the tag at `source_reference` (a branch, tag or commit id).
  Tag& create(const std::string& source_reference, TagCreateOptions options = {});
  Tag& create(const Reference& source_reference, TagCreateOptions options = {});

  /// Deletes the tag.
  void remove(RemoveOptions options = {});
};

}  // namespace lakefs
