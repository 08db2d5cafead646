// SPDX-License-Identifier: Apache-2.0
// Tag: an immutable name for a commit. Constructing one sends nothing.
#pragma once

#include <string>

#include "lakefs/export.hpp"
#include "lakefs/reference.hpp"

namespace lakefs {

/// Options of Tag::create().
struct LAKEFS_API TagCreateOptions {
  /// Return the existing tag instead of failing with ConflictError.
  bool exist_ok = false;
  /// Create it even in a read-only repository (lakeFS's `force`).
  bool force = false;
  /// Timeout, deadline, retry policy, cancellation and extra headers of its requests (see CallOptions).
  CallOptions call{};
};

/// A tag of a repository: an immutable name for a commit, readable as any Reference. Constructing one sends
/// nothing; Repository::tag() makes one.
class LAKEFS_API Tag : public Reference {
 public:
  /// A handle to tag `id` of repository `repo_id`, on `client`; nothing is sent.
  Tag(std::string repo_id, std::string id, Client client = default_client());

  /// Creates the tag at `source_reference` (a branch, tag or commit id).
  Tag& create(const std::string& source_reference, TagCreateOptions options = {});
  /// The same, at `source_reference.id()`.
  Tag& create(const Reference& source_reference, TagCreateOptions options = {});

  /// Deletes the tag.
  void remove(RemoveOptions options = {});
};

}  // namespace lakefs
