// SPDX-License-Identifier: Apache-2.0
// Actions: lakeFS runs the hooks of the action files in a branch's
// `_lakefs_actions/` on events (pre-commit, pre-merge, post-commit, ...). Each
// run and each hook's status and output can be read back, as `lakectl actions
// runs list / describe` does:
//
//   for (const lakefs::ActionRun& run : repo.action_runs({.branch = "main"})) ...
//   for (const lakefs::HookRun& hook : repo.hook_runs(run.run_id)) ...
//   std::string log = repo.hook_output(run.run_id, hook.hook_run_id);
//
// A pre-* hook that fails stops its commit or merge: that call throws
// HookFailedError, whose run_id() names the run to read.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "lakefs/export.hpp"
#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

/// One run of a repository's actions for one event.
struct LAKEFS_API ActionRun {
  /// How the run ended.
  enum class Status { completed, failed, unknown };
  /// \var Status::completed
  /// Every hook of the run succeeded.
  /// \var Status::failed
  /// A hook of the run failed.
  /// \var Status::unknown
  /// A status this SDK does not know.

  /// The run's id, as Repository::action_run(), hook_runs() and hook_output() take it.
  std::string run_id{};
  /// The branch the event happened on.
  std::string branch{};
  /// "pre-commit", "post-commit", "pre-merge", "post-merge", "pre-create-branch", ...
  std::string event_type{};
  /// How the run ended.
  Status status = Status::unknown;
  /// The commit the event made; empty when there is none (a failed pre-commit).
  std::string commit_id{};
  /// When the run started.
  Timestamp start_time{};
  /// When the run ended; unset when the server reports no end time.
  std::optional<Timestamp> end_time{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const ActionRun&) const = default;
};

/// One hook of a run.
struct LAKEFS_API HookRun {
  /// `skipped`: an earlier hook of the run failed, so this one did not run.
  enum class Status { completed, failed, skipped, unknown };
  /// \var Status::completed
  /// The hook succeeded.
  /// \var Status::failed
  /// The hook failed.
  /// \var Status::skipped
  /// The hook did not run (an earlier hook of the run failed).
  /// \var Status::unknown
  /// A status this SDK does not know.

  /// The hook run's id, for Repository::hook_output().
  std::string hook_run_id{};
  /// The action's `name`, from the action file.
  std::string action{};
  /// The hook's `id`, from the action file.
  std::string hook_id{};
  /// How the hook ended.
  Status status = Status::unknown;
  /// When the hook started.
  Timestamp start_time{};
  /// When the hook ended; unset when the server reports no end time.
  std::optional<Timestamp> end_time{};
  /// Members of the server's answer this SDK version does not know (see UnknownFields).
  UnknownFields unknown_fields{};
  /// Equal when every member is.
  bool operator==(const HookRun&) const = default;
};

/// The status's name: "completed", "failed" or "unknown".
[[nodiscard]] LAKEFS_API const char* to_string(ActionRun::Status status) noexcept;
/// The status's name: "completed", "failed", "skipped" or "unknown".
[[nodiscard]] LAKEFS_API const char* to_string(HookRun::Status status) noexcept;

/// Options of Repository::action_runs().
struct LAKEFS_API ActionRunsOptions {
  /// Stop after this many runs.
  std::optional<std::size_t> max_amount{};
  /// Runs per request, 1–1000; as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only the runs of this branch. Not with `commit` (lakeFS takes one: both is InvalidArgumentError).
  std::string branch{};
  /// Only the runs of this commit. Not with `branch`.
  std::string commit{};
  /// Start after this run id (a listing's resume_after()); runs come in run id order.
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

/// Options of Repository::hook_runs().
struct LAKEFS_API HookRunsOptions {
  /// Stop after this many hooks.
  std::optional<std::size_t> max_amount{};
  /// Hooks per request, 1–1000; as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Start after this hook run id (a listing's resume_after()).
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

}  // namespace lakefs
