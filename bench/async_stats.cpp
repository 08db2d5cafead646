// SPDX-License-Identifier: Apache-2.0
// Many small requests at once: the asynchronous engine against a pool of
// threads making synchronous calls, for bench/scenarios/70-async.sh (which
// puts bench/delay_proxy between this program and lakeFS to add latency, and
// runs bench/python/async_stats.py, asyncio + aiohttp, beside it).
//
//   async_stats setup   REPO BRANCH OBJECTS          OBJECTS small objects stat/o00000… on BRANCH, committed
//   async_stats engine  N REPO REF OBJECTS [STATS]   STATS (10,000) StoredObject::stat_async through
//                                                    async::for_each with concurrency N, on one engine thread
//                                                    with max_in_flight N
//   async_stats threads N REPO REF OBJECTS [STATS]   the same STATS as N std::threads calling StoredObject::stat()
//                                                    (max_connections N): the synchronous way
//   async_stats memory  N REPO REF OBJECTS           RSS per stat in flight: N stats held in flight (the endpoint
//                                                    must delay answers by seconds), RSS minus the RSS with one
//                                                    in flight, over N - 1; then they are stopped
//   async_stats memory-threads N REPO REF OBJECTS    the same with N threads, one synchronous stat() each
//   async_stats queued  N REPO REF OBJECTS           RSS per queued operation: N stat_async tasks started at once
//                                                    (when_all) on an engine with max_in_flight 1, whose one
//                                                    transfer is held by the endpoint; then they are stopped
//   async_stats stop    N REPO REF OBJECTS           N stats in flight through for_each (concurrency N, its
//                                                    `.stop` token); the time from request_stop() until every
//                                                    task has ended (each with CancelledError)
//
// Configured from LAKEFS_* in the environment (the scenario points LAKEFS_ENDPOINT at the proxy). Each mode
// prints one JSON line: "seconds" (the workload, timed inside the process), "requests" (the stats that succeeded
// and were checked), "cpu_seconds" (user + system of the whole process over the workload, getrusage), and the
// mode's own figures. A stat whose answer is wrong, or that fails, fails the run. The memory modes find "in
// flight" by counting the connections established to the endpoint's port (/proc/net/tcp), then wait a little
// for the requests to be sent, and check that no stat ended before the RSS was read.
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <lakefs/async/combinators.hpp>
#include <lakefs/async/task.hpp>
#include <lakefs/lakefs.hpp>
#include <latch>
#include <mutex>
#include <ranges>
#include <sstream>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

/// The process's resident set now, in KiB (/proc/self/statm).
long rss_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/// Connections in state ESTABLISHED whose local port is `port` (the endpoint's accepted side), from /proc/net/tcp.
std::size_t established_to(unsigned port) {
  std::ifstream tcp("/proc/net/tcp");
  std::string line;
  std::getline(tcp, line);  // header
  std::size_t count = 0;
  while (std::getline(tcp, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    const auto colon = local.find(':');
    if (colon == std::string::npos || state != "01") continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port) ++count;
  }
  return count;
}

/// The port of the endpoint the client resolves (LAKEFS_ENDPOINT), for established_to.
unsigned endpoint_port(const lakefs::ClientOptions& options) {
  std::string url = lakefs::resolve_config(options).transport.endpoint;
  if (const auto scheme = url.find("://"); scheme != std::string::npos) url.erase(0, scheme + 3);
  if (const auto path = url.find('/'); path != std::string::npos) url.erase(path);
  const auto colon = url.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("the endpoint has no port: " + url);
  return static_cast<unsigned>(std::stoul(url.substr(colon + 1)));
}

/// How long to wait, once the connections are up, for their requests to be written: ASYNC_STATS_SETTLE_MS
/// (default 300; longer to profile the stop alone, e.g. `perf record -D`).
std::chrono::milliseconds settle_time() {
  const char* text = std::getenv("ASYNC_STATS_SETTLE_MS");
  return std::chrono::milliseconds(text != nullptr ? std::stol(text) : 300);
}

