#include "lakefs/import.hpp"

#include <cstdio>
#include <ostream>
#include <thread>
#include <utility>

#include "detail/convert.hpp"
#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"

namespace lakefs {

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// lakeFS reports update_time as Go's RFC 3339 text, e.g. "2024-05-01T12:34:56.123456789Z" or "...+02:00".
// Unparseable text gives the epoch rather than failing a status poll.
Timestamp parse_rfc3339(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6) return {};
  std::size_t pos = static_cast<std::size_t>(consumed);
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  std::int64_t offset = 0;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d", &oh, &om) == 2) {
      offset = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    }
  }
  const std::int64_t seconds =
      days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 + mi * 60 + s - offset;
  return Timestamp(std::chrono::seconds(seconds));
}

ImportStatus to_status(const api::ImportStatus& s) {
  ImportStatus out;
  out.completed = s.completed;
  out.update_time = parse_rfc3339(s.update_time);
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
