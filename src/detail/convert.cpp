#include "detail/convert.hpp"

#include <chrono>
#include <ctime>

namespace lakefs::detail {
namespace {

Timestamp from_epoch(std::int64_t seconds) { return Timestamp(std::chrono::seconds(seconds)); }

Change::Type change_type(const std::string& raw) {
  if (raw == "added") return Change::Type::added;
  if (raw == "removed") return Change::Type::removed;
  if (raw == "changed") return Change::Type::changed;
  if (raw == "conflict") return Change::Type::conflict;
  if (raw == "prefix_changed") return Change::Type::prefix_changed;
  return Change::Type::unknown;
}

Change::PathType path_type(const std::string& raw) {
  if (raw == "object") return Change::PathType::object;
  if (raw == "common_prefix") return Change::PathType::common_prefix;
  return Change::PathType::unknown;
}

}  // namespace

Commit to_commit(const api::Commit& c) {
  return Commit{c.id,
                c.parents,
                c.committer,
                c.message,
                from_epoch(c.creation_date),
                c.meta_range_id,
                c.metadata.value_or(Metadata{})};
}

Change to_change(const api::Diff& d) {
  return Change{change_type(d.type.raw()), d.path, path_type(d.path_type.raw()), d.size_bytes};
}

ObjectInfo to_object_info(const api::ObjectStats& s) {
  ObjectInfo info;
  info.path = s.path;
  info.physical_address = s.physical_address;
  if (s.physical_address_expiry) info.physical_address_expiry = from_epoch(*s.physical_address_expiry);
  info.checksum = s.checksum;
  info.size_bytes = s.size_bytes.value_or(0);
  info.mtime = from_epoch(s.mtime);
  info.metadata = s.metadata.value_or(Metadata{});
  info.content_type = s.content_type.value_or("");
  return info;
}

RepositoryProperties to_properties(const api::Repository& r) {
  return RepositoryProperties{r.id,
                              from_epoch(r.creation_date),
                              r.default_branch,
                              r.storage_namespace,
                              r.storage_id.value_or(""),
                              r.read_only.value_or(false)};
}

ServerStorageConfiguration to_storage_config(const api::StorageConfig& s) {
  return ServerStorageConfiguration{s.blockstore_type,
                                    s.blockstore_namespace_example,
                                    s.blockstore_namespace_ValidityRegex,
                                    s.default_namespace_prefix.value_or(""),
                                    s.pre_sign_support,
                                    s.pre_sign_support_ui,
                                    s.import_support,
                                    s.import_validity_regex,
                                    s.pre_sign_multipart_upload.value_or(false)};
}

std::string to_rfc3339(Timestamp t) {
  const std::time_t seconds = t.time_since_epoch().count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[32];
  const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(buf, n);
}

std::optional<Timestamp> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  // "YYYY-MM-DDTHH:MM:SS", then an optional fraction, then "Z" or "+HH:MM" / "-HH:MM".
  auto digits = [&](std::size_t at, std::size_t count, int& out) {
    if (at + count > text.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' ||
      !digits(8, 2, d) || (text[10] != 'T' && text[10] != 't') || !digits(11, 2, h) || text[13] != ':' ||
      !digits(14, 2, mi) || text[16] != ':' || !digits(17, 2, s)) {
    return std::nullopt;
  }
  const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!date.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
  }
  seconds offset{0};
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(pos + 4, 2, om)) {
      return std::nullopt;
    }
    offset = (text[pos] == '+' ? 1 : -1) * (hours(oh) + minutes(om));
    pos += 6;
  } else if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  return Timestamp(sys_days(date).time_since_epoch() + hours(h) + minutes(mi) + seconds(s) - offset);
}

std::string unquote_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

void require_non_empty(const std::string& value, const char* what) {
  if (value.empty()) throw InvalidArgumentError(std::string(what) + " must not be empty");
}

}  // namespace lakefs::detail
