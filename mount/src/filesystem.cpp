// SPDX-License-Identifier: Apache-2.0
#include "filesystem.hpp"

#include <fuse.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "lakefs/api/api.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/reference.hpp"
#include "lakefs/repository.hpp"

namespace lakefs_mount {

namespace {

// One line on stderr (a daemon's stderr is its --log-file, or nowhere).
void log_line(const std::string& text) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::cerr << stamp << " lakefs-mount: " << text << std::endl;
}

Filesystem& fs() { return *static_cast<Filesystem*>(fuse_get_context()->private_data); }

// "/a/b" -> "a/b"; "/" -> "".
std::string relative(const char* path) {
  std::string_view p(path);
  while (p.starts_with('/')) p.remove_prefix(1);
  return std::string(p);
}

// The errno an operation answers for the exception in flight; every failure but "not found" is logged.
int error_code(const char* what, const char* path) {
  try {
    throw;
  } catch (const lakefs::NotFoundError&) {
    return -ENOENT;
  } catch (const lakefs::UnauthorizedError& e) {
    log_line(std::string(what) + " " + path + ": " + e.what());
    return -EACCES;
  } catch (const lakefs::ForbiddenError& e) {
    log_line(std::string(what) + " " + path + ": " + e.what());
    return -EACCES;
  } catch (const std::exception& e) {
    log_line(std::string(what) + " " + path + ": " + e.what());
    return -EIO;
  } catch (...) {
    log_line(std::string(what) + " " + path + ": unknown failure");
    return -EIO;
  }
}

void fill(struct stat* st, const Entry& entry) {
  std::memset(st, 0, sizeof *st);
  st->st_mode = entry.directory ? (S_IFDIR | 0555) : (S_IFREG | 0444);
  st->st_nlink = entry.directory ? 2 : 1;
  st->st_size = static_cast<off_t>(entry.size);
  st->st_blocks = static_cast<blkcnt_t>((entry.size + 511) / 512);
  st->st_blksize = 1 << 20;
  st->st_mtim.tv_sec = entry.mtime;
  st->st_ctim.tv_sec = entry.mtime;
  st->st_atim.tv_sec = entry.mtime;
  st->st_uid = ::getuid();
  st->st_gid = ::getgid();
}

// An open file: its object at the commit it was opened at, and its access pattern.
struct FileHandle {
  Entry entry;
  std::shared_ptr<const ObjectRef> object;
  ReadState state;
};

// An open directory keeps the snapshot it was opened in.
struct DirHandle {
  std::shared_ptr<Snapshot> snapshot;
};

void* op_init(fuse_conn_info* conn, fuse_config* cfg) {
  auto& self = fs();
  const bool follow = self.options().follow.has_value();
  // A commit never changes: the kernel may keep names, attributes and pages as long as it likes. A followed branch
  // changes under the mount: names and attributes are trusted for a second, pages not across opens.
  const double ttl = follow ? 1.0 : 86400.0;
  cfg->entry_timeout = ttl;
  cfg->attr_timeout = ttl;
  cfg->negative_timeout = follow ? 1.0 : 3600.0;
  cfg->kernel_cache = follow ? 0 : 1;
  cfg->use_ino = 0;
  // Large reads: the kernel sends up to this much per request, and reads ahead this far itself.
  // The kernel takes the smaller of this and its own read-ahead (raised where possible: main.cpp).
  conn->max_readahead = 16u << 20;
  // Requests of up to about 1 MiB (filesystem.hpp: max_read_bytes, which main.cpp mounts with).
  conn->max_read = max_read_bytes;
  // Replies from the disk cache are spliced: the kernel copies from the cache's file, not from a buffer here.
  if (conn->capable & FUSE_CAP_SPLICE_WRITE) conn->want |= FUSE_CAP_SPLICE_WRITE;
  return &self;
}

int op_getattr(const char* path, struct stat* st, fuse_file_info* fi) {
  try {
    if (fi && fi->fh) {
      fill(st, reinterpret_cast<FileHandle*>(fi->fh)->entry);
      return 0;
    }
    const auto entry = fs().snapshot()->lookup(relative(path));
    if (!entry) return -ENOENT;
    fill(st, *entry);
    return 0;
  } catch (...) {
    return error_code("stat", path);
  }
}

int op_opendir(const char* path, fuse_file_info* fi) {
  try {
    auto snapshot = fs().snapshot();
    const auto rel = relative(path);
    const auto entry = snapshot->lookup(rel);
    if (!entry) return -ENOENT;
    if (!entry->directory) return -ENOTDIR;
    fi->fh = reinterpret_cast<std::uint64_t>(new DirHandle{std::move(snapshot)});
    // Listings of a commit never change.
    fi->cache_readdir = fs().options().follow ? 0 : 1;
    fi->keep_cache = fi->cache_readdir;
    return 0;
  } catch (...) {
    return error_code("opendir", path);
  }
}

int op_readdir(const char* path, void* buf, fuse_fill_dir_t filler, off_t, fuse_file_info* fi,
               fuse_readdir_flags flags) {
  try {
    auto snapshot = fi && fi->fh ? reinterpret_cast<DirHandle*>(fi->fh)->snapshot : fs().snapshot();
    const auto dir = snapshot->directory(relative(path));
    if (!dir) return -ENOENT;
    const bool plus = (flags & FUSE_READDIR_PLUS) != 0;
    filler(buf, ".", nullptr, 0, fuse_fill_dir_flags{});
    filler(buf, "..", nullptr, 0, fuse_fill_dir_flags{});
    for (const auto& entry : dir->entries) {
      struct stat st;
      fill(&st, entry);
      if (filler(buf, entry.name.c_str(), &st, 0, plus ? FUSE_FILL_DIR_PLUS : fuse_fill_dir_flags{}) != 0) break;
    }
    return 0;
  } catch (...) {
    return error_code("readdir", path);
  }
}

int op_releasedir(const char*, fuse_file_info* fi) {
  delete reinterpret_cast<DirHandle*>(fi->fh);
  return 0;
}

int op_open(const char* path, fuse_file_info* fi) {
  if ((fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & (O_TRUNC | O_CREAT | O_APPEND)) != 0) return -EROFS;
  try {
    auto& self = fs();
    auto snapshot = self.snapshot();
    auto entry = snapshot->lookup(relative(path));
    if (!entry) return -ENOENT;
    if (entry->directory) return -EISDIR;
    auto object = std::make_shared<ObjectRef>();
    object->repository = snapshot->repository();
    object->commit_id = snapshot->commit_id();
    object->key = entry->key;
    object->checksum = entry->checksum;
    object->size = entry->size;
    auto* handle = new FileHandle{std::move(*entry), std::move(object), {}};
    fi->fh = reinterpret_cast<std::uint64_t>(handle);
    // A followed branch: the kernel learns a file's new size within a second of a re-pin, and would cut reads of a
    // file opened before it at that size. Reads of such files bypass the page cache (direct I/O), so an open file
    // reads its own snapshot whole (docs/mount.md: no shared mmap in follow mode).
    const bool follow = self.options().follow.has_value();
    fi->keep_cache = follow ? 0 : 1;
    fi->direct_io = follow ? 1 : 0;
    return 0;
  } catch (...) {
    return error_code("open", path);
  }
}

// The disk-cache blocks of the reply this thread is sending, pinned: libfuse sends it, splicing from the cache's
// file, after op_read_buf returns and before this thread takes its next request, which unpins them.
thread_local std::vector<std::shared_ptr<const BlockFile>> replying;

int op_read_buf(const char* path, fuse_bufvec** out, size_t size, off_t offset, fuse_file_info* fi) {
  replying.clear();
  if (offset < 0) return -EINVAL;
  auto* handle = reinterpret_cast<FileHandle*>(fi->fh);
  try {
    const auto pieces = fs().reader().pieces(handle->object, handle->state, size, static_cast<std::uint64_t>(offset));
    // Blocks all in the disk cache: the reply names their places in the cache's file, and the kernel copies from
    // there straight into the mounted file's pages (splice), no copy here. Otherwise one buffer with the bytes,
    // which libfuse frees.
    const bool files =
        !pieces.empty() && std::all_of(pieces.begin(), pieces.end(), [](const auto& p) { return !p.memory; });
    const std::size_t count = files ? pieces.size() : 1;
    if (files)
      for (const auto& piece : pieces) replying.push_back(piece.file);
    auto* vec = static_cast<fuse_bufvec*>(std::malloc(sizeof(fuse_bufvec) + (count - 1) * sizeof(fuse_buf)));
    if (!vec) return -ENOMEM;
    vec->count = count;
    vec->idx = 0;
    vec->off = 0;
    if (files) {
      for (std::size_t i = 0; i < count; ++i) {
        const auto& piece = pieces[i];
        vec->buf[i] = {.size = piece.length,
                       .flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK),
                       .mem = nullptr,
                       .fd = piece.file->fd(),
                       .pos = static_cast<off_t>(piece.file->offset() + piece.from)};
      }
      *out = vec;
      return 0;
    }
    std::size_t total = 0;
    for (const auto& piece : pieces) total += piece.length;
    char* mem = static_cast<char*>(std::malloc(total == 0 ? 1 : total));
    if (!mem) {
      std::free(vec);
      return -ENOMEM;
    }
    std::size_t done = 0;
    for (const auto& piece : pieces) {
      if (piece.memory) {
        std::memcpy(mem + done, piece.memory->data() + piece.from, piece.length);
      } else if (!piece.file->read(mem + done, piece.length, piece.from)) {
        std::free(mem);
        std::free(vec);
        log_line(std::string("read ") + path + ": a block of the disk cache could not be read");
        return -EIO;
      }
      done += piece.length;
    }
    vec->buf[0] = {.size = total, .flags = fuse_buf_flags{}, .mem = mem, .fd = -1, .pos = 0};
    *out = vec;
    return 0;
  } catch (...) {
    return error_code("read", path);
  }
}

