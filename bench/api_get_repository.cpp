// 2000 sequential getRepository calls: through the SDK (client.api(), typed
// request, transport, JSON decode) versus a bare libcurl loop making the same
// request on one reused connection, against the same server in the same run.
// Target: SDK wall time at most 1.10x the libcurl floor.
//
//   api_get_repository [CALLS] [ROUNDS]     (defaults 2000 and 5)
//
// Needs LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY
// (bench/run.sh sets them). After a warm-up, each round makes CALLS calls per
// side, interleaved in blocks of 100 (floor, SDK, SDK, floor, ...), so a slow
// moment of the server or of the machine lands on both sides alike; the median
// round of each side is compared. The client's own CPU time (this thread's
// user + system time) is reported too: it is what the SDK adds, free of the
// server's share. Prints a Markdown table on stdout.
#include <curl/curl.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
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

// The floor: one easy handle, options set once, the same GET performed again
// and again on its kept-alive connection; the body is read, not decoded.
class BareCurl {
 public:
  BareCurl(const std::string& url, const std::string& key, const std::string& secret) {
    easy_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(easy_, CURLOPT_USERNAME, key.c_str());
    curl_easy_setopt(easy_, CURLOPT_PASSWORD, secret.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    // The same request bytes as the SDK sends: its User-Agent and Accept-Encoding.
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, user_agent_.c_str());
    curl_easy_setopt(easy_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, &body_);
  }
  ~BareCurl() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(easy_);
  }
  BareCurl(const BareCurl&) = delete;
  BareCurl& operator=(const BareCurl&) = delete;

  std::size_t get() {
    body_.clear();
    if (curl_easy_perform(easy_) != CURLE_OK) throw std::runtime_error("curl_easy_perform failed");
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
  CURL* easy_ = nullptr;
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

}  // namespace

int main(int argc, char** argv) {
  const int calls = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
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
    const lakefs::api::GetRepositoryRequest request{.repository = repo};

    auto sdk_block = [&](int n, Cost& cost) {
      const double cpu = thread_cpu_seconds();
      const auto start = Clock::now();
      for (int i = 0; i < n; ++i) {
        const auto r = api.repositories.get_repository(request);
        if (r.id != repo) throw std::runtime_error("SDK: wrong repository");
      }
      cost.wall += std::chrono::duration<double>(Clock::now() - start).count();
      cost.cpu += thread_cpu_seconds() - cpu;
    };
    auto curl_block = [&](int n, Cost& cost) {
      const double cpu = thread_cpu_seconds();
      const auto start = Clock::now();
      for (int i = 0; i < n; ++i) {
        if (bare.get() == 0) throw std::runtime_error("bare libcurl: empty body");
      }
      cost.wall += std::chrono::duration<double>(Clock::now() - start).count();
      cost.cpu += thread_cpu_seconds() - cpu;
    };

    // Warm-up: connections open, server caches hot.
    for (int i = 0; i < 200; ++i) {
      (void)api.repositories.get_repository(request);
      (void)bare.get();
    }
    constexpr int kBlock = 100;
    std::vector<double> sdk, floor, sdk_cpu, floor_cpu;
    for (int r = 0; r < rounds; ++r) {
      Cost c_floor, c_sdk;
      for (int done = 0, b = 0; done < calls; done += kBlock, ++b) {
        const int n = std::min(kBlock, calls - done);
        if (b % 2 == 0) {
          curl_block(n, c_floor);
          sdk_block(n, c_sdk);
        } else {
          sdk_block(n, c_sdk);
          curl_block(n, c_floor);
        }
      }
      floor.push_back(c_floor.wall);
      sdk.push_back(c_sdk.wall);
      floor_cpu.push_back(c_floor.cpu);
      sdk_cpu.push_back(c_sdk.cpu);
    }
    api.repositories.delete_repository({.repository = repo});

    const double f = median(floor), s = median(sdk);
    const double fc = median(floor_cpu), sc = median(sdk_cpu);
    std::printf(
        "| %d sequential getRepository calls (median of %d rounds) | wall time | per call | client CPU per call |\n",
        calls, rounds);
    std::printf("|---|---|---|---|\n");
    std::printf("| bare libcurl, one reused connection (floor) | %.1f ms | %.1f µs | %.1f µs |\n", f * 1e3,
                f * 1e6 / calls, fc * 1e6 / calls);
    std::printf("| lakefs-cpp `client.api().repositories.get_repository` | %.1f ms | %.1f µs | %.1f µs |\n", s * 1e3,
                s * 1e6 / calls, sc * 1e6 / calls);
    std::printf("| **ratio SDK / floor** | **%.3f×** (target ≤ 1.10×) | | %.2f× |\n", s / f, sc / fc);
    std::printf("\nAll rounds (floor / SDK, ms):");
    for (int r = 0; r < rounds; ++r) std::printf(" %.1f/%.1f", floor[r] * 1e3, sdk[r] * 1e3);
    std::printf("; the floor's last call %s its connection.\n",
                bare.last_new_connections() == 0 ? "reused" : "did not reuse");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_get_repository: %s\n", e.what());
    return 1;
  }
}
