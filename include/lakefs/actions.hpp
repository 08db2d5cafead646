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

#include "lakefs/models.hpp"
#include "lakefs/policies.hpp"

namespace lakefs {

/// One run of a repository's actions for one event.
struct ActionRun {
  enum class Status { completed, failed, unknown };
  std::string run_id{};
  /// The branch the event happened on.
  std::string branch{};
  /// "pre-commit", "post-commit", "pre-merge", "post-merge", "pre-create-branch", ...
  std::string event_type{};
  Status status = Status::unknown;
  /// The commit the event made; empty when there is none (a failed pre-commit).
  std::string commit_id{};
  Timestamp start_time{};
  std::optional<Timestamp> end_time{};
  bool operator==(const ActionRun&) const = default;
};

/// One hook of a run.
struct HookRun {
  /// `skipped`: an earlier hook of the run failed, so this one did not run.
  enum class Status { completed, failed, skipped, unknown };
  std::string hook_run_id{};
  /// The action's `name` and the hook's `id`, from the action file.
  std::string action{};
  std::string hook_id{};
  Status status = Status::unknown;
  Timestamp start_time{};
  std::optional<Timestamp> end_time{};
  bool operator==(const HookRun&) const = default;
};

[[nodiscard]] const char* to_string(ActionRun::Status status) noexcept;
[[nodiscard]] const char* to_string(HookRun::Status status) noexcept;

struct ActionRunsOptions {
  /// Stop after this many runs.
  std::optional<std::size_t> max_amount{};
  /// Runs per request, 1–1000; as LogOptions::page_size.
  std::size_t page_size = 1000;
  /// Only the runs of this branch, or of this commit (not both: lakeFS takes one).
  std::string branch{};
  std::string commit{};
  /// Start after this run id (a listing's resume_after()); runs come in run id order.
  std::string after{};
  /// As LogOptions::call.
  CallOptions call{};
};

struct HookRunsOptions {
  std::optional<std::size_t> max_amount{};
  std::size_t page_size = 1000;
  /// Start after this hook run id (a listing's resume_after()).
  std::string after{};
  CallOptions call{};
};

}  // namespace lakefs
