// SPDX-License-Identifier: Apache-2.0
// Repository: refs dump and restore, submitted and waited for.
#include "lakefs/refs_dump.hpp"

#include <utility>

#include "lakefs/api/api.hpp"
#include "lakefs/repository.hpp"
#include "model/convert.hpp"
#include "util/sleep.hpp"

namespace lakefs {
namespace {

template <typename Status>
RefsTaskStatus to_status(const Status& s) {
  return RefsTaskStatus{.task_id = s.id,
                        .done = s.done,
                        .update_time = detail::parse_rfc3339(s.update_time).value_or(Timestamp{}),
                        .error = s.error};
}

// Polls `poll` until the task is done; returns the last answer. A stop ends the wait with CancelledError.
template <typename Poll>
auto wait_for(const char* what, const std::string& repo, const RefsTaskOptions& options, Poll poll) {
  for (;;) {
    if (options.call.stop.stop_requested()) {
      throw CancelledError(std::string(what) + " of repository '" + repo +
                               "': cancelled while waiting (the task runs on to its end on the server)",
                           true);
    }
    auto answer = poll();
    const auto status = to_status(answer);
    if (options.on_progress) options.on_progress(status);
    if (status.done) {
      if (status.error && !status.error->empty()) {
        throw TaskFailedError(std::string(what) + " of repository '" + repo + "' failed (task " + status.task_id +
                              "): " + *status.error);
      }
      return answer;
    }
    // The pause between polls ends at once on a stop request (handled at the top of the loop).
    (void)detail::sleep_unless_stopped(options.poll_interval, options.call.stop);
  }
}

}  // namespace

RefsDump Repository::dump_refs(RefsTaskOptions options) const {
  auto& api = client_.api();
  const auto task = api.repositories.dump_submit({.repository = id_, .call = options.call});
  const auto done = wait_for("refs dump", id_, options, [&] {
    return api.repositories.dump_status({.repository = id_, .task_id = task.id, .call = options.call});
  });
  if (!done.refs) {
    throw ProtocolError("refs dump of repository '" + id_ + "': the server reported it done without the dump's refs");
  }
  return RefsDump{.commits_meta_range_id = done.refs->commits_meta_range_id,
                  .tags_meta_range_id = done.refs->tags_meta_range_id,
                  .branches_meta_range_id = done.refs->branches_meta_range_id};
}

void Repository::restore_refs(const RefsDump& dump, RefsTaskOptions options) const {
  if (dump.commits_meta_range_id.empty() || dump.tags_meta_range_id.empty() || dump.branches_meta_range_id.empty()) {
    throw InvalidArgumentError("restore_refs: the dump's three metarange ids must be set");
  }
  auto& api = client_.api();
  const auto task = api.repositories.restore_submit({.repository = id_,
                                                     .body = {.commits_meta_range_id = dump.commits_meta_range_id,
                                                              .tags_meta_range_id = dump.tags_meta_range_id,
                                                              .branches_meta_range_id = dump.branches_meta_range_id},
                                                     .call = options.call});
  (void)wait_for("refs restore", id_, options, [&] {
    return api.repositories.restore_status({.repository = id_, .task_id = task.id, .call = options.call});
  });
}

}  // namespace lakefs
