// SPDX-License-Identifier: Apache-2.0
// Decoding one 1000-entry listObjects page with the generated API layer
// (simdjson underneath). Target: under 1 ms per page on the 2-core dev machine.
//
// The page is a real one: with LAKEFS_ENDPOINT / LAKEFS_ACCESS_KEY_ID /
// LAKEFS_SECRET_ACCESS_KEY set (bench/run.sh sets them), the program creates a
// repository, uploads 1000 objects with user metadata, captures the raw
// listObjects body through the transport, and removes the repository again.
// Without a server it decodes a page of the same shape built locally.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "lakefs/api/all.hpp"
#include "lakefs/lakefs.hpp"

namespace {

constexpr int kEntries = 1000;

std::string entry_path(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "datasets/events/date=2024-01-%02d/part-%05d.parquet", i % 28 + 1, i);
  return buf;
}

// A page in the exact shape lakeFS 1.84 sends (keys sorted, user metadata present).
std::string synthetic_page() {
  std::string out = R"({"pagination":{"has_more":true,"max_per_page":1000,"next_offset":")" + entry_path(kEntries - 1) +
                    R"(","results":1000},"results":[)";
  for (int i = 0; i < kEntries; ++i) {
    if (i > 0) out += ',';
    out += R"({"checksum":"d41d8cd98f00b204e9800998ecf8427e","content_type":"application/octet-stream",)"
           R"("metadata":{"Owner":"etl","Run":")" +
           std::to_string(i) + R"("},"mtime":1717000000,"path":")" + entry_path(i) +
           R"(","path_type":"object","physical_address":"local:///var/lib/lakefs/block/repo/data/gabc/)" +
           std::to_string(1000000 + i) + R"(","size_bytes":)" + std::to_string(4096 + i) + "}";
  }
  return out + "]}";
}

std::string captured_page(std::string& source) {
  const char* endpoint = std::getenv("LAKEFS_ENDPOINT");
  if (endpoint == nullptr || *endpoint == '\0') {
    source = "synthetic (no LAKEFS_ENDPOINT)";
    return synthetic_page();
  }
  lakefs::Client client;
  auto& api = client.api();
  const std::string repo =
      "bench-decode-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  (void)api.repositories.create_repository({.body = {.name = repo, .storage_namespace = "local://" + repo}});
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&] {
      for (int i = next++; i < kEntries; i = next++) {
        const std::string content = "object " + std::to_string(i);
        std::size_t offset = 0;
        (void)api.objects.upload_object(
            {.repository = repo,
             .branch = "main",
             .body_source =
                 [&](char* buf, std::size_t size) {
                   const std::size_t n = std::min(size, content.size() - offset);
                   content.copy(buf, n, offset);
                   offset += n;
                   return n;
                 },
             .body_length = content.size(),
             .path = entry_path(i),
             .extra_headers = {{"X-Lakefs-Meta-Owner", "etl"}, {"X-Lakefs-Meta-Run", std::to_string(i)}}});
      }
    });
  }
  for (auto& t : workers) t.join();
  lakefs::http::Request request;
  request.path = "/repositories/" + repo + "/refs/main/objects/ls";
  request.query = "user_metadata=true&amount=1000";
  const auto response = client.send(request);
  api.repositories.delete_repository({.repository = repo});
  source = "captured from lakeFS at " + client.options().endpoint;
  return response.body;
}

std::string g_page;

void BM_DecodeListObjectsPage(benchmark::State& state) {
  std::size_t entries = 0;
  for (auto _ : state) {
    lakefs::api::ObjectStatsList page;
    lakefs::api::from_json(g_page, page);
    entries = page.results.size();
    benchmark::DoNotOptimize(page);
  }
  if (entries != kEntries) state.SkipWithError("page does not hold 1000 entries");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * g_page.size()));
  state.counters["entries"] = static_cast<double>(entries);
  state.counters["page_bytes"] = static_cast<double>(g_page.size());
}
BENCHMARK(BM_DecodeListObjectsPage)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace

int main(int argc, char** argv) {
  std::string source;
  g_page = captured_page(source);
  std::fprintf(stderr, "listObjects page: %zu bytes, %s\n", g_page.size(), source.c_str());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
