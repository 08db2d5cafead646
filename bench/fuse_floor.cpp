// SPDX-License-Identifier: Apache-2.0
// floor-fuse (bench/scenarios/60-mount.sh): the FUSE half of a first read through lakefs-mount and nothing else.
// One read-only file, /big.bin of SIZE bytes, answered from a 1 MiB buffer in memory (no network, no disk cache, no
// block bookkeeping, no copy in user space: each reply goes to the kernel straight from that buffer), with
// lakefs-mount's FUSE settings: requests of up to 1 MiB, a 16 MiB read-ahead allowance, the kernel's page cache
// kept, libfuse's multi-threaded loop with up to 32 threads. A `cat` through it is the least time any FUSE
// filesystem on this machine can take to deliver the file, so no first read through lakefs-mount can beat it.
//
//   fuse_floor SIZE MOUNTPOINT      (foreground; unmount with fusermount3 -u MOUNTPOINT, or SIGINT/SIGTERM)
#define FUSE_USE_VERSION 312
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr fuse_ino_t file_ino = 2;
constexpr const char* file_name = "big.bin";
constexpr double forever = 86400.0;

std::uint64_t file_size = 0;
std::vector<char> block(std::size_t{1} << 20);

void fill(struct stat* st, fuse_ino_t ino) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = ino;
  if (ino == FUSE_ROOT_ID) {
    st->st_mode = S_IFDIR | 0555;
    st->st_nlink = 2;
  } else {
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_size = static_cast<off_t>(file_size);
  }
}

void on_init(void*, fuse_conn_info* conn) {
  conn->max_readahead = 16u << 20;
  conn->max_read = 1u << 20;
}

void on_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != FUSE_ROOT_ID || std::strcmp(name, file_name) != 0) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_entry_param entry{};
  entry.ino = file_ino;
  entry.attr_timeout = forever;
  entry.entry_timeout = forever;
  fill(&entry.attr, file_ino);
  fuse_reply_entry(req, &entry);
}

void on_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  struct stat st;
  fill(&st, ino);
  fuse_reply_attr(req, &st, forever);
}

void on_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino != file_ino) {
    fuse_reply_err(req, EISDIR);
    return;
  }
  if ((fi->flags & O_ACCMODE) != O_RDONLY) {
    fuse_reply_err(req, EROFS);
    return;
  }
  fi->keep_cache = 1;
  fuse_reply_open(req, fi);
}

void on_read(fuse_req_t req, fuse_ino_t, size_t size, off_t offset, fuse_file_info*) {
  const auto at = static_cast<std::uint64_t>(offset);
  if (offset < 0 || at >= file_size) {
    fuse_reply_buf(req, nullptr, 0);
    return;
  }
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>({size, file_size - at, block.size()}));
  fuse_reply_buf(req, block.data(), n);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view size_text = argc == 3 ? argv[1] : "";
  const auto parsed = std::from_chars(size_text.data(), size_text.data() + size_text.size(), file_size);
  if (argc != 3 || parsed.ec != std::errc() || parsed.ptr != size_text.data() + size_text.size()) {
    std::fprintf(stderr, "usage: fuse_floor SIZE MOUNTPOINT\n");
    return 2;
  }
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(i * 131u);

  fuse_lowlevel_ops ops{};
  ops.init = on_init;
  ops.lookup = on_lookup;
  ops.getattr = on_getattr;
  ops.open = on_open;
  ops.read = on_read;
  std::string program = "fuse_floor", dash_o = "-o",
              options = "ro,fsname=fuse_floor,subtype=fuse_floor,default_permissions,max_read=1048576";
  char* args_v[] = {program.data(), dash_o.data(), options.data()};
  fuse_args args = FUSE_ARGS_INIT(3, args_v);
  fuse_session* session = fuse_session_new(&args, &ops, sizeof ops, nullptr);
  if (!session) return 1;
  int status = 1;
  if (fuse_set_signal_handlers(session) == 0) {
    if (fuse_session_mount(session, argv[2]) == 0) {
      fuse_loop_config* loop = fuse_loop_cfg_create();
      fuse_loop_cfg_set_max_threads(loop, 32);
      const int rc = fuse_session_loop_mt(session, loop);
      fuse_loop_cfg_destroy(loop);
      fuse_session_unmount(session);
      status = rc == 0 || rc == SIGINT || rc == SIGTERM ? 0 : 1;
    }
    fuse_remove_signal_handlers(session);
  }
  fuse_session_destroy(session);
  fuse_opt_free_args(&args);
  return status;
}
