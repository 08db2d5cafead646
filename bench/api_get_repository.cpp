// SPDX-License-Identifier: Apache-2.0
// Sequential getRepository calls: through the SDK (client.api(), typed
// request, transport, JSON decode) versus a bare libcurl loop making the same
// request on one reused connection, against the same server in the same run.
// Target: the SDK's client work at most 1.05x the libcurl floor's, in
// instructions per call (callgrind), reported with the wall-time ratio.
//
//   api_get_repository [CALLS] [ROUNDS]          (defaults 2000 and 5) wall time, both sides
//   api_get_repository --only sdk|floor|floor-configured CALLS
//                                                one side only, for callgrind (see below)
//
// Needs LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY
// (bench/run.sh sets them).
//
// Wall time: after a warm-up, each round makes CALLS calls per side,
// interleaved in blocks of 100 (floor, SDK, SDK, floor, ...), so a slow moment
// of the server or of the machine lands on both sides alike. Prints one line
// per round on stdout: "ROUND FLOOR_S SDK_S FLOOR_CPU_S SDK_CPU_S" (wall and
// this thread's user + system time of each side's CALLS calls), and a summary
// of the medians on stderr.
//
// --only: creates the repository, warms up (50 calls) and makes CALLS calls of
// one side, printing nothing. Run under `valgrind --tool=callgrind` with CALLS
// = N and 2N: the difference of the two totals over N is the client's
// instructions per call, start-up and warm-up cancelling out
// (bench/scenarios/10-api.sh does so).
//
// The floor does less than the SDK (with one exception: libcurl at its
// defaults reads the proxy variables of the environment on every request,
// which the SDK does once, when the client is made) and puts the same request
// bytes on the wire: one easy handle whose options, header list (the Authorization line
// included, built once) and URL are set once, the same GET performed again and
// again on its kept-alive connection, the body collected but not decoded.
// `floor-configured` is the same loop with libcurl asked for what the SDK's
// transport asks of it (BareCurl::configure_like_the_sdk): what libcurl itself
// costs the SDK per request, apart from the SDK's own work.
#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return v;
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16U) | (static_cast<unsigned char>(in[i + 1]) << 8U) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> static_cast<unsigned>(s)) & 63U];
  }
  if (i + 1 == in.size()) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16U;
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += "==";
  } else if (i + 2 == in.size()) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16U) | (static_cast<unsigned char>(in[i + 1]) << 8U);
    out += kAlphabet[(v >> 18U) & 63U];
    out += kAlphabet[(v >> 12U) & 63U];
    out += kAlphabet[(v >> 6U) & 63U];
    out += '=';
  }
  return out;
}

