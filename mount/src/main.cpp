// SPDX-License-Identifier: Apache-2.0
// lakefs-mount: mounts a commit, tag or branch of a lakeFS repository as a read-only filesystem (docs/mount.md).
#include <fcntl.h>
#include <fuse.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "filesystem.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "options.hpp"

namespace {

using lakefs_mount::MountOptions;

std::filesystem::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "lakefs-mount";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "lakefs-mount";
  return std::filesystem::temp_directory_path() / ("lakefs-mount-" + std::to_string(::getuid()));
}

// Tells a waiting parent (daemon mode) how the mount went: one byte, 0 = mounted.
void report(int& fd, bool mounted) {
  if (fd < 0) return;
  const char status = mounted ? 0 : 1;
  (void)!::write(fd, &status, 1);
  ::close(fd);
  fd = -1;  // reported once: the number may be reused by another file
}

// A daemon's stdin and stdout go nowhere; its stderr to --log-file, or nowhere.
void detach_output(const MountOptions& options) {
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  int err = null;
  if (!options.log_file.empty()) {
    const int log = ::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log >= 0) err = log;
  }
  ::dup2(null, STDIN_FILENO);
  ::dup2(null, STDOUT_FILENO);
  ::dup2(err, STDERR_FILENO);
  if (err != null) ::close(err);
  ::close(null);
}

