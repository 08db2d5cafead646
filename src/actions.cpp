// SPDX-License-Identifier: Apache-2.0
// Repository: action runs and hook outputs.
#include "lakefs/actions.hpp"

#include <utility>

#include "api/model_codec.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/repository.hpp"
#include "model/convert.hpp"

namespace lakefs {

const char* to_string(ActionRun::Status status) noexcept {
  switch (status) {
    case ActionRun::Status::completed:
      return "completed";
    case ActionRun::Status::failed:
      return "failed";
    case ActionRun::Status::unknown:
      break;
  }
  return "unknown";
}

const char* to_string(HookRun::Status status) noexcept {
  switch (status) {
    case HookRun::Status::completed:
      return "completed";
    case HookRun::Status::failed:
      return "failed";
    case HookRun::Status::skipped:
      return "skipped";
    case HookRun::Status::unknown:
      break;
  }
  return "unknown";
}

namespace {

Timestamp time_of(const std::string& text) { return detail::parse_rfc3339(text).value_or(Timestamp{}); }

std::optional<Timestamp> time_of(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  return detail::parse_rfc3339(*text);
}

ActionRun to_run(api::ActionRun&& r) {
  ActionRun out;
  out.run_id = std::move(r.run_id);
  out.branch = std::move(r.branch);
  out.event_type = std::move(r.event_type);
  switch (r.status.value()) {
    case api::ActionRunStatus::completed:
      out.status = ActionRun::Status::completed;
      break;
    case api::ActionRunStatus::failed:
      out.status = ActionRun::Status::failed;
      break;
    case api::ActionRunStatus::unknown:
      break;
  }
  out.commit_id = std::move(r.commit_id);
  out.start_time = time_of(r.start_time);
  out.end_time = time_of(r.end_time);
  out.unknown_fields = detail::to_unknown_fields(r.unknown_fields);
  return out;
}

HookRun to_hook(api::HookRun&& h) {
  HookRun out;
  out.hook_run_id = std::move(h.hook_run_id);
  out.action = std::move(h.action);
  out.hook_id = std::move(h.hook_id);
  switch (h.status.value()) {
    case api::HookRunStatus::completed:
      out.status = HookRun::Status::completed;
      break;
    case api::HookRunStatus::failed:
      out.status = HookRun::Status::failed;
      break;
    case api::HookRunStatus::unknown:
      // lakeFS also reports "skipped" (not in its spec's enum).
      if (h.status.raw() == "skipped") out.status = HookRun::Status::skipped;
      break;
  }
  out.start_time = time_of(h.start_time);
  out.end_time = time_of(h.end_time);
  out.unknown_fields = detail::to_unknown_fields(h.unknown_fields);
  return out;
}

}  // namespace

Listing<ActionRun> Repository::action_runs(ActionRunsOptions options) const {
  detail::require_page_size(options.page_size);
  if (!options.branch.empty() && !options.commit.empty()) {
    throw InvalidArgumentError("action_runs: give a branch or a commit, not both");
  }
  auto client = client_;
  auto repo = id_;
  return Listing<ActionRun>(
      [client, repo, options](const std::string& after, std::size_t amount, const CallOptions& call) {
        const auto given = [](const std::string& s) {
          return s.empty() ? std::nullopt : std::optional<std::string>(s);
        };
        return detail::raw_page(
            client.api().actions.list_repository_runs_raw({.repository = repo,
                                                           .after = after,
                                                           .amount = static_cast<std::int64_t>(amount),
                                                           .branch = given(options.branch),
                                                           .commit = given(options.commit),
                                                           .call = call}),
            "ActionRunList");
      },
      [](std::string_view body, std::vector<ActionRun>& items) {
        api::ActionRunList list;
        api::decode_from_string(body, list, "ActionRunList");
        items.reserve(items.size() + list.results.size());
        for (auto& r : list.results) items.push_back(to_run(std::move(r)));
      },
      options.max_amount, options.page_size, options.after, [](const ActionRun& r) { return r.run_id; }, options.call);
}

ActionRun Repository::action_run(const std::string& run_id, CallOptions call) const {
  detail::require_non_empty(run_id, "run id");
  return to_run(client_.api().actions.get_run({.repository = id_, .run_id = run_id, .call = call}));
}

Listing<HookRun> Repository::hook_runs(const std::string& run_id, HookRunsOptions options) const {
  detail::require_non_empty(run_id, "run id");
  detail::require_page_size(options.page_size);
  auto client = client_;
  auto repo = id_;
  return Listing<HookRun>(
      [client, repo, run_id](const std::string& after, std::size_t amount, const CallOptions& call) {
        return detail::raw_page(client.api().actions.list_run_hooks_raw({.repository = repo,
                                                                         .run_id = run_id,
                                                                         .after = after,
                                                                         .amount = static_cast<std::int64_t>(amount),
                                                                         .call = call}),
                                "HookRunList");
      },
      [](std::string_view body, std::vector<HookRun>& items) {
        api::HookRunList list;
        api::decode_from_string(body, list, "HookRunList");
        items.reserve(items.size() + list.results.size());
        for (auto& h : list.results) items.push_back(to_hook(std::move(h)));
      },
      options.max_amount, options.page_size, options.after, [](const HookRun& h) { return h.hook_run_id; },
      options.call);
}

std::string Repository::hook_output(const std::string& run_id, const std::string& hook_run_id, CallOptions call) const {
  detail::require_non_empty(run_id, "run id");
  detail::require_non_empty(hook_run_id, "hook run id");
  std::string out;
  (void)client_.api().actions.get_run_hook_output(
      {.repository = id_, .run_id = run_id, .hook_run_id = hook_run_id, .call = call},
      [&out](std::string_view chunk) { out.append(chunk); });
  return out;
}

}  // namespace lakefs
