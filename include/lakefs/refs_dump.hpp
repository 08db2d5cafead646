// SPDX-License-Identifier: Apache-2.0
// Refs dump and restore (lakectl refs-dump / refs-restore): a repository's
// commits, branches and tags written as three metaranges to its storage
// namespace, and restored from them into a bare repository on the same
// namespace — the way to move or back up a repository's history:
//
//   lakefs::RefsDump dump = repo.dump_refs();
//   lakefs::Repository copy = lakefs::Repository("copy", client).create({.storage_namespace = same, .bare = true});
//   copy.restore_refs(dump);
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "lakefs/export.hpp"
#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

/// Where a dump is: the metarange ids of the repository's commits, tags and branches.
struct LAKEFS_API RefsDump {
  /// The metarange of the repository's commits.
  std::string commits_meta_range_id{};
  /// The metarange of its tags.
  std::string tags_meta_range_id{};
  /// The metarange of its branches.
  std::string branches_meta_range_id{};
  /// Equal when every member is.
  bool operator==(const RefsDump&) const = default;
};

/// A dump or restore task on the server, as polled.
struct LAKEFS_API RefsTaskStatus {
  /// The server's id of the task.
  std::string task_id{};
  /// True once the task has ended, successfully or not (see `error`).
  bool done = false;
  /// When the server last updated the task.
  Timestamp update_time{};
  /// The server's message when the task failed.
  std::optional<std::string> error{};
  /// Equal when every member is.
  bool operator==(const RefsTaskStatus&) const = default;
};

/// Options of Repository::dump_refs() and Repository::restore_refs(): progress callback, poll interval,
/// timeouts and cancellation.
struct LAKEFS_API RefsTaskOptions {
  /// Called with the status after every poll, the last one included.
  std::function<void(const RefsTaskStatus&)> on_progress{};
  /// Time between two status polls.
  std::chrono::milliseconds poll_interval{std::chrono::milliseconds(200)};
  /// Timeout and retry policy of every request; a stop ends the wait with
  /// CancelledError (the task itself runs on to its end on the server).
  CallOptions call{};
};

}  // namespace lakefs
