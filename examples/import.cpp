// SPDX-License-Identifier: Apache-2.0
// Imports a local directory into a new repository with a progress bar.
//
//   import DIR [DESTINATION_PREFIX]
//
// lakeFS imports data in place: the objects stay where they are and the
// branch records pointers to them, in one import commit. The server must be
// allowed to import from DIR (for the local block store:
// blockstore.local.import_enabled and DIR under one of
// blockstore.local.allowed_external_prefixes). Without DIR, the example
// generates sample files under $LAKEFS_TEST_IMPORT_DIR (which
// scripts/lakefs-server.sh sets up) and imports those.
//
// On a terminal the progress bar is redrawn in place; otherwise (a pipe, a
// log file) each poll prints a plain line.
//
// The client finds the server and credentials in the environment or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp
// (example scaffolding, as in every example), on the local block store.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>

#include "support/example_env.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// What lakeFS's local walker imports: regular files, skipping hidden files and directories.
std::int64_t count_importable(const fs::path& dir) {
  std::int64_t n = 0;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename().string().starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && !it->is_symlink()) ++n;
  }
  return n;
}

class Progress {
 public:
  explicit Progress(std::int64_t total) : total_(total), tty_(isatty(STDOUT_FILENO) != 0) {}

  void operator()(const lakefs::ImportStatus& s) {
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    const double rate = seconds > 0 ? static_cast<double>(s.ingested_objects) / seconds : 0;
    const char* state = s.completed ? "done" : s.error ? "failed" : "importing";
    char line[160];
    if (tty_) {
      constexpr int kWidth = 30;
      const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(s.ingested_objects) / total_) : 0;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
      std::snprintf(line, sizeof line, "\r[%s] %3.0f%%  %lld/%lld objects  %.0f obj/s  %.1fs  %s\x1b[K", bar.c_str(),
                    fraction * 100, static_cast<long long>(s.ingested_objects), static_cast<long long>(total_), rate,
                    seconds, state);
      std::cout << line << (s.completed || s.error ? "\n" : "") << std::flush;
    } else {
      std::snprintf(line, sizeof line, "%s: %lld/%lld objects, %.0f obj/s, %.1fs", state,
                    static_cast<long long>(s.ingested_objects), static_cast<long long>(total_), rate, seconds);
      std::cout << line << "\n";
    }
  }

 private:
  std::int64_t total_;
  bool tty_;
  Clock::time_point start_ = Clock::now();
};

// Sample data for a run without arguments: `files` small CSVs in a few subdirectories.
fs::path make_sample(const fs::path& parent, const std::string& name, int files) {
  const auto dir = parent / name;
  for (int i = 0; i < files; ++i) {
    const auto path = dir / ("part=" + std::to_string(i % 8)) / ("file-" + std::to_string(i) + ".csv");
    fs::create_directories(path.parent_path());
    std::ofstream(path) << "id,value\n" << i << "," << i * i << "\n";
  }
  return dir;
}

}  // namespace

int main(int argc, char** argv) try {
  const char* sample_parent = std::getenv("LAKEFS_TEST_IMPORT_DIR");
  if (argc < 2 && sample_parent == nullptr) {
    std::cerr << "usage: " << argv[0] << " DIR [DESTINATION_PREFIX]\n";
    return 2;
  }
  const std::string destination = argc > 2 ? argv[2] : "imported/";

  lakefs::Client client;
  const example::ScratchRepository scratch(client, "import", example::Storage::local);
  fs::path source;
  bool generated = false;
  if (argc > 1) {
    source = fs::absolute(argv[1]).lexically_normal();
    if (source.filename().empty()) source = source.parent_path();  // "dir/" -> "dir"
  } else {
    source = make_sample(sample_parent, scratch.name(), 3000);
    generated = true;
    std::cout << "No directory given: generated 3000 sample files under " << source << "\n";
  }
  if (!fs::is_directory(source)) {
    std::cerr << "error: " << source << " is not a directory\n";
    return 2;
  }
  const auto total = count_importable(source);

  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  auto main = repo.branch("main");
  std::cout << "Importing " << total << " files from " << source << " into " << repo.id() << "/main/" << destination
            << "\n";

  Progress progress(total);
  auto import = main.import_data(
      {.commit_message = "Import " + source.string(), .commit_metadata = {{"source", "local://" + source.string()}}});
  const auto status = import.prefix("local://" + source.string() + "/", destination)
                          .run({.on_progress = std::ref(progress), .poll_interval = std::chrono::milliseconds(250)});

  std::cout << "Import " << import.import_id() << " committed " << status.commit->id.substr(0, 12) << " (\""
            << status.commit->message << "\"), " << status.ingested_objects << " objects\n";
  std::size_t listed = 0;
  for (const auto& entry : main.objects({.prefix = destination})) {
    if (listed++ < 3) std::cout << "  " << entry.path() << "\n";
  }
  std::cout << "  ... " << listed << " objects under " << destination << " on main\n";

  if (generated) fs::remove_all(source);
  if (listed != static_cast<std::size_t>(total)) {
    std::cerr << "expected " << total << " objects, found " << listed << "\n";
    return 1;
  }
  return 0;
} catch (const lakefs::ImportError& e) {
  std::cerr << "\nimport failed: " << e.what() << "\n";
  return 1;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