int op_release(const char*, fuse_file_info* fi) {
  delete reinterpret_cast<FileHandle*>(fi->fh);
  return 0;
}

int op_statfs(const char*, struct statvfs* st) {
  std::memset(st, 0, sizeof *st);
  st->f_bsize = fs().options().block_size;
  st->f_frsize = st->f_bsize;
  st->f_namemax = 1024;
  st->f_flag = ST_RDONLY | ST_NOSUID | ST_NODEV;
  return 0;
}

int op_access(const char* path, int mask) {
  if (mask & W_OK) return -EROFS;
  try {
    return fs().snapshot()->lookup(relative(path)) ? 0 : -ENOENT;
  } catch (...) {
    return error_code("access", path);
  }
}

int reply_attribute(const std::string& value, char* out, size_t size) {
  if (size == 0) return static_cast<int>(value.size());
  if (size < value.size()) return -ERANGE;
  std::memcpy(out, value.data(), value.size());
  return static_cast<int>(value.size());
}

// user.lakefs.commit and user.lakefs.stats on the root; user.lakefs.checksum and user.lakefs.key on files.
int op_getxattr(const char* path, const char* name, char* value, size_t size) {
  try {
    auto& self = fs();
    const std::string rel = relative(path);
    const std::string_view attr(name);
    if (rel.empty()) {
      if (attr == "user.lakefs.commit") return reply_attribute(self.snapshot()->commit_id(), value, size);
      if (attr == "user.lakefs.stats") return reply_attribute(self.stats(), value, size);
      return -ENODATA;
    }
    const auto entry = self.snapshot()->lookup(rel);
    if (!entry) return -ENOENT;
    if (entry->directory) return -ENODATA;
    if (attr == "user.lakefs.checksum") return reply_attribute(entry->checksum, value, size);
    if (attr == "user.lakefs.key") return reply_attribute(entry->key, value, size);
    return -ENODATA;
  } catch (...) {
    return error_code("getxattr", path);
  }
}

