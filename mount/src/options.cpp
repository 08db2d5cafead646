// SPDX-License-Identifier: Apache-2.0
#include "options.hpp"

#include <charconv>
#include <limits>

#include "lakefs/version.hpp"

namespace lakefs_mount {

namespace {

constexpr std::string_view scheme = "lakefs://";

Exit usage_error(const std::string& what) {
  return Exit{2, "lakefs-mount: " + what + "\nTry 'lakefs-mount --help' for more information.\n"};
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const auto number = parse_count(text.substr(0, digits));
  if (!number) return std::nullopt;
  std::string_view unit = text.substr(digits);
  if (unit.ends_with("iB")) {
    unit.remove_suffix(2);
    if (unit.empty()) return std::nullopt;
  } else if (unit.ends_with("B") && unit.size() == 2) {
    unit.remove_suffix(1);
  }
  unsigned shift = 0;
  if (unit.empty())
    shift = 0;
  else if (unit == "K" || unit == "k")
    shift = 10;
  else if (unit == "M" || unit == "m")
    shift = 20;
  else if (unit == "G" || unit == "g")
    shift = 30;
  else if (unit == "T" || unit == "t")
    shift = 40;
  else
    return std::nullopt;
  if (*number > (std::numeric_limits<std::uint64_t>::max() >> shift)) return std::nullopt;
  return *number << shift;
}

std::string usage_text() {
  return R"(Usage: lakefs-mount lakefs://REPOSITORY/REF[/PREFIX] MOUNTPOINT [OPTIONS]

Mounts a commit, tag or branch of a lakeFS repository at MOUNTPOINT as a read-only
filesystem. Files are read on demand, in blocks, and kept in an on-disk cache; nothing
is downloaded until a program reads it. Unmount with `fusermount3 -u MOUNTPOINT`
(or Ctrl-C in the foreground).

REF is a branch, a tag, a commit id or an expression such as main~2. A branch is
pinned to its head commit when mounting (a consistent snapshot; changes staged on the
branch and later commits are not shown) unless --follow is given.

The server and credentials are found as the lakeFS C++ SDK finds them: LAKEFS_ENDPOINT,
LAKEFS_ACCESS_KEY_ID and LAKEFS_SECRET_ACCESS_KEY, else lakectl's LAKECTL_* variables,
else ~/.lakectl.yaml (or $LAKECTL_CONFIG_FILE).

Options:
  -f, --foreground        stay in the foreground (default: become a daemon once mounted)
  --cache-dir DIR         on-disk block cache (default: $XDG_CACHE_HOME/lakefs-mount,
                          else ~/.cache/lakefs-mount); one mount at a time per directory
  --cache-size SIZE       bound of the block cache, least recently used blocks evicted
                          first (default 4G; suffixes K, M, G, T)
  --cache-fill best-effort|all
                          best-effort (the default): a block goes into the cache behind
                          the read, unless the disk is already --fetch-threads blocks
                          behind (then it is not cached, and is fetched again if read
                          again): reads never wait for the cache's writes. all: every
                          block read is cached, and reads wait for the writes when the
                          disk is slower than the network
  --block-size SIZE       bytes per range request and cache entry (default 1M)
  --read-ahead SIZE       largest read-ahead window of a sequential reader (default 16M;
                          0 disables read-ahead). Random reads never read ahead.
  --fetch-threads N       block downloads in flight at once for read-ahead (default 8)
  --max-entries N         directory entries kept in memory; beyond it the least recently
                          used directories are listed again when needed (default 1000000)
  --follow[=SECONDS]      follow a branch: re-pin to its head every SECONDS (default 10).
                          Open files keep the commit they were opened at.
  --pre-sign auto|always|never
                          read blocks straight from the object store through pre-signed
                          URLs: when the server supports them (auto, the default), or
                          always (fail at mount when it cannot), or never
  --timeout SECONDS       per-request timeout (default: the client's configuration)
  --log-file FILE         where a daemon writes its messages (default: nowhere)
  -o OPT[,OPT...]         FUSE mount options, e.g. -o allow_other
  -d, --debug             print every FUSE request (implies --foreground)
  -h, --help              show this help
  -V, --version           show the version

Examples:
  lakefs-mount lakefs://quickstart/main ~/lakefs
  lakefs-mount lakefs://example/v1.2/datasets/ /mnt/data --cache-size 20G
  lakefs-mount lakefs://example/main /mnt/live --follow=30 -f

See docs/mount.md for the semantics, the cache and the limits.
)";
}

std::variant<MountOptions, Exit> parse_arguments(const std::vector<std::string_view>& args) {
  MountOptions options;
  std::vector<std::string_view> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    // "--name=value" or "--name value".
    std::string_view name = arg;
    std::optional<std::string_view> inline_value;
    if (arg.starts_with("--")) {
      if (const auto eq = arg.find('='); eq != std::string_view::npos) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
    }
    const auto value = [&]() -> std::optional<std::string_view> {
      if (inline_value) return inline_value;
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    };
    const auto size_value = [&](std::uint64_t& out) -> std::optional<Exit> {
      const auto text = value();
      if (!text) return usage_error("option '" + std::string(name) + "' needs a size");
      const auto parsed = parse_size(*text);
      if (!parsed)
        return usage_error("option '" + std::string(name) + "': '" + std::string(*text) +
                           "' is not a size (e.g. 512K, 64M, 10G)");
      out = *parsed;
      return std::nullopt;
    };
    if (name == "-h" || name == "--help") return Exit{0, usage_text()};
    if (name == "-V" || name == "--version") return Exit{0, "lakefs-mount " LAKEFS_CPP_VERSION "\n"};
    if (name == "-f" || name == "--foreground") {
      options.foreground = true;
    } else if (name == "-d" || name == "--debug") {
      options.debug = true;
      options.foreground = true;
    } else if (name == "--cache-dir" || name == "--log-file") {
      const auto text = value();
      if (!text || text->empty()) return usage_error("option '" + std::string(name) + "' needs a path");
      (name == "--cache-dir" ? options.cache_dir : options.log_file) = std::filesystem::path(*text);
    } else if (name == "--cache-size") {
      if (auto e = size_value(options.cache_size)) return *e;
    } else if (name == "--cache-fill") {
      const auto text = value();
      if (text == "best-effort")
        options.cache_fill = CacheFill::best_effort;
      else if (text == "all")
        options.cache_fill = CacheFill::all;
      else
        return usage_error("--cache-fill takes best-effort or all");
    } else if (name == "--block-size") {
      std::uint64_t size = 0;
      if (auto e = size_value(size)) return *e;
      if (size < (4u << 10) || size > (64u << 20)) return usage_error("--block-size must be between 4K and 64M");
      options.block_size = static_cast<std::size_t>(size);
    } else if (name == "--read-ahead") {
      std::uint64_t size = 0;
      if (auto e = size_value(size)) return *e;
      if (size > (std::uint64_t{1} << 30)) return usage_error("--read-ahead must be at most 1G");
      options.read_ahead = static_cast<std::size_t>(size);
    } else if (name == "--fetch-threads") {
      const auto text = value();
      const auto n = text ? parse_count(*text) : std::nullopt;
      if (!n || *n < 1 || *n > 64) return usage_error("--fetch-threads needs a number from 1 to 64");
      options.fetch_threads = static_cast<std::size_t>(*n);
    } else if (name == "--max-entries") {
      const auto text = value();
      const auto n = text ? parse_count(*text) : std::nullopt;
      if (!n || *n < 10 || *n > 1'000'000'000) return usage_error("--max-entries needs a number from 10 to 1000000000");
      options.max_entries = static_cast<std::size_t>(*n);
    } else if (name == "--follow") {
      // The interval is optional, so only "--follow=N" carries one.
      std::uint64_t seconds = 10;
      if (inline_value) {
        const auto n = parse_count(*inline_value);
        if (!n || *n < 1 || *n > 86400) return usage_error("--follow=SECONDS needs a number from 1 to 86400");
        seconds = *n;
      }
      options.follow = std::chrono::seconds(seconds);
    } else if (name == "--pre-sign") {
      const auto text = value();
      if (text == "auto")
        options.pre_sign = PreSign::automatic;
      else if (text == "always")
        options.pre_sign = PreSign::always;
      else if (text == "never")
        options.pre_sign = PreSign::never;
      else
        return usage_error("--pre-sign takes auto, always or never");
    } else if (name == "--timeout") {
      const auto text = value();
      const auto n = text ? parse_count(*text) : std::nullopt;
      if (!n || *n < 1 || *n > 86400) return usage_error("--timeout needs a number of seconds from 1 to 86400");
      options.timeout = std::chrono::seconds(*n);
    } else if (arg == "-o" || (arg.starts_with("-o") && arg.size() > 2)) {
      std::string_view list = arg.size() > 2 ? arg.substr(2) : std::string_view();
      if (list.empty()) {
        if (i + 1 >= args.size()) return usage_error("option '-o' needs a list of FUSE options");
        list = args[++i];
      }
      while (!list.empty()) {
        const auto comma = list.find(',');
        const auto one = list.substr(0, comma);
        // The mount is read-only whatever is asked; "rw" would only confuse.
        if (one == "rw") return usage_error("the mount is read-only: '-o rw' is not accepted");
        if (!one.empty()) options.fuse_options.emplace_back(one);
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      }
    } else if (arg.starts_with("-") && arg != "-") {
      return usage_error("unknown option '" + std::string(arg) + "'");
    } else {
      positional.push_back(arg);
    }
  }
  if (positional.size() != 2) return usage_error("expected lakefs://REPOSITORY/REF[/PREFIX] and MOUNTPOINT");

  std::string_view uri = positional[0];
  if (!uri.starts_with(scheme))
    return usage_error("'" + std::string(uri) + "' is not a lakefs:// URI (lakefs://REPOSITORY/REF[/PREFIX])");
  uri.remove_prefix(scheme.size());
  const auto slash = uri.find('/');
  if (slash == std::string_view::npos || slash == 0)
    return usage_error("'" + std::string(positional[0]) + "' names no ref (lakefs://REPOSITORY/REF[/PREFIX])");
  options.repository = std::string(uri.substr(0, slash));
  uri.remove_prefix(slash + 1);
  const auto ref_end = uri.find('/');
  options.ref = std::string(uri.substr(0, ref_end));
  if (options.ref.empty())
    return usage_error("'" + std::string(positional[0]) + "' names no ref (lakefs://REPOSITORY/REF[/PREFIX])");
  if (ref_end != std::string_view::npos) {
    options.prefix = std::string(uri.substr(ref_end + 1));
    if (!options.prefix.empty() && !options.prefix.ends_with('/')) options.prefix += '/';
    if (options.prefix.starts_with('/') || options.prefix.find("//") != std::string::npos)
      return usage_error("the prefix '" + options.prefix + "' has an empty path segment");
  }
  options.mountpoint = std::filesystem::path(positional[1]);
  return options;
}

}  // namespace lakefs_mount
