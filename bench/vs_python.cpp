// SPDX-License-Identifier: Apache-2.0
// The C++ half of the side-by-side comparison with the Python `lakefs` SDK
// (bench/python/vs_python.py has the same subcommands, written with the Python
// SDK). Run by bench/scenarios/30-python.sh under /usr/bin/time -v.
//
//   vs_python baseline      REPO                          one call (peak RSS of a client that did almost nothing)
//   vs_python setup-listing REPO BRANCH PREFIX N WORKERS  N tiny objects, concurrently, then one commit
//   vs_python latency       REPO BRANCH N                 N sequential Branch::get_commit calls
//   vs_python list          REPO REF PREFIX               iterate every object of the listing
//   vs_python upload-seq    REPO BRANCH DIR PREFIX        every file of DIR, one upload after another
//   vs_python upload-par    REPO BRANCH DIR PREFIX N      Branch::upload_directory, N workers
//   vs_python stream-write  REPO BRANCH PATH BYTES        ObjectWriter, generated 1 MiB blocks
//   vs_python stream-read   REPO REF PATH READ_SIZE       ObjectReader, read() calls of READ_SIZE
//   vs_python transact      REPO BRANCH PREFIX N          Branch::transact writing N objects of 4 KiB
//   vs_python interop-write REPO BRANCH PATH              object with content type + metadata, then a commit
//   vs_python interop-read  REPO BRANCH PATH              what a reader sees of that object and the head commit
//
// Configured from LAKEFS_* in the environment. Each workload prints one JSON
// line, {"seconds": ..., ...}, timed around the workload only (not process
// start-up); interop-write/-read print the values they wrote/read as JSON.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;  // UTF-8 passes through
    }
  }
  return out + "\"";
}

std::string json_object(const lakefs::Metadata& m) {
  std::string out = "{";
  for (const auto& [k, v] : m) {
    if (out.size() > 1) out += ", ";
    out += json_string(k) + ": " + json_string(v);
  }
  return out + "}";
}

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

// The interop values: what the C++ side writes (the Python side writes the same
// shape with "python" in it). Binary content, a non-default content type,
// metadata with punctuation and spaces, a UTF-8 commit message.
std::string interop_content() {
  std::string s = "written by lakefs-cpp\n";
  for (int i = 0; i < 256; ++i) s += static_cast<char>(i);
  return s;
}