// The kernel reads ahead on a FUSE mount at most 128 KiB at a time (its default for a new filesystem), so a
// sequential reader's requests are small. Where we may (root), the mount's read-ahead is raised to 4 MiB through
// sysfs, for fewer and larger requests; elsewhere it stays as it is, and the daemon's own read-ahead keeps the blocks
// ready (in the benchmark a first read is about a tenth slower with 128 KiB than with 4 MiB). Found through
// /proc/self/mountinfo: a stat of the mount point would wait for this very process to answer.
void raise_kernel_read_ahead(const std::filesystem::path& mountpoint, std::size_t read_ahead) {
  if (read_ahead == 0) return;
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string line;
  // mountinfo escapes blanks and backslashes in paths as octal.
  std::string escaped;
  for (const char c : mountpoint.string()) {
    if (c == ' ')
      escaped += "\\040";
    else if (c == '\t')
      escaped += "\\011";
    else if (c == '\n')
      escaped += "\\012";
    else if (c == '\\')
      escaped += "\\134";
    else
      escaped += c;
  }
  std::string device;
  while (std::getline(mountinfo, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    if (fields >> id >> parent >> dev >> root >> point && point == escaped) device = dev;  // the last one wins
  }
  if (device.empty()) return;
  std::ofstream knob("/sys/class/bdi/" + device + "/read_ahead_kb");
  if (knob) knob << std::min<std::size_t>(read_ahead, std::size_t{4} << 20) / 1024 << std::flush;
}

int run(MountOptions options, int status_fd) {
  const std::string where =
      "lakefs://" + options.repository + "/" + options.ref + (options.prefix.empty() ? "" : "/" + options.prefix);
  try {
    lakefs::ClientOptions client_options;
    if (options.timeout) client_options.request_timeout = *options.timeout;
    lakefs::Client client(client_options);
    const auto pinned = lakefs_mount::resolve(client, options);
    bool pre_sign = false;
    if (options.pre_sign != lakefs_mount::PreSign::never) {
      const bool supported = client.storage_config().pre_sign_support;
      if (!supported && options.pre_sign == lakefs_mount::PreSign::always)
        throw std::runtime_error("--pre-sign always: the server's block store cannot pre-sign URLs");
      pre_sign = supported;
    }
    lakefs_mount::Filesystem filesystem(client, options, pinned, pre_sign);

    std::vector<std::string> args = {"lakefs-mount", "-o",
                                     "ro,fsname=" + where + ",subtype=lakefs,default_permissions,max_read=" +
                                         std::to_string(lakefs_mount::max_read_bytes)};
    for (const auto& o : options.fuse_options) args.insert(args.end(), {"-o", o});
    if (options.debug) args.emplace_back("-d");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    fuse_args fargs = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
    fuse* f = fuse_new(&fargs, &lakefs_mount::Filesystem::operations(), sizeof(fuse_operations), &filesystem);
    fuse_opt_free_args(&fargs);  // fuse_new may have added arguments of its own
    if (!f) throw std::runtime_error("FUSE refused the options (see above)");
    if (fuse_mount(f, options.mountpoint.c_str()) != 0) {
      fuse_destroy(f);
      throw std::runtime_error("cannot mount at " + options.mountpoint.string() +
                               " (is it an empty directory you may mount on, and is /dev/fuse usable?)");
    }
    raise_kernel_read_ahead(options.mountpoint, options.read_ahead);
    fuse_session* session = fuse_get_session(f);
    // libfuse installs its handlers only for signals at their default action; a shell starts background jobs with
    // SIGINT ignored, and Ctrl-C or kill must unmount whatever started us (SIGHUP is left as it is, for nohup).
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (fuse_set_signal_handlers(session) != 0) {
      fuse_unmount(f);
      fuse_destroy(f);
      throw std::runtime_error("cannot install the signal handlers");
    }
    std::cerr << "lakefs-mount: " << where << " (commit " << pinned.commit_id << (pre_sign ? ", pre-signed reads" : "")
              << ") mounted at " << options.mountpoint.string() << (options.follow ? ", following the branch" : "")
              << std::endl;
    if (status_fd >= 0) {
      report(status_fd, true);
      detach_output(options);
    }
    filesystem.start();
    fuse_loop_config* loop = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(loop, 32);
    const int rc = fuse_loop_mt(f, loop);
    fuse_loop_cfg_destroy(loop);
    filesystem.stop();
    fuse_remove_signal_handlers(session);
    fuse_unmount(f);
    fuse_destroy(f);
    // A loop ended by SIGINT, SIGTERM or SIGHUP reports the signal: that is a requested, clean unmount.
    return rc == 0 || rc == SIGINT || rc == SIGTERM || rc == SIGHUP ? 0 : 1;
  } catch (const lakefs::NoAuthenticationFoundError& e) {
    std::cerr << "lakefs-mount: no lakeFS credentials found: set LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID and "
                 "LAKEFS_SECRET_ACCESS_KEY, or configure lakectl (~/.lakectl.yaml)\n  ("
              << e.what() << ")" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "lakefs-mount: cannot mount " << where << ": " << e.what() << std::endl;
  }
  report(status_fd, false);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = lakefs_mount::parse_arguments(args);
  if (auto* exit = std::get_if<lakefs_mount::Exit>(&parsed)) {
    (exit->code == 0 ? std::cout : std::cerr) << exit->message;
    return exit->code;
  }
  auto options = std::get<MountOptions>(std::move(parsed));
  std::error_code ec;
  options.mountpoint = std::filesystem::absolute(options.mountpoint, ec);
  if (!std::filesystem::is_directory(options.mountpoint, ec)) {
    std::cerr << "lakefs-mount: the mount point " << options.mountpoint.string() << " is not a directory" << std::endl;
    return 1;
  }
  if (options.cache_dir.empty()) options.cache_dir = default_cache_dir();
  options.cache_dir = std::filesystem::absolute(options.cache_dir, ec);
  if (!options.log_file.empty()) options.log_file = std::filesystem::absolute(options.log_file, ec);

  if (options.foreground) return run(std::move(options), -1);
  // Daemon: fork before anything starts a thread; the parent waits until the child has mounted (or failed, having
  // said why on the same stderr) and exits with that outcome.
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    std::perror("lakefs-mount: pipe");
    return 1;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("lakefs-mount: fork");
    return 1;
  }
  if (pid > 0) {
    ::close(pipe_fds[1]);
    char status = 1;
    const bool got = ::read(pipe_fds[0], &status, 1) == 1;
    return got && status == 0 ? 0 : 1;
  }
  ::close(pipe_fds[0]);
  ::setsid();
  if (::chdir("/") != 0) std::perror("lakefs-mount: chdir /");
  return run(std::move(options), pipe_fds[1]);
}
