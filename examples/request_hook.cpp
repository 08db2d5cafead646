// SPDX-License-Identifier: Apache-2.0
// Tracing and metrics with a request hook (ClientOptions::request_hook): every attempt the client makes gets a
// W3C traceparent header (one trace id for the run, a new random parent id per attempt), and is counted with its
// latency and bytes by method and status; a summary is printed at the end.
//
// A real tracer (OpenTelemetry, ...) would start a span in before_attempt(), keep it in attempt.context, inject
// its context as the traceparent, and end the span in after_attempt(). The hook never sees a credential.
//
// The client finds the server and credentials in the environment or in ~/.lakectl.yaml, as in quickstart.cpp.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <utility>

#include "support/example_env.hpp"

namespace {

// Lower-case hex of `bytes` random bytes (never all zero, which W3C Trace Context forbids).
std::string random_hex(std::mt19937_64& random, int bytes) {
  std::string out;
  for (;;) {
    out.clear();
    bool zero = true;
    for (int i = 0; i < bytes; ++i) {
      const auto byte = static_cast<unsigned>(random() & 0xff);
      zero = zero && byte == 0;
      char digits[3];
      std::snprintf(digits, sizeof digits, "%02x", byte);
      out += digits;
    }
    if (!zero) return out;
  }
}

class TracingAndMetrics final : public lakefs::RequestHook {
 public:
  // Called on the thread that sends the attempt, possibly on several threads at once: state is locked.
  void before_attempt(lakefs::RequestAttempt& attempt) override {
    std::lock_guard lock(mutex_);
    // version-traceid-parentid-flags; "01": sampled.
    const std::string parent = random_hex(random_, 8);
    attempt.headers.emplace_back("traceparent", "00-" + trace_id_ + "-" + parent + "-01");
    attempt.context = parent;  // what a tracer would keep: its span
  }

  void after_attempt(lakefs::RequestAttempt& attempt, const lakefs::AttemptResult& result) override {
    const std::string outcome = result.failure == lakefs::http::Failure::none ? std::to_string(result.status)
                                                                              : std::string(to_string(result.failure));
    std::lock_guard lock(mutex_);
    auto& m = metrics_[{attempt.method, outcome}];
    ++m.count;
    m.latency += result.elapsed;
    m.bytes_sent += result.bytes_sent;
    m.bytes_received += result.bytes_received;
    if (result.will_retry) ++retries_;
    if (!result.request_id.empty()) last_request_id_ = result.request_id;
  }

  void print_summary(std::ostream& out) const {
    std::lock_guard lock(mutex_);
    out << "Trace " << trace_id_ << ": requests by method and status\n";
    for (const auto& [key, m] : metrics_) {
      const double mean_ms =
          std::chrono::duration<double, std::milli>(m.latency).count() / static_cast<double>(m.count);
      char line[160];
      std::snprintf(line, sizeof line, "  %-6s %-18s %4llu x  mean %7.2f ms  sent %8llu B  received %8llu B\n",
                    key.first.c_str(), key.second.c_str(), static_cast<unsigned long long>(m.count), mean_ms,
                    static_cast<unsigned long long>(m.bytes_sent), static_cast<unsigned long long>(m.bytes_received));
      out << line;
    }
    out << "  retried attempts: " << retries_ << "; last request id: " << last_request_id_ << "\n";
  }

 private:
  struct Metrics {
    std::uint64_t count = 0;
    std::chrono::nanoseconds latency{0};
    std::uint64_t bytes_sent = 0;
    std::uint64_t bytes_received = 0;
  };

  mutable std::mutex mutex_;
  std::mt19937_64 random_{std::random_device{}()};
  std::string trace_id_ = random_hex(random_, 16);
  std::map<std::pair<std::string, std::string>, Metrics> metrics_;
  std::uint64_t retries_ = 0;
  std::string last_request_id_;
};

}  // namespace

int main() try {
  auto hook = std::make_shared<TracingAndMetrics>();
  lakefs::ClientOptions options;  // everything else discovered as usual
  options.request_hook = hook;
  const lakefs::Client client(options);
  std::cout << "lakeFS " << client.server_version() << "\n";

  {
    const example::ScratchRepository scratch(client, "request-hook");
    auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
    auto main = repo.branch("main");
    for (int i = 0; i < 5; ++i) {
      main.object("traced/part-" + std::to_string(i) + ".csv").upload("id,value\n" + std::to_string(i) + ",42\n");
    }
    main.commit("Add traced parts");
    for (const auto& entry : main.objects({.prefix = "traced/"})) (void)main.object(entry.path()).read_all();
    try {
      (void)main.object("traced/missing.csv").read_all();
    } catch (const lakefs::NotFoundError&) {
      // counted as a 404 in the summary
    }
  }  // the scratch repository is removed here: its DELETE is counted too

  hook->print_summary(std::cout);
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