std::vector<std::filesystem::path> files_under(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs fn(i) for i in [0, n) on `workers` threads.
template <typename Fn>
void parallel_for(std::size_t n, std::size_t workers, Fn fn) {
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  std::mutex error_mutex;
  std::exception_ptr error;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      try {
        for (std::size_t i = next++; i < n; i = next++) fn(i);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

int usage() {
  std::cerr << "usage: vs_python baseline|setup-listing|latency|list|upload-seq|upload-par|stream-write|stream-read|"
               "transact|interop-write|interop-read REPO ARGS...\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) return usage();
  const std::string mode = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  lakefs::Client client;
  auto repo = client.repository(args[0]);
  const auto start = Clock::now();

  if (mode == "baseline" && args.size() == 1) {
    (void)repo.properties();
    std::cout << "{\"seconds\": " << seconds_since(start) << "}\n";
  } else if (mode == "setup-listing" && args.size() == 5) {
    auto branch = repo.branch(args[1]);
    const std::string prefix = args[2];
    const std::size_t n = std::stoul(args[3]);
    parallel_for(n, std::stoul(args[4]), [&](std::size_t i) {
      char name[32];
      std::snprintf(name, sizeof name, "%02zu/obj-%06zu", i % 100, i);
      branch.object(prefix + name).upload("object " + std::to_string(i) + "\n");
    });
    branch.commit("listing data: " + std::to_string(n) + " objects");
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"objects\": " << n << "}\n";
  } else if (mode == "latency" && args.size() == 3) {
    auto branch = repo.branch(args[1]);
    const std::size_t n = std::stoul(args[2]);
    std::vector<double> us(n);
    std::size_t bytes = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto t = Clock::now();
      bytes += branch.get_commit().id.size();
      us[i] = std::chrono::duration<double, std::micro>(Clock::now() - t).count();
    }
    const double total = seconds_since(start);
    std::sort(us.begin(), us.end());
    std::cout << "{\"seconds\": " << total << ", \"calls\": " << n << ", \"p50_us\": " << us[n / 2]
              << ", \"p99_us\": " << us[n * 99 / 100] << ", \"id_bytes\": " << bytes << "}\n";
  } else if (mode == "list" && args.size() == 3) {
    std::size_t count = 0, name_bytes = 0;
    for (const auto& entry : repo.ref(args[1]).objects({.prefix = args[2]})) {
      ++count;
      name_bytes += entry.path().size();
    }
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"objects\": " << count
              << ", \"path_bytes\": " << name_bytes << "}\n";
  } else if (mode == "upload-seq" && args.size() == 4) {
    auto branch = repo.branch(args[1]);
    const auto files = files_under(args[2]);
    for (const auto& f : files) {
      branch.object(args[3] + f.lexically_relative(args[2]).generic_string()).upload_file(f);
    }
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"objects\": " << files.size() << "}\n";
  } else if (mode == "upload-par" && args.size() == 5) {
    const auto summary = repo.branch(args[1]).upload_directory(args[2], args[3], {.concurrency = std::stoul(args[4])});
    if (!summary.ok()) throw std::runtime_error(std::to_string(summary.failures.size()) + " uploads failed");
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"objects\": " << summary.objects << "}\n";
  } else if (mode == "stream-write" && args.size() == 4) {
    const std::uint64_t total = std::stoull(args[3]);
    auto out = repo.branch(args[1]).object(args[2]).writer();
    std::string block(1 << 20, '\0');
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<char>(i * 131 % 251);
    for (std::uint64_t left = total; left > 0;) {
      const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, block.size()));
      out.write(block.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    const auto info = out.close();
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"bytes\": " << info.size_bytes << "}\n";
  } else if (mode == "stream-read" && args.size() == 4) {
    auto in = repo.ref(args[1]).object(args[2]).reader();
    std::vector<char> buffer(std::stoul(args[3]));
    std::uint64_t bytes = 0;
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
      bytes += static_cast<std::uint64_t>(in.gcount());
    }
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"bytes\": " << bytes << "}\n";
  } else if (mode == "transact" && args.size() == 4) {
    const std::string prefix = args[2];
    const std::size_t n = std::stoul(args[3]);
    const std::string data(4096, 'x');
    const auto merge = repo.branch(args[1]).transact(
        [&](lakefs::Transaction& tx) {
          for (std::size_t i = 0; i < n; ++i) tx.object(prefix + std::to_string(i)).upload(data);
        },
        {.commit_message = "transaction of " + std::to_string(n) + " objects"});
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"objects\": " << n
              << ", \"merge\": " << json_string(merge.id) << "}\n";
  } else if (mode == "interop-write" && args.size() == 3) {
    auto branch = repo.branch(args[1]);
    const std::string content = interop_content();
    const lakefs::Metadata meta{{"writer", "lakefs-cpp"}, {"note", "a b=c; d/e"}};
    branch.object(args[2]).upload(content, {.content_type = "application/x-interop-cpp", .metadata = meta});
    const lakefs::Metadata commit_meta{{"writer", "lakefs-cpp"}, {"run", "interop"}};
    const auto commit = branch.commit("interop commit by lakefs-cpp: café ✓", {.metadata = commit_meta});
    std::cout << "{\"content_hex\": " << json_string(hex(content))
              << ", \"content_type\": \"application/x-interop-cpp\", \"metadata\": " << json_object(meta)
              << ", \"commit_id\": " << json_string(commit.id)
              << ", \"commit_message\": " << json_string(commit.message)
              << ", \"commit_metadata\": " << json_object(commit.metadata) << "}\n";
  } else if (mode == "interop-read" && args.size() == 3) {
    auto ref = repo.ref(args[1]);
    const auto object = ref.object(args[2]);
    const auto info = object.stat();
    const auto content = object.read_all();
    const auto log = ref.log({.max_amount = 1}).to_vector();
    if (log.empty()) throw std::runtime_error("empty log");
    std::cout << "{\"content_hex\": " << json_string(hex(content))
              << ", \"content_type\": " << json_string(info.content_type)
              << ", \"metadata\": " << json_object(info.metadata) << ", \"commit_id\": " << json_string(log[0].id)
              << ", \"commit_message\": " << json_string(log[0].message)
              << ", \"commit_metadata\": " << json_object(log[0].metadata) << "}\n";
  } else {
    return usage();
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "vs_python: " << e.what() << "\n";
  return 1;
}
