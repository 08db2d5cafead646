// SPDX-License-Identifier: Apache-2.0
// Ten thousand objects from one thread: uploaded and then stat'ed with lakefs::async::for_each, which keeps a
// bounded number of requests in flight on the client's asynchronous engine and takes the next path only when one
// ends (so the list of paths is the only thing that grows with the count).
//
// The client finds the server and credentials in the environment or in ~/.lakectl.yaml, as in quickstart.cpp.
// ASYNC_EXAMPLE_OBJECTS sets how many objects (default 10000).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <memory>
#include <string>
#include <vector>

#include "support/example_env.hpp"

namespace {

using lakefs::async::Task;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One object's upload through the generated API's twin: the body comes from `data`, which the task owns.
Task<void> upload(const lakefs::Client& client, std::string repository, std::string path) {
  auto data = std::make_shared<std::string>("row of " + path + "\n");
  lakefs::api::UploadObjectRequest request;
  request.repository = std::move(repository);
  request.branch = "main";
  request.path = std::move(path);
  request.body_length = data->size();
  request.body_source = [data, offset = std::size_t{0}](char* buf, std::size_t size) mutable {
    const std::size_t n = std::min(size, data->size() - offset);
    std::memcpy(buf, data->data() + offset, n);
    offset += n;
    return n;
  };
  (void)co_await client.api().objects.upload_object_async(std::move(request));
}

}  // namespace

int main() try {
  const char* count_text = std::getenv("ASYNC_EXAMPLE_OBJECTS");
  const int count = count_text != nullptr ? std::atoi(count_text) : 10'000;
  const lakefs::Client client;
  const example::ScratchRepository scratch(client, "async-stat-many");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});

  std::vector<std::string> paths;
  paths.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) paths.push_back("many/part-" + std::to_string(i) + ".txt");

  auto started = std::chrono::steady_clock::now();
  auto upload_one = [&](std::string path) { return upload(client, repo.id(), std::move(path)); };
  lakefs::async::sync_wait(lakefs::async::for_each(paths, upload_one, {.concurrency = 64}));
  std::cout << "uploaded " << count << " objects in " << seconds_since(started) << " s\n";

  std::atomic<std::uint64_t> bytes{0};
  auto stat_one = [&](std::string path) -> Task<void> {
    lakefs::api::StatObjectRequest request{.repository = repo.id(), .ref = "main", .path = std::move(path)};
    const lakefs::api::ObjectStats stats = co_await client.api().objects.stat_object_async(std::move(request));
    bytes += static_cast<std::uint64_t>(stats.size_bytes.value_or(0));
  };
  started = std::chrono::steady_clock::now();
  lakefs::async::sync_wait(lakefs::async::for_each(paths, stat_one, {.concurrency = 256}));
  const double took = seconds_since(started);
  std::cout << "stat'ed " << count << " objects (" << bytes << " bytes in all) in " << took << " s, "
            << static_cast<int>(count / took) << " a second, from one engine thread\n";
  return bytes > 0 ? 0 : 1;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
