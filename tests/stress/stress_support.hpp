// SPDX-License-Identifier: Apache-2.0
// Plumbing for the stress test: the kinds of operation it counts, payloads that
// prove their own integrity, checks that fail one operation with a precise
// message, and the shared record of what every worker did.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"

namespace lakefs::test::stress {

enum class Op : std::size_t {
  upload_read,
  reader_seek,
  writer_stream,
  tx_commit,
  tx_rollback,
  tx_shared,
  list_objects,
  list_log,
  transfer,
  commit_tag,
  merge_shared,
  hot_contended,
  api_generated,
  client_copy,
  branch_churn,
  count
};

inline constexpr std::size_t kOps = static_cast<std::size_t>(Op::count);

inline const char* op_name(Op op) {
  static constexpr std::array<const char*, kOps> names = {
      "upload_read",  "reader_seek",   "writer_stream", "tx_commit",   "tx_rollback",
      "tx_shared",    "list_objects",  "list_log",      "transfer",    "commit_tag",
      "merge_shared", "hot_contended", "api_generated", "client_copy", "branch_churn"};
  return names.at(static_cast<std::size_t>(op));
}

/// A failed expectation inside one operation: ends that operation (and the run).
struct CheckFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The checks name the caller's file and line: __builtin_FILE() and __builtin_LINE() as default arguments are
// evaluated at the call, in GCC and clang alike (std::source_location does the same, but Debian's clang 14 lacks
// it with libstdc++).
inline void check(bool ok, std::string_view what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  if (ok) return;
  throw CheckFailure(std::filesystem::path(file).filename().string() + ":" + std::to_string(line) + ": " +
                     std::string(what));
}

/// Equality of two byte strings, reported by size and first difference (never the bytes themselves).
inline void check_same(std::string_view got, std::string_view want, std::string_view what,
                       const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  if (got == want) return;
  std::size_t at = 0;
  while (at < got.size() && at < want.size() && got[at] == want[at]) ++at;
  check(false,
        std::string(what) + ": got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
            ", first difference at byte " + std::to_string(at),
        file, line);
}

/// `fn()` must throw exactly an `E` (or a subclass); anything else fails the check.
template <typename E, typename F>
void check_throws(F&& fn, std::string_view what, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
  try {
    fn();
  } catch (const E&) {
    return;
  } catch (const std::exception& e) {
    check(false, std::string(what) + ": threw the wrong error: " + e.what(), file, line);
  }
  check(false, std::string(what) + ": did not throw", file, line);
}

/// `size` bytes determined by `seed` alone (every byte value occurs, '\n' and '\0' included), so a
/// reader can regenerate what a writer sent without sharing it.
inline std::string payload(std::string_view seed, std::size_t size) {
  std::uint64_t state = 1469598103934665603ull;  // FNV-1a of the seed, then splitmix64
  for (const char c : seed) state = (state ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (std::size_t b = 0; b < 8 && i + b < size; ++b) out[i + b] = static_cast<char>(z >> (8 * b));
  }
  return out;
}

/// A payload that names its writer in a first line, so whichever of many concurrent writers won
/// can be verified byte for byte: "<writer> <size>\n" followed by payload(first line, size).
inline std::string tagged_payload(const std::string& writer, std::size_t size) {
  std::string head = writer + " " + std::to_string(size) + "\n";
  return head + payload(head, size);
}

/// True when `data` is exactly one tagged_payload (not a mix or a truncation of several).
inline bool is_whole_tagged_payload(std::string_view data, std::string* writer = nullptr) {
  const auto nl = data.find('\n');
  if (nl == std::string_view::npos) return false;
  const std::string head(data.substr(0, nl + 1));
  const auto space = head.rfind(' ');
  if (space == std::string::npos) return false;
  std::size_t size = 0;
  try {
    size = std::stoul(head.substr(space + 1));
  } catch (const std::exception&) {
    return false;
  }
  if (data.size() != head.size() + size || data.substr(head.size()) != payload(head, size)) return false;
  if (writer != nullptr) *writer = head.substr(0, space);
  return true;
}

/// Length of the run in seconds: LAKEFS_STRESS_SECONDS, default 20.
inline std::chrono::seconds configured_duration() {
  if (const char* env = std::getenv("LAKEFS_STRESS_SECONDS"); env != nullptr && *env != '\0') {
    try {
      const long seconds = std::stol(env);
      if (seconds >= 0) return std::chrono::seconds(seconds);
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(std::string("LAKEFS_STRESS_SECONDS must be a whole number of seconds, got '") + env +
                                "'");
  }
  return std::chrono::seconds(20);
}

/// What all workers share: the one Client, the contended repository, the clock, per-kind counts,
/// failures, and the facts only checkable once every worker has finished.
struct StressRun {
  StressRun(const Client& c, std::string shared, std::chrono::steady_clock::duration length, std::size_t workers)
      : client(c),
        shared_repo(std::move(shared)),
        deadline(std::chrono::steady_clock::now() + length),
        running(workers) {
    for (auto& op : running) op = -1;
  }

  const Client& client;
  const std::string shared_repo;
  const std::chrono::steady_clock::time_point deadline;
  std::string server_version;  // written before the workers start
  std::filesystem::path scratch;

  std::atomic<bool> stop{false};
  /// The operation each worker is in (an Op, or -1 when not running), for the watchdog's report.
  std::vector<std::atomic<int>> running;
  std::array<std::atomic<int>, kOps> done{};
  /// Merges and transactions that lost a race on a contended branch and were tried again.
  std::atomic<int> contention_retries{0};
  /// Readers of a contended object that saw it replaced mid-read (and said so, as documented).
  std::atomic<int> reads_saw_replacement{0};

  std::mutex mutex;  // guards everything below
  std::vector<std::string> failures;
  /// Object path -> content every worker expects to find at the end, per shared branch.
  std::map<std::string, std::string> merged_to_main;
  std::map<std::string, std::string> committed_to_txshared;
  /// Exclusive ("create only") uploads racing for one path: path -> the writers that succeeded, and
  /// how many attempts there were.
  std::map<std::string, std::vector<std::string>> exclusive_winners;
  std::map<std::string, int> exclusive_attempts;

  void fail(const std::string& what) {
    std::lock_guard lock(mutex);
    failures.push_back(what);
    stop = true;
  }
  void expect_at_end(std::map<std::string, std::string>& where, const std::string& path, const std::string& content) {
    std::lock_guard lock(mutex);
    where[path] = content;
  }
};

/// Runs `fn`, again while it loses a race on a contended branch (ConflictError, or a
/// TransactionError caused by one); other errors pass through.
template <typename F>
auto retry_contended(StressRun& run, F&& fn) -> decltype(fn()) {
  constexpr int kAttempts = 40;
  for (int attempt = 1;; ++attempt) {
    try {
      return fn();
    } catch (const ConflictError&) {
      if (attempt == kAttempts) throw;
    } catch (const TransactionError& e) {
      bool conflict = false;
      try {
        if (e.cause()) std::rethrow_exception(e.cause());
      } catch (const ConflictError&) {
        conflict = true;
      } catch (...) {
      }
      if (!conflict || attempt == kAttempts) throw;
    }
    ++run.contention_retries;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
}

}  // namespace lakefs::test::stress