/// Waits until `n` connections to `port` are established (the stats' requests go out right after), then a
/// little longer for the requests to be written.
void wait_in_flight(unsigned port, std::size_t n) {
  const auto give_up = Clock::now() + 30s;
  while (established_to(port) < n) {
    if (Clock::now() > give_up) {
      throw std::runtime_error("only " + std::to_string(established_to(port)) + " of " + std::to_string(n) +
                               " connections established after 30 s");
    }
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(settle_time());
}

/// The highest RSS over `span`, read every 20 ms.
long max_rss_over(std::chrono::milliseconds span) {
  long high = rss_kib();
  const auto end = Clock::now() + span;
  while (Clock::now() < end) {
    std::this_thread::sleep_for(20ms);
    high = std::max(high, rss_kib());
  }
  return high;
}

void raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string object_path(std::size_t i) {
  char name[32];
  std::snprintf(name, sizeof name, "stat/o%05zu", i);
  return name;
}
std::string object_content(std::size_t i) { return "object " + std::to_string(i) + "\n"; }

/// The handles of the objects, each with the size its stat must report.
struct Objects {
  std::vector<lakefs::StoredObject> handles;
  std::vector<std::int64_t> sizes;
  Objects(const lakefs::Reference& ref, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      handles.push_back(ref.object(object_path(i)));
      sizes.push_back(static_cast<std::int64_t>(object_content(i).size()));
    }
  }
};

void check(const lakefs::ObjectInfo& info, const lakefs::StoredObject& object, std::int64_t size) {
  if (info.path != object.path() || info.size_bytes != size) {
    throw std::runtime_error("wrong stat of " + object.path() + ": " + info.path + ", " +
                             std::to_string(info.size_bytes) + " bytes");
  }
}

/// How the stats of a run ended.
struct Counters {
  std::atomic<std::size_t> done{0};
  std::atomic<std::size_t> cancelled{0};
  std::atomic<std::size_t> other{0};
  std::mutex mutex;
  std::string first_other;
  void failed(const std::exception& e) {
    if (other.fetch_add(1) == 0) {
      std::lock_guard lock(mutex);
      first_other = e.what();
    }
  }
};

/// One checked stat. Parameters by value: the task may run after the caller's variables are gone.
lakefs::async::Task<void> stat_checked(lakefs::StoredObject object, std::int64_t size, Counters* counters) {
  try {
    lakefs::StatOptions options;  // named, not braced inside the co_await (GCC 12, docs/async.md)
    auto task = object.stat_async(std::move(options));
    const lakefs::ObjectInfo info = co_await std::move(task);
    check(info, object, size);
    counters->done.fetch_add(1, std::memory_order_relaxed);
  } catch (const lakefs::CancelledError&) {
    counters->cancelled.fetch_add(1, std::memory_order_relaxed);
    throw;
  } catch (const std::exception& e) {
    counters->failed(e);
    throw;
  }
}

/// Blocks until `count` reaches `n` (spawned callbacks count themselves in).
class Arrivals {
 public:
  void arrive() {
    std::lock_guard lock(mutex_);
    ++count_;
    changed_.notify_all();
  }
  void wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return count_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t count_ = 0;
};

struct Args {
  std::size_t n = 0;
  std::string repo, ref;
  std::size_t objects = 0;
  std::size_t stats = 10'000;
};

void print_run(const char* mode, const Args& a, double seconds, std::size_t requests, double cpu) {
  std::cout << "{\"mode\": \"" << mode << "\", \"concurrency\": " << a.n << ", \"seconds\": " << seconds
            << ", \"requests\": " << requests << ", \"cpu_seconds\": " << cpu
            << ", \"cpu_us_per_request\": " << (requests ? cpu * 1e6 / static_cast<double>(requests) : 0.0)
            << ", \"requests_per_second\": " << (seconds > 0 ? static_cast<double>(requests) / seconds : 0.0)
            << ", \"peak_rss_kib\": " << peak_rss_kib() << "}\n";
}

int run_setup(const std::string& repo, const std::string& branch_id, std::size_t n) {
  lakefs::Client client;
  auto branch = client.repository(repo).branch(branch_id);
  const auto dir = std::filesystem::temp_directory_path() / ("async-stats-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < n; ++i) {
    std::ofstream(dir / object_path(i).substr(5), std::ios::binary) << object_content(i);
  }
  const auto start = Clock::now();
  const auto summary = branch.upload_directory(dir, "stat/");
  std::filesystem::remove_all(dir);
  if (!summary.ok() || summary.objects != n) {
    std::cerr << "async_stats setup: uploaded " << summary.objects << " of " << n << " objects\n";
    return 1;
  }
  (void)branch.commit("objects to stat");
  std::cout << "{\"seconds\": " << seconds_since(start) << ", \"requests\": " << n << "}\n";
  return 0;
}

