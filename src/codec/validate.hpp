// SPDX-License-Identifier: Apache-2.0
// Client-side checks of ids, paths and metadata against lakeFS's own rules,
// so that bad input fails with InvalidArgumentError before any request, and
// no id can change a URL's target or a header's meaning.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lakefs/models.hpp"
#include "lakefs/transport.hpp"

namespace lakefs::detail {

/// lakeFS's rule: ^[a-z0-9][a-z0-9-]{2,62}$.
void require_repository_id(std::string_view id);
/// lakeFS's rule: ^\w[-\w]*$ (ASCII letters, digits, '_' and '-', not starting with '-').
void require_branch_id(std::string_view id, std::string_view what = "branch id");
/// lakeFS's rule (git's, except that '~' is allowed): not "@", no "..", "/", "@{", "^:?*[\",
/// control characters or spaces, not ending in "." or ".lock".
void require_tag_id(std::string_view id);
/// A reference expression (branch, tag, commit id, "main~2", "v1@"): not
/// empty, no white space or control character, not "." or "..".
void require_ref(std::string_view ref, std::string_view what = "reference");
/// A handle of repository `other` used in a call on repository `repo` (a
/// merge destination, a reference to revert): lakeFS would apply the call in
/// `repo`, not in the repository the caller's handle names, so it must be the same.
void require_same_repository(std::string_view repo, std::string_view other, std::string_view what);
/// Not empty, no NUL byte.
void require_object_path(std::string_view path, std::string_view what = "object path");

/// Throws unless every key is an HTTP header-name token and every value is
/// free of CR, LF, NUL and other control characters: user metadata travels
/// as X-Lakefs-Meta-<key> headers.
void require_header_metadata(const Metadata& metadata);

/// Throws unless `content_type` can be a header value.
void require_content_type(std::string_view content_type);

/// The X-Lakefs-Meta-* headers carrying `metadata` (checked first).
[[nodiscard]] std::vector<http::Header> user_metadata_headers(const Metadata& metadata);

/// `text` shortened to 100 characters, control characters and non-ASCII as
/// \xNN: safe to put in an error message.
[[nodiscard]] std::string printable(std::string_view text);

}  // namespace lakefs::detail