int op_listxattr(const char* path, char* list, size_t size) {
  try {
    const std::string rel = relative(path);
    std::string names;
    if (rel.empty()) {
      names = std::string("user.lakefs.commit") + '\0' + "user.lakefs.stats" + '\0';
    } else {
      const auto entry = fs().snapshot()->lookup(rel);
      if (!entry) return -ENOENT;
      if (!entry->directory) names = std::string("user.lakefs.checksum") + '\0' + "user.lakefs.key" + '\0';
    }
    return reply_attribute(names, list, size);
  } catch (...) {
    return error_code("listxattr", path);
  }
}

int op_readlink(const char*, char*, size_t) { return -EINVAL; }

// Every change is refused: the mount is read-only (it is also mounted "ro", so the kernel refuses most first).
int op_rofs_mknod(const char*, mode_t, dev_t) { return -EROFS; }
int op_rofs_mkdir(const char*, mode_t) { return -EROFS; }
int op_rofs_path(const char*) { return -EROFS; }
int op_rofs_two_paths(const char*, const char*) { return -EROFS; }
int op_rofs_rename(const char*, const char*, unsigned int) { return -EROFS; }
int op_rofs_chmod(const char*, mode_t, fuse_file_info*) { return -EROFS; }
int op_rofs_chown(const char*, uid_t, gid_t, fuse_file_info*) { return -EROFS; }
int op_rofs_truncate(const char*, off_t, fuse_file_info*) { return -EROFS; }
int op_rofs_write(const char*, const char*, size_t, off_t, fuse_file_info*) { return -EROFS; }
int op_rofs_create(const char*, mode_t, fuse_file_info*) { return -EROFS; }
int op_rofs_utimens(const char*, const timespec*, fuse_file_info*) { return -EROFS; }
int op_rofs_setxattr(const char*, const char*, const char*, size_t, int) { return -EROFS; }
int op_rofs_removexattr(const char*, const char*) { return -EROFS; }