// The floor: one easy handle, options and headers set once, the same GET
// performed again and again on its kept-alive connection; the body is read,
// not decoded.
class BareCurl {
 public:
  BareCurl(const std::string& url, const std::string& key, const std::string& secret) {
    easy_ = curl_easy_init();
    // The same request bytes as the SDK sends: its Authorization, Accept, User-Agent and Accept-Encoding.
    // The Authorization line is built once (libcurl's own CURLOPT_HTTPAUTH would redo it per request).
    headers_ = curl_slist_append(headers_, ("Authorization: Basic " + base64(key + ":" + secret)).c_str());
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &body_);
  }
  /// The configured floor: also asks libcurl for what the SDK's transport asks of it on every request (a share
  /// for DNS and TLS sessions, the connect timeout, the low-speed abort, TCP keep-alive probes, the receive buffer
  /// size, a header callback) and drives the transfer through a multi handle with curl_multi_poll, as the SDK does
  /// so that a cancellation wakes the wait. Still nothing of the SDK's own work: headers are not kept, the body is
  /// not decoded, nothing is validated, retried, logged or mapped.
  void configure_like_the_sdk() {
    share_ = curl_share_init();
    curl_share_setopt(
        share_, CURLSHOPT_LOCKFUNC, +[](CURL*, curl_lock_data data, curl_lock_access, void* user) {
          static_cast<BareCurl*>(user)->locks_[static_cast<std::size_t>(data)].lock();
        });
    curl_share_setopt(
        share_, CURLSHOPT_UNLOCKFUNC, +[](CURL*, curl_lock_data data, void* user) {
          static_cast<BareCurl*>(user)->locks_[static_cast<std::size_t>(data)].unlock();
        });
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_easy_setopt(easy_, CURLOPT_SHARE, share_);
    curl_easy_setopt(easy_, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy_, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(easy_, CURLOPT_TCP_KEEPINTVL, 15L);
    curl_easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS, 10'000L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy_, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(easy_, CURLOPT_BUFFERSIZE, 512L * 1024);
    // The SDK reads the environment's proxies once and names them (here: none), so libcurl reads no variable per
    // request: this makes libcurl do less than the bare floor's, which reads five per request.
    curl_easy_setopt(easy_, CURLOPT_PROXY, "");
    curl_easy_setopt(easy_, CURLOPT_NOPROXY, "");
    curl_easy_setopt(
        easy_, CURLOPT_HEADERFUNCTION, +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
    multi_ = curl_multi_init();
  }
  ~BareCurl() {
    curl_slist_free_all(headers_);
    if (multi_ != nullptr) curl_multi_cleanup(multi_);
    curl_easy_cleanup(easy_);
    if (share_ != nullptr) curl_share_cleanup(share_);
  }
  BareCurl(const BareCurl&) = delete;
  BareCurl& operator=(const BareCurl&) = delete;

  std::size_t get() {
    body_.clear();
    if (multi_ != nullptr) {
      drive();
    } else if (curl_easy_perform(easy_) != CURLE_OK) {
      throw std::runtime_error("curl_easy_perform failed");
    }
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) throw std::runtime_error("bare libcurl: HTTP " + std::to_string(status));
    return body_.size();
  }
  /// New connections the last transfer had to open (0: it reused one).
  long last_new_connections() {
    long n = 0;
    curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &n);
    return n;
  }

 private:
  void drive() {
    curl_multi_add_handle(multi_, easy_);
    CURLcode code = CURLE_OK;
    for (;;) {
      int running = 0;
      if (curl_multi_perform(multi_, &running) != CURLM_OK) throw std::runtime_error("curl_multi_perform failed");
      if (running == 0) {
        int queued = 0;
        while (const CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
          if (message->msg == CURLMSG_DONE) code = message->data.result;
        }
        break;
      }
      if (curl_multi_poll(multi_, nullptr, 0, 1000, nullptr) != CURLM_OK)
        throw std::runtime_error("curl_multi_poll failed");
    }
    curl_multi_remove_handle(multi_, easy_);
    if (code != CURLE_OK) throw std::runtime_error(curl_easy_strerror(code));
  }

  CURL* easy_ = nullptr;
  CURLM* multi_ = nullptr;
  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
  curl_slist* headers_ = nullptr;
  std::string body_;
  std::string user_agent_ = std::string("lakefs-cpp/") + lakefs::sdk_version;
};

double thread_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