// A client's options for one engine thread with `in_flight` requests in flight.
lakefs::ClientOptions one_engine_thread(std::size_t in_flight) {
  lakefs::ClientOptions options;
  options.max_in_flight = in_flight;
  options.engine_threads = 1;
  return options;
}

int run_engine(const Args& a) {
  lakefs::ClientOptions options = one_engine_thread(a.n);
  lakefs::Client client(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  // What a user writes: for_each over the items, at most N stats running.
  auto stat = [&objects, &counters](std::size_t i) {
    const std::size_t k = i % objects.handles.size();
    return stat_checked(objects.handles[k], objects.sizes[k], &counters);
  };
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  lakefs::async::ForEachOptions each;
  each.concurrency = a.n;
  lakefs::async::sync_wait(lakefs::async::for_each(std::views::iota(std::size_t{0}, a.stats), stat, each));
  const double seconds = seconds_since(start);
  const double cpu = cpu_seconds() - cpu0;
  if (counters.done != a.stats) throw std::runtime_error("only " + std::to_string(counters.done) + " stats done");
  print_run("engine", a, seconds, counters.done, cpu);
  return 0;
}

int run_threads(const Args& a) {
  lakefs::ClientOptions options;
  options.max_connections = a.n;
  lakefs::Client client(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::latch go(1);
  std::vector<std::thread> threads;
  threads.reserve(a.n);
  for (std::size_t t = 0; t < a.n; ++t) {
    threads.emplace_back([&] {
      go.wait();
      for (std::size_t i; !failed && (i = next.fetch_add(1)) < a.stats;) {
        const std::size_t k = i % objects.handles.size();
        try {
          check(objects.handles[k].stat(), objects.handles[k], objects.sizes[k]);
          counters.done.fetch_add(1, std::memory_order_relaxed);
        } catch (const std::exception& e) {
          counters.failed(e);
          failed = true;
        }
      }
    });
  }
  // The threads exist before the clock starts: a pool made ahead, as a program keeps one.
  const double cpu0 = cpu_seconds();
  const auto start = Clock::now();
  go.count_down();
  for (auto& t : threads) t.join();
  const double seconds = seconds_since(start);
  const double cpu = cpu_seconds() - cpu0;
  if (counters.other) throw std::runtime_error("a stat failed: " + counters.first_other);
  if (counters.done != a.stats) throw std::runtime_error("only " + std::to_string(counters.done) + " stats done");
  print_run("threads", a, seconds, counters.done, cpu);
  return 0;
}

/// Ends a memory or stop run: every stat must have ended with CancelledError.
void check_all_cancelled(const Counters& counters, std::size_t n) {
  if (counters.done != 0 || counters.other != 0 || counters.cancelled != n) {
    throw std::runtime_error("expected " + std::to_string(n) + " cancelled stats, got " +
                             std::to_string(counters.cancelled) + " cancelled, " + std::to_string(counters.done) +
                             " done, " + std::to_string(counters.other) + " failed otherwise " + counters.first_other);
  }
}

void print_memory(const char* mode, const Args& a, long base, long high, std::size_t per, double seconds) {
  const double kib = static_cast<double>(high - base) / static_cast<double>(per);
  std::cout << "{\"mode\": \"" << mode << "\", \"concurrency\": " << a.n << ", \"seconds\": " << seconds
            << ", \"requests\": 0, \"rss_base_kib\": " << base << ", \"rss_kib\": " << high << ", \"kib_each\": " << kib
            << ", \"peak_rss_kib\": " << peak_rss_kib() << "}\n";
}

int run_memory(const Args& a) {
  if (a.n < 2) throw std::runtime_error("memory needs N >= 2");
  lakefs::ClientOptions options = one_engine_thread(a.n);
  lakefs::Client client(options);
  const unsigned port = endpoint_port(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  Arrivals ended;
  std::stop_source stop;
  const auto start = Clock::now();
  auto launch = [&](std::size_t i) {
    const std::size_t k = i % objects.handles.size();
    lakefs::async::spawn(stat_checked(objects.handles[k], objects.sizes[k], &counters).with_stop(stop.get_token()),
                         [&ended](lakefs::async::Outcome<void>) { ended.arrive(); });
  };
  // The base: the engine started, one stat (its connection, its buffers) in flight.
  launch(0);
  wait_in_flight(port, 1);
  const long base = max_rss_over(200ms);
  for (std::size_t i = 1; i < a.n; ++i) launch(i);
  wait_in_flight(port, a.n);
  const long high = max_rss_over(300ms);
  if (counters.done + counters.cancelled + counters.other != 0) {
    throw std::runtime_error("a stat ended before the RSS was read: the endpoint must hold answers longer");
  }
  stop.request_stop();
  ended.wait_for(a.n);
  check_all_cancelled(counters, a.n);
  print_memory("memory", a, base, high, a.n - 1, seconds_since(start));
  return 0;
}

int run_memory_threads(const Args& a) {
  if (a.n < 2) throw std::runtime_error("memory-threads needs N >= 2");
  lakefs::ClientOptions options;
  options.max_connections = a.n;
  lakefs::Client client(options);
  const unsigned port = endpoint_port(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  std::stop_source stop;
  std::vector<std::thread> threads;
  threads.reserve(a.n);
  const auto start = Clock::now();
  auto launch = [&](std::size_t i) {
    threads.emplace_back([&, i] {
      const std::size_t k = i % objects.handles.size();
      lakefs::StatOptions stat_options;
      stat_options.call.stop = stop.get_token();
      try {
        check(objects.handles[k].stat(stat_options), objects.handles[k], objects.sizes[k]);
        counters.done.fetch_add(1);
      } catch (const lakefs::CancelledError&) {
        counters.cancelled.fetch_add(1);
      } catch (const std::exception& e) {
        counters.failed(e);
      }
    });
  };
  launch(0);
  wait_in_flight(port, 1);
  const long base = max_rss_over(200ms);
  for (std::size_t i = 1; i < a.n; ++i) launch(i);
  wait_in_flight(port, a.n);
  const long high = max_rss_over(300ms);
  const bool early = counters.done + counters.cancelled + counters.other != 0;
  stop.request_stop();
  for (auto& t : threads) t.join();
  if (early) throw std::runtime_error("a stat ended before the RSS was read: the endpoint must hold answers longer");
  check_all_cancelled(counters, a.n);
  print_memory("memory-threads", a, base, high, a.n - 1, seconds_since(start));
  return 0;
}

int run_queued(const Args& a) {
  lakefs::ClientOptions options = one_engine_thread(1);
  lakefs::Client client(options);
  const unsigned port = endpoint_port(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  Arrivals ended;
  std::stop_source stop;
  const auto start = Clock::now();
  // The base: the engine started and its one transfer in flight (held by the endpoint), so what follows waits.
  lakefs::async::spawn(stat_checked(objects.handles[0], objects.sizes[0], &counters).with_stop(stop.get_token()),
                       [&ended](lakefs::async::Outcome<void>) { ended.arrive(); });
  wait_in_flight(port, 1);
  const long base = max_rss_over(200ms);
  // N bare stat_async tasks, started at once: each runs to its request, which waits in the engine's queue.
  std::vector<lakefs::async::Task<lakefs::ObjectInfo>> tasks;
  tasks.reserve(a.n);
  for (std::size_t i = 0; i < a.n; ++i) {
    lakefs::StatOptions stat_options;
    tasks.push_back(objects.handles[i % objects.handles.size()].stat_async(std::move(stat_options)));
  }
  const long created = rss_kib();  // the lazy tasks alone, before any runs
  std::exception_ptr outcome;
  std::size_t values = 0;
  const auto queued_at = Clock::now();
  lakefs::async::spawn(lakefs::async::when_all(std::move(tasks)).with_stop(stop.get_token()),
                       [&](lakefs::async::Outcome<std::vector<lakefs::ObjectInfo>> result) {
                         if (result.has_value()) {
                           values = result.value().size();
                         } else {
                           outcome = result.error();
                         }
                         ended.arrive();
                       });
  const double queue_seconds = seconds_since(queued_at);
  std::this_thread::sleep_for(300ms);  // the engine moves the submissions into its queue
  const long high = max_rss_over(300ms);
  const bool early = counters.done + counters.cancelled + counters.other != 0;
  const auto stop_at = Clock::now();
  stop.request_stop();
  ended.wait_for(2);
  const double stop_seconds = seconds_since(stop_at);
  if (early) throw std::runtime_error("the stat in flight ended before the RSS was read");
  if (values != 0 || !outcome) throw std::runtime_error("when_all of the queued stats did not end with an error");
  try {
    std::rethrow_exception(outcome);
  } catch (const lakefs::CancelledError&) {
  }
  check_all_cancelled(counters, 1);
  const double kib = static_cast<double>(high - base) / static_cast<double>(a.n);
  std::cout << "{\"mode\": \"queued\", \"queued\": " << a.n << ", \"seconds\": " << seconds_since(start)
            << ", \"requests\": 0, \"start_seconds\": " << queue_seconds << ", \"stop_seconds\": " << stop_seconds
            << ", \"rss_base_kib\": " << base << ", \"rss_created_kib\": " << created << ", \"rss_kib\": " << high
            << ", \"kib_each\": " << kib << ", \"bytes_each\": " << kib * 1024
            << ", \"bytes_each_created\": " << static_cast<double>(created - base) * 1024 / static_cast<double>(a.n)
            << ", \"peak_rss_kib\": " << peak_rss_kib() << "}\n";
  return 0;
}

int run_stop(const Args& a) {
  lakefs::ClientOptions options = one_engine_thread(a.n);
  lakefs::Client client(options);
  const unsigned port = endpoint_port(options);
  const Objects objects(client.repository(a.repo).ref(a.ref), a.objects);
  Counters counters;
  std::stop_source stop;
  auto stat = [&objects, &counters](std::size_t i) {
    const std::size_t k = i % objects.handles.size();
    return stat_checked(objects.handles[k], objects.sizes[k], &counters);
  };
  lakefs::async::ForEachOptions each;
  each.concurrency = a.n;
  each.stop = stop.get_token();
  std::future<void> all =
      lakefs::async::spawn(lakefs::async::for_each(std::views::iota(std::size_t{0}, a.n), stat, each));
  wait_in_flight(port, a.n);
  if (counters.done + counters.cancelled + counters.other != 0) {
    throw std::runtime_error("a stat ended before the stop: the endpoint must hold answers longer");
  }
  const auto start = Clock::now();
  stop.request_stop();  // runs the stop callbacks of the 1,000 requests on this thread
  const double request_stop_seconds = seconds_since(start);
  all.wait();
  const double seconds = seconds_since(start);
  try {
    all.get();
    throw std::runtime_error("for_each ended normally after the stop");
  } catch (const lakefs::CancelledError&) {
  }
  check_all_cancelled(counters, a.n);
  std::cout << "{\"mode\": \"stop\", \"concurrency\": " << a.n << ", \"seconds\": " << seconds
            << ", \"ms\": " << seconds * 1e3 << ", \"request_stop_ms\": " << request_stop_seconds * 1e3
            << ", \"requests\": 0, \"cancelled\": " << counters.cancelled << ", \"peak_rss_kib\": " << peak_rss_kib()
            << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto usage = [] {
    std::cerr << "usage: async_stats setup REPO BRANCH OBJECTS\n"
                 "       async_stats engine|threads N REPO REF OBJECTS [STATS]\n"
                 "       async_stats memory|memory-threads|queued|stop N REPO REF OBJECTS\n";
    return 2;
  };
  if (args.empty()) return usage();
  raise_open_files_limit();
  const std::string& mode = args[0];
  if (mode == "setup") {
    if (args.size() != 4) return usage();
    return run_setup(args[1], args[2], std::stoul(args[3]));
  }
  if (args.size() < 5 || args.size() > 6) return usage();
  Args a;
  a.n = std::stoul(args[1]);
  a.repo = args[2];
  a.ref = args[3];
  a.objects = std::stoul(args[4]);
  if (args.size() == 6) a.stats = std::stoul(args[5]);
  if (a.n == 0 || a.objects == 0) return usage();
  if (mode == "engine") return run_engine(a);
  if (mode == "threads") return run_threads(a);
  if (mode == "memory") return run_memory(a);
  if (mode == "memory-threads") return run_memory_threads(a);
  if (mode == "queued") return run_queued(a);
  if (mode == "stop") return run_stop(a);
  return usage();
} catch (const std::exception& e) {
  std::cerr << "async_stats: " << e.what() << "\n";
  return 1;
}
