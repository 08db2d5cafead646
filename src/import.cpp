#include "lakefs/import.hpp"

#include <ostream>
#include <thread>
#include <utility>

#include "detail/convert.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"

namespace lakefs {

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
  return out;
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
ImportManager Branch::import_data(const ImportOptions& options) const { return ImportManager(*this, options); }

ImportManager::ImportManager(Branch branch, ImportOptions options)
    : branch_(std::move(branch)), options_(std::move(options)) {}

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

std::string ImportManager::start() {
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
  body.commit.message = options_.commit_message;
  if (!options_.commit_metadata.empty()) body.commit.metadata = options_.commit_metadata;
  if (options_.force) body.force = true;
  import_id_ = branch_.client()
                   .api()
                   .imports.import_start({.repository = branch_.repo_id(), .branch = branch_.id(), .body = body})
                   .id;
  return import_id_;
}

ImportStatus ImportManager::status() const {
  if (import_id_.empty()) throw ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started");
  return to_status(branch_.client().api().imports.import_status(
      {.repository = branch_.repo_id(), .branch = branch_.id(), .id = import_id_}));
}

ImportStatus ImportManager::wait(std::chrono::milliseconds poll_interval) const {
  return wait(ImportRunOptions{.on_progress = {}, .poll_interval = poll_interval});
}

ImportStatus ImportManager::wait(const ImportRunOptions& options) const {
  for (;;) {
    auto current = status();
    if (options.on_progress) options.on_progress(current);
    if (current.error) {
      throw ImportError("import " + import_id_ + " into " + branch_.repo_id() + "/" + branch_.id() +
                        " failed: " + *current.error);
    }
    if (current.completed) return current;
    std::this_thread::sleep_for(options.poll_interval);
  }
}

ImportStatus ImportManager::run(const ImportRunOptions& options) {
  (void)start();
  return wait(options);
}

void ImportManager::cancel() {
  if (import_id_.empty()) throw ImportError("import into " + branch_.repo_id() + "/" + branch_.id() + " not started");
  try {
    branch_.client().api().imports.import_cancel(
        {.repository = branch_.repo_id(), .branch = branch_.id(), .id = import_id_});
  } catch (const ConflictError& e) {
    // lakeFS answers 409 when the import already completed: there is nothing left to cancel.
    throw ImportError("import " + import_id_ + " into " + branch_.repo_id() + "/" + branch_.id() +
                      " cannot be cancelled, it has already completed (" + e.server_message() + ")");
  }
}

}  // namespace lakefs