fuse_operations make_operations() {
  fuse_operations ops{};
  ops.init = op_init;
  ops.getattr = op_getattr;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.releasedir = op_releasedir;
  ops.open = op_open;
  ops.read_buf = op_read_buf;
  ops.release = op_release;
  ops.statfs = op_statfs;
  ops.access = op_access;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.readlink = op_readlink;
  ops.mknod = op_rofs_mknod;
  ops.mkdir = op_rofs_mkdir;
  ops.unlink = op_rofs_path;
  ops.rmdir = op_rofs_path;
  ops.symlink = op_rofs_two_paths;
  ops.link = op_rofs_two_paths;
  ops.rename = op_rofs_rename;
  ops.chmod = op_rofs_chmod;
  ops.chown = op_rofs_chown;
  ops.truncate = op_rofs_truncate;
  ops.write = op_rofs_write;
  ops.create = op_rofs_create;
  ops.utimens = op_rofs_utimens;
  ops.setxattr = op_rofs_setxattr;
  ops.removexattr = op_rofs_removexattr;
  return ops;
}

}  // namespace

Pinned resolve(const lakefs::Client& client, const MountOptions& options) {
  const auto where = "lakefs://" + options.repository + "/" + options.ref;
  try {
    (void)client.repository(options.repository).properties();
  } catch (const lakefs::NotFoundError&) {
    throw std::runtime_error("repository '" + options.repository + "' does not exist on " + client.options().endpoint);
  }
  Pinned pinned;
  std::string commit_ref = options.ref;
  try {
    const auto branch = client.api().branches.get_branch({.repository = options.repository, .branch = options.ref});
    pinned.branch = true;
    commit_ref = branch.commit_id;
  } catch (const lakefs::NotFoundError&) {
  } catch (const lakefs::BadRequestError&) {
    // Not a valid branch name ("main~2", a commit id of another form): a tag, commit or expression, then.
  } catch (const lakefs::InvalidArgumentError&) {
  }
  lakefs::Commit commit;
  try {
    commit = lakefs::Reference(options.repository, commit_ref, client).get_commit();
  } catch (const lakefs::NotFoundError&) {
    throw std::runtime_error("repository '" + options.repository + "' has no branch, tag or commit '" + options.ref +
                             "'");
  } catch (const lakefs::BadRequestError&) {
    throw std::runtime_error("'" + options.ref + "' is not a branch, tag, commit id or ref expression of repository '" +
                             options.repository + "'");
  } catch (const lakefs::InvalidArgumentError& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  pinned.commit_id = commit.id;
  pinned.commit_date = commit.creation_date.time_since_epoch().count();
  if (options.follow && !pinned.branch)
    throw std::runtime_error("--follow needs a branch, and '" + options.ref + "' is a tag or commit (" + where +
                             " never changes)");
  if (!options.prefix.empty()) {
    const lakefs::Reference ref(options.repository, pinned.commit_id, client);
    bool any = false;
    for (const auto& item : ref.objects({.max_amount = 1, .prefix = options.prefix})) {
      (void)item;
      any = true;
    }
    if (!any)
      throw std::runtime_error("no object lies under '" + options.prefix + "' at " + where + " (commit " +
                               pinned.commit_id + ")");
  }
  return pinned;
}

Filesystem::Filesystem(lakefs::Client client, const MountOptions& options, const Pinned& pinned, bool pre_sign)
    : client_(std::move(client)),
      options_(options),
      cache_(options.cache_dir, options.cache_size, options.block_size),
      reader_(
          client_, cache_,
          BlockReader::Options{
              .block_size = options.block_size,
              .read_ahead = options.read_ahead,
              .fetch_threads = options.fetch_threads,
              .write_queue = options.fetch_threads,
              .cache_every_block = options.cache_fill == CacheFill::all,
              .pre_sign = pre_sign,
              .timeout = options.timeout ? std::optional<std::chrono::milliseconds>(*options.timeout) : std::nullopt}),
      snapshot_(std::make_shared<Snapshot>(client_, options.repository, pinned.commit_id, pinned.commit_date,
                                           options.prefix, options.max_entries)) {}

Filesystem::~Filesystem() { stop(); }

std::shared_ptr<Snapshot> Filesystem::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::string Filesystem::stats() const {
  const auto s = reader_.stats();
  std::ostringstream out;
  out << "commit " << snapshot()->commit_id() << "\nrepins " << repins_.load() << "\nblocks_fetched "
      << s.blocks_fetched << "\nbytes_fetched " << s.bytes_fetched << "\nread_ahead_blocks " << s.read_ahead_blocks
      << "\nblocks_not_cached " << s.blocks_not_cached << "\ndisk_hits " << s.disk_hits << "\nmemory_hits "
      << s.memory_hits << "\ncache_bytes " << cache_.bytes() << "\ncache_blocks " << cache_.blocks() << "\nlistings "
      << snapshot()->listings() << "\nentries " << snapshot()->entries() << "\n";
  return out.str();
}

void Filesystem::start() {
  if (options_.follow) follower_ = std::jthread([this](const std::stop_token& stop) { follow(stop); });
}

void Filesystem::stop() {
  if (follower_.joinable()) {
    follower_.request_stop();
    follower_.join();
  }
}

void Filesystem::follow(const std::stop_token& stop) {
  std::mutex wait_mutex;
  std::condition_variable_any wake;
  for (;;) {
    {
      std::unique_lock lock(wait_mutex);
      if (wake.wait_for(lock, stop, *options_.follow, [] { return false; })) return;
      if (stop.stop_requested()) return;
    }
    try {
      const auto head = client_.api().branches.get_branch({.repository = options_.repository, .branch = options_.ref});
      if (head.commit_id == snapshot()->commit_id()) continue;
      const auto commit = lakefs::Reference(options_.repository, head.commit_id, client_).get_commit();
      auto next = std::make_shared<Snapshot>(client_, options_.repository, commit.id,
                                             commit.creation_date.time_since_epoch().count(), options_.prefix,
                                             options_.max_entries);
      {
        std::lock_guard lock(mutex_);
        snapshot_ = std::move(next);
      }
      repins_.fetch_add(1);
      log_line("following " + options_.ref + ": now at commit " + commit.id);
    } catch (const std::exception& e) {
      // The mount keeps its snapshot until the branch can be read again.
      log_line("following " + options_.ref + ": " + e.what());
    }
  }
}

const fuse_operations& Filesystem::operations() {
  static const fuse_operations ops = make_operations();
  return ops;
}

}  // namespace lakefs_mount
