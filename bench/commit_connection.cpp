// SPDX-License-Identifier: Apache-2.0
// What at-most-once costs per commit. lakefs-cpp sends every POST (commit,
// merge, ...) on a fresh connection, because libcurl silently re-sends a POST
// whose kept-alive connection died after the server applied it. This measures
// that choice against the same empty commits sent by bare libcurl on one
// reused connection (what the SDK did before) and on a fresh connection each.
//
//   commit_connection [COMMITS] [ROUNDS]     (defaults 200 and 5)
//
// Needs LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY. The
// three sides commit on branches of their own, interleaved in blocks of 20 in
// rotating order, so a slow moment of the server lands on all alike; the
// median round of each is reported. Prints a Markdown table on stdout.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "lakefs/lakefs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return v;
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

// Empty commits by bare libcurl, on one handle: reusing its connection, or a fresh one per commit.
class BareCommits {
 public:
  BareCommits(const std::string& url, const std::string& key, const std::string& secret, bool fresh) {
    easy_ = curl_easy_init();
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    curl_easy_setopt(easy_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(easy_, CURLOPT_USERNAME, key.c_str());
    curl_easy_setopt(easy_, CURLOPT_PASSWORD, secret.c_str());
    curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(easy_, CURLOPT_POSTFIELDS, body_);
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, discard);
  }
  ~BareCommits() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(easy_);
  }
  BareCommits(const BareCommits&) = delete;
  BareCommits& operator=(const BareCommits&) = delete;

  void commit() {
    if (curl_easy_perform(easy_) != CURLE_OK) throw std::runtime_error("curl_easy_perform failed");
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    if (status != 201) throw std::runtime_error("bare libcurl commit: HTTP " + std::to_string(status));
    long connects = 0;
    curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &connects);
    new_connections_ += connects;
  }
  [[nodiscard]] long new_connections() const { return new_connections_; }

 private:
  static constexpr const char* body_ = R"({"message":"bench","allow_empty":true})";
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  long new_connections_ = 0;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

double spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.back() - v.front();
}

}  // namespace

int main(int argc, char** argv) {
  const int commits = argc > 1 ? std::atoi(argv[1]) : 200;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
  try {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const std::string key = env("LAKEFS_ACCESS_KEY_ID"), secret = env("LAKEFS_SECRET_ACCESS_KEY");
    lakefs::Client client(lakefs::ClientOptions{
        .endpoint = env("LAKEFS_ENDPOINT"), .access_key_id = key, .secret_access_key = secret, .explicit_only = true});
    const std::string name = "bench-commit-" + std::to_string(Clock::now().time_since_epoch().count() % 1000000007);
    auto repo = client.repository(name).create({.storage_namespace = "local://" + name});
    auto sdk_branch = repo.branch("sdk").create("main");
    repo.branch("reused").create("main");
    repo.branch("fresh").create("main");
    const std::string base = client.options().endpoint + "/repositories/" + name + "/branches/";
    BareCommits reused(base + "reused/commits", key, secret, false);
    BareCommits fresh(base + "fresh/commits", key, secret, true);

    using Side = std::function<void()>;
    const std::array<Side, 3> sides{
        [&] { (void)sdk_branch.commit("bench", {.allow_empty = true}); },
        [&] { reused.commit(); },
        [&] { fresh.commit(); },
    };
    for (int i = 0; i < 20; ++i) {
      for (const auto& side : sides) side();  // warm-up
    }
    constexpr int kBlock = 20;
    std::array<std::vector<double>, 3> per_round;
    for (int r = 0; r < rounds; ++r) {
      std::array<double, 3> wall{};
      for (int done = 0, b = 0; done < commits; done += kBlock, ++b) {
        const int n = std::min(kBlock, commits - done);
        for (int k = 0; k < 3; ++k) {
          const int s = (b + k) % 3;  // rotate who goes first
          const auto start = Clock::now();
          for (int i = 0; i < n; ++i) sides[s]();
          wall[s] += std::chrono::duration<double>(Clock::now() - start).count();
        }
      }
      for (int s = 0; s < 3; ++s) per_round[s].push_back(wall[s] * 1e3 / commits);
    }
    repo.remove();

    // The connection on its own: an unauthenticated GET /healthcheck (no server work to speak of), reused vs fresh.
    constexpr int kProbes = 1000;
    std::array<std::vector<double>, 2> probe;
    {
      std::array<CURL*, 2> easy{curl_easy_init(), curl_easy_init()};
      const std::string url = client.options().endpoint + "/healthcheck";
      for (int k = 0; k < 2; ++k) {
        curl_easy_setopt(easy[k], CURLOPT_URL, url.c_str());
        curl_easy_setopt(easy[k], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(easy[k], CURLOPT_FRESH_CONNECT, k == 1 ? 1L : 0L);
        curl_easy_setopt(easy[k], CURLOPT_WRITEFUNCTION, discard);
      }
      for (int r = 0; r < rounds; ++r) {
        std::array<double, 2> wall{};
        for (int b = 0; b < kProbes / 100; ++b) {
          for (int k = 0; k < 2; ++k) {
            const int side = (b + k) % 2;
            const auto start = Clock::now();
            for (int i = 0; i < 100; ++i) {
              if (curl_easy_perform(easy[side]) != CURLE_OK) throw std::runtime_error("healthcheck failed");
            }
            wall[side] += std::chrono::duration<double>(Clock::now() - start).count();
          }
        }
        for (int k = 0; k < 2; ++k) probe[k].push_back(wall[k] * 1e3 / kProbes);
      }
      for (CURL* e : easy) curl_easy_cleanup(e);
    }

    const char* names[3] = {"lakefs-cpp `Branch::commit` (fresh connection per POST)",
                            "bare libcurl, one reused connection (before the fix)",
                            "bare libcurl, fresh connection per commit"};
    std::printf("| %d empty commits per side (median of %d rounds) | per commit | spread (max − min) |\n", commits,
                rounds);
    std::printf("|---|---|---|\n");
    for (int s = 0; s < 3; ++s) {
      std::printf("| %s | %.3f ms | %.3f ms |\n", names[s], median(per_round[s]), spread(per_round[s]));
    }
    std::printf(
        "\nFresh minus reused, per commit (bare libcurl, same requests): %.3f ms; the reused side opened "
        "%ld connections, the fresh side %ld.\n",
        median(per_round[2]) - median(per_round[1]), reused.new_connections(), fresh.new_connections());
    std::printf("\n| %d GET /healthcheck, bare libcurl (median of %d rounds) | per request | spread (max − min) |\n",
                kProbes, rounds);
    std::printf("|---|---|---|\n");
    std::printf("| one reused connection | %.3f ms | %.3f ms |\n", median(probe[0]), spread(probe[0]));
    std::printf("| fresh connection each | %.3f ms | %.3f ms |\n", median(probe[1]), spread(probe[1]));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "commit_connection: %s\n", e.what());
    return 1;
  }
}