struct Cost {
  double wall = 0;
  double cpu = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int usage() {
  std::fprintf(stderr, "usage: api_get_repository [CALLS] [ROUNDS] | --only sdk|floor|floor-configured CALLS\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string only;
  int calls = 2000;
  int rounds = 5;
  if (argc > 1 && std::strcmp(argv[1], "--only") == 0) {
    if (argc != 4) return usage();
    only = argv[2];
    calls = std::atoi(argv[3]);
    if (only != "sdk" && only != "floor" && only != "floor-configured") return usage();
  } else {
    if (argc > 1) calls = std::atoi(argv[1]);
    if (argc > 2) rounds = std::atoi(argv[2]);
  }
  if (calls <= 0 || rounds <= 0) return usage();
  try {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const std::string endpoint = env("LAKEFS_ENDPOINT");
    lakefs::Client client(lakefs::ClientOptions{.endpoint = endpoint,
                                                .access_key_id = env("LAKEFS_ACCESS_KEY_ID"),
                                                .secret_access_key = env("LAKEFS_SECRET_ACCESS_KEY"),
                                                .explicit_only = true});
    auto& api = client.api();
    const std::string repo = "bench-getrepo-" + std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
    (void)api.repositories.create_repository({.body = {.name = repo, .storage_namespace = "local://" + repo}});

    BareCurl bare(client.options().endpoint + "/repositories/" + repo, env("LAKEFS_ACCESS_KEY_ID"),
                  env("LAKEFS_SECRET_ACCESS_KEY"));
    if (only == "floor-configured") bare.configure_like_the_sdk();
    const lakefs::api::GetRepositoryRequest request{.repository = repo};

    auto sdk_calls = [&](int n) {
      for (int i = 0; i < n; ++i) {
        const auto r = api.repositories.get_repository(request);
        if (r.id != repo) throw std::runtime_error("SDK: wrong repository");
      }
    };
    auto floor_calls = [&](int n) {
      for (int i = 0; i < n; ++i) {
        if (bare.get() == 0) throw std::runtime_error("bare libcurl: empty body");
      }
    };

    if (!only.empty()) {
      // Warm-up (50 calls): the connection open, the server's caches hot.
      if (only == "sdk") {
        sdk_calls(50);
        sdk_calls(calls);
      } else {
        floor_calls(50);
        floor_calls(calls);
      }
      api.repositories.delete_repository({.repository = repo});
      return 0;
    }

    auto timed = [](auto& side, int n, Cost& cost) {
      const double cpu = thread_cpu_seconds();
      const auto start = Clock::now();
      side(n);
      cost.wall += std::chrono::duration<double>(Clock::now() - start).count();
      cost.cpu += thread_cpu_seconds() - cpu;
    };

    // Warm-up: connections open, server caches hot.
    sdk_calls(200);
    floor_calls(200);
    constexpr int kBlock = 100;
    std::vector<double> sdk, floor, sdk_cpu, floor_cpu;
    for (int r = 0; r < rounds; ++r) {
      Cost c_floor, c_sdk;
      for (int done = 0, b = 0; done < calls; done += kBlock, ++b) {
        const int n = std::min(kBlock, calls - done);
        if (b % 2 == 0) {
          timed(floor_calls, n, c_floor);
          timed(sdk_calls, n, c_sdk);
        } else {
          timed(sdk_calls, n, c_sdk);
          timed(floor_calls, n, c_floor);
        }
      }
      floor.push_back(c_floor.wall);
      sdk.push_back(c_sdk.wall);
      floor_cpu.push_back(c_floor.cpu);
      sdk_cpu.push_back(c_sdk.cpu);
      std::printf("%d %.6f %.6f %.6f %.6f\n", r + 1, c_floor.wall, c_sdk.wall, c_floor.cpu, c_sdk.cpu);
      std::fflush(stdout);
    }
    api.repositories.delete_repository({.repository = repo});

    const double f = median(floor), s = median(sdk);
    const double fc = median(floor_cpu), sc = median(sdk_cpu);
    std::fprintf(stderr,
                 "%d getRepository calls, median of %d rounds: floor %.1f µs/call (CPU %.1f), SDK %.1f µs/call "
                 "(CPU %.1f); wall %.3f×, client CPU %.2f×; the floor's last call %s its connection\n",
                 calls, rounds, f * 1e6 / calls, fc * 1e6 / calls, s * 1e6 / calls, sc * 1e6 / calls, s / f, sc / fc,
                 bare.last_new_connections() == 0 ? "reused" : "did not reuse");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_get_repository: %s\n", e.what());
    return 1;
  }
}
