// SPDX-License-Identifier: Apache-2.0
#include "lakefs/import.hpp"

#include <mutex>
#include <optional>
#include <ostream>
#include <stop_token>
#include <utility>

#include "client_state.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/async/combinators.hpp"
#include "lakefs/errors.hpp"
#include "model/convert.hpp"
#include "util/sleep.hpp"

namespace lakefs {

namespace detail {

struct ImportMergeRecord {
  [[nodiscard]] std::optional<std::string> get() const {
    std::lock_guard lock(mutex);
    return commit;
  }
  void set(std::string id) {
    std::lock_guard lock(mutex);
    commit = std::move(id);
  }

  mutable std::mutex mutex;
  std::optional<std::string> commit;
};

}  // namespace detail

namespace {

ImportStatus to_status(const api::ImportStatus& s) {
  ImportStatus out;
  out.completed = s.completed;
  // Unparseable text gives the epoch rather than failing a status poll.
  out.update_time = detail::parse_rfc3339(s.update_time).value_or(Timestamp{});
  out.ingested_objects = s.ingested_objects.value_or(0);
  out.metarange_id = s.metarange_id.value_or("");
  if (s.commit) out.commit = detail::to_commit(*s.commit);
  if (s.error) out.error = s.error->message;
  out.unknown_fields = detail::to_unknown_fields(s.unknown_fields);
  return out;
}

std::string describe(const std::string& id, const Branch& branch) {
  return "import " + id + " into " + branch.repo_id() + "/" + branch.id();
}

// `call` without its stop token: for the requests that must reach the server once the caller has stopped.
CallOptions uninterruptible(const CallOptions& call) {
  return {.timeout = call.timeout, .retry = call.retry, .stop = {}};
}

// After a stop: the import's last status when the cancel came too late (it completed: the stop changed nothing),
// ImportError when it failed, else CancelledError. lakeFS commits an import before it publishes completion, and
// notices a cancel only at its next status refresh: the import may have committed (whole) already, so the outcome
// is unknown.
ImportStatus after_stop(const std::string& id, const Branch& branch, std::optional<ImportStatus> last) {
  if (last) {
    if (last->error) throw ImportError(describe(id, branch) + " failed: " + *last->error);
    if (last->completed) return std::move(*last);
  }
  throw CancelledError(describe(id, branch) +
                           ": stop requested; the import was cancelled on the server, but it may have committed "
                           "(whole) before the server noticed: check the branch head",
                       /*outcome_unknown=*/true);
}

void send_cancel(const Branch& branch, const std::string& id, const CallOptions& call) {
  try {
    branch.client().api().imports.import_cancel(
        {.repository = branch.repo_id(), .branch = branch.id(), .id = id, .call = call});
  } catch (const ConflictError& e) {
    // lakeFS answers 409 when the import already completed: there is nothing left to cancel.
    throw ImportError(describe(id, branch) + " cannot be cancelled, it has already completed (" + e.server_message() +
                      ")");
  }
}

// The caller asked to stop while waiting: cancels the import on the server and throws CancelledError (outcome
// unknown), or returns the final status when the server already reported the import completed (the stop came too
// late to change anything).
ImportStatus stop_import(const Branch& branch, const std::string& id, const CallOptions& call) {
  const CallOptions request = uninterruptible(call);
  std::optional<ImportStatus> last;
  try {
    send_cancel(branch, id, request);
  } catch (const ImportError&) {
    last = to_status(branch.client().api().imports.import_status(
        {.repository = branch.repo_id(), .branch = branch.id(), .id = id, .call = request}));
  }
  return after_stop(id, branch, std::move(last));
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const ImportStatus& status) {
  os << "ImportStatus(" << (status.completed ? "completed" : "running") << ", " << status.ingested_objects
     << " objects";
  if (status.commit) os << ", commit " << status.commit->id;
  if (status.error) os << ", error: " << *status.error;
  return os << ")";
}

ImportManager Branch::import_data() const { return ImportManager(*this); }
ImportManager Branch::import_data(ImportOptions options) const { return ImportManager(*this, std::move(options)); }

namespace {
Branch import_target(const Branch& branch, const ImportOptions& options) {
  if (!options.merge) return branch;
  std::string side = options.side_branch.empty() ? "_" + branch.id() + "_imported" : options.side_branch;
  return Branch(branch.repo_id(), std::move(side), branch.client());
}
}  // namespace

ImportManager::ImportManager(Branch branch, ImportOptions options)
    : branch_(std::move(branch)),
      target_(import_target(branch_, options)),
      options_(std::move(options)),
      merge_record_(std::make_shared<detail::ImportMergeRecord>()) {}

ImportManager& ImportManager::prefix(std::string source_uri, std::string destination) {
  detail::require_non_empty(source_uri, "import source URI");
  sources_.push_back({ImportSource::Type::prefix, std::move(source_uri), std::move(destination)});
  return *this;
}

ImportManager& ImportManager::object(std::string source_uri, std::string destination) {
  detail::require_non_empty(source_uri, "import source URI");
  detail::require_non_empty(destination, "import destination path");
  sources_.push_back({ImportSource::Type::object, std::move(source_uri), std::move(destination)});
  return *this;
}

std::string ImportManager::start(ImportStartOptions options) {
  const CallOptions& call = options.call;
  detail::require_non_empty(branch_.repo_id(), "repository id");
  detail::require_non_empty(branch_.id(), "branch id");
  if (!import_id_.empty()) {
    throw ImportError("import " + import_id_ + " into " + branch_.repo_id() + "/" + branch_.id() +
                      " was already started; create another ImportManager for a new import");
  }
  if (sources_.empty()) {
    throw InvalidArgumentError("an import needs at least one source: add one with prefix() or object()");
  }

  api::ImportCreation body;
  body.paths.reserve(sources_.size());
  for (const auto& source : sources_) {
    body.paths.push_back({.type = source.type == ImportSource::Type::prefix ? api::ImportLocationType::common_prefix
                                                                            : api::ImportLocationType::object,
                          .path = source.uri,
                          .destination = source.destination});
  }
  body.commit.message = options.commit_message.value_or(options_.commit_message);
  const Metadata& metadata = options.commit_metadata ? *options.commit_metadata : options_.commit_metadata;
  if (!metadata.empty()) body.commit.metadata = metadata;
  if (options_.force) body.force = true;
  if (call.stop.stop_requested()) {
    throw CancelledError("import into " + branch_.repo_id() + "/" + branch_.id() + ": cancelled before it was started");
  }
  if (options_.merge) (void)target_.create(branch_, {.exist_ok = true, .call = call});
  // Never interrupted once sent: an import that started on the server must have a known id, so it can be cancelled.
  merge_record_ =
      std::make_shared<detail::ImportMergeRecord>();  // this import's own: not shared with a copy made before start()
  import_id_ =
      target_.client()
          .api()
          .imports
          .import_start(
              {.repository = target_.repo_id(), .branch = target_.id(), .body = body, .call = uninterruptible(call)})
          .id;
  return import_id_;
}

ImportStatus ImportManager::status(CallOptions call) const {
  if (import_id_.empty()) throw ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started");
  auto current = to_status(target_.client().api().imports.import_status(
      {.repository = target_.repo_id(), .branch = target_.id(), .id = import_id_, .call = std::move(call)}));
  current.merge_commit = merge_record_->get();
  return current;
}

namespace {

async::Task<ImportStatus> status_task(Client client, std::string repo, std::string branch, std::string id,
                                      std::optional<std::string> merge_commit, CallOptions call) {
  api::ImportStatusRequest request{.repository = repo, .branch = branch, .id = id, .call = std::move(call)};
  api::ImportStatus answer = co_await client.api().imports.import_status_async(std::move(request));
  ImportStatus current = to_status(std::move(answer));
  current.merge_commit = std::move(merge_commit);
  co_return current;
}

}  // namespace

async::Task<ImportStatus> ImportManager::status_async(CallOptions call) const {
  if (import_id_.empty()) {
    return async::failed<ImportStatus>(
        std::make_exception_ptr(ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started")));
  }
  return status_task(target_.client(), target_.repo_id(), target_.id(), import_id_, merge_record_->get(),
                     std::move(call));
}

ImportStatus ImportManager::wait(ImportRunOptions options) const {
  if (import_id_.empty()) throw ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started");
  const std::stop_token& stop = options.call.stop;
  for (;;) {
    std::optional<ImportStatus> current;
    if (!stop.stop_requested()) {
      try {
        current = status(options.call);
      } catch (const CancelledError&) {
        // stopped during the poll: cancelled on the server below
      }
    }
    if (!current) return stop_import(target_, import_id_, options.call);
    if (options.on_progress) options.on_progress(*current);
    if (current->error) throw ImportError(describe(import_id_, target_) + " failed: " + *current->error);
    if (current->completed) {
      if (options_.merge && !merge_record_->get()) {
        merge_record_->set(target_.merge_into(branch_, {.message = options_.merge_message, .call = options.call}));
        current->merge_commit = merge_record_->get();
        if (options.on_progress) options.on_progress(*current);
      }
      return *current;
    }
    (void)detail::sleep_unless_stopped(options.poll_interval, stop);  // a stop is handled at the top of the loop
  }
}

namespace {

// stop_import() on the engine: the cancel and the last status go out although the wait was stopped.
async::Task<ImportStatus> stop_import_task(Branch branch, std::string id, CallOptions call) {
  std::stop_source never;  // a live token: the task's stopped one is not inherited by these requests
  call.stop = never.get_token();
  bool too_late = false;
  try {
    api::ImportCancelRequest cancel{.repository = branch.repo_id(), .branch = branch.id(), .id = id, .call = call};
    co_await branch.client().api().imports.import_cancel_async(std::move(cancel));
  } catch (const ConflictError&) {
    too_late = true;  // the import already completed (409): its last status says how
  }
  std::optional<ImportStatus> last;
  if (too_late) {
    api::ImportStatusRequest request{.repository = branch.repo_id(), .branch = branch.id(), .id = id, .call = call};
    last = to_status(co_await branch.client().api().imports.import_status_async(std::move(request)));
  }
  co_return after_stop(id, branch, std::move(last));
}

async::Task<ImportStatus> wait_task(Branch branch, Branch target, bool merge, std::string merge_message, std::string id,
                                    std::shared_ptr<detail::ImportMergeRecord> record, ImportRunOptions options) {
  // The options' token and the one the task inherited both stop the wait.
  const std::stop_token inherited = co_await async::current_stop_token{};
  async::detail::GroupStop stop(options.call.stop, inherited);
  CallOptions call = options.call;
  call.stop = stop.token();
  for (;;) {
    std::optional<ImportStatus> current;
    if (!call.stop.stop_requested()) {
      try {
        current = co_await status_task(target.client(), target.repo_id(), target.id(), id, record->get(), call);
      } catch (const CancelledError&) {
        // stopped during the poll: cancelled on the server below
      }
    }
    if (!current) co_return co_await stop_import_task(target, id, options.call);
    if (options.on_progress) options.on_progress(*current);
    if (current->error) throw ImportError(describe(id, target) + " failed: " + *current->error);
    if (current->completed) {
      if (merge && !record->get()) {
        MergeOptions merge_options{.message = merge_message, .call = call};
        record->set(co_await target.merge_into_async(branch.id(), std::move(merge_options)));
        current->merge_commit = record->get();
        if (options.on_progress) options.on_progress(*current);
      }
      co_return *current;
    }
    // A stop is handled at the top of the loop.
    (void)co_await detail::channel_of(target.client()).sleep_async(options.poll_interval, call.stop);
  }
}

}  // namespace

async::Task<ImportStatus> ImportManager::wait_async(ImportRunOptions options) const {
  if (import_id_.empty()) {
    return async::failed<ImportStatus>(
        std::make_exception_ptr(ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started")));
  }
  return wait_task(branch_, target_, options_.merge, options_.merge_message, import_id_, merge_record_,
                   std::move(options));
}

ImportStatus ImportManager::run(ImportRunOptions options) {
  (void)start(
      {.commit_message = options.commit_message, .commit_metadata = options.commit_metadata, .call = options.call});
  return wait(std::move(options));
}

void ImportManager::cancel(CallOptions call) {
  if (import_id_.empty()) throw ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started");
  send_cancel(target_, import_id_, call);
}

}  // namespace lakefs
