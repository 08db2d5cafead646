// SPDX-License-Identifier: Apache-2.0
// A batch without coroutines: every call of the batch is started at once with lakefs::async::spawn, each a
// std::future, and the results are collected afterwards; a failed call's exception comes out of its get().
//
// The client finds the server and credentials in the environment or in ~/.lakectl.yaml, as in quickstart.cpp.
#include <future>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>
#include <vector>

#include "support/example_env.hpp"

int main() try {
  const lakefs::Client client;
  const example::ScratchRepository scratch(client, "async-futures");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  auto main_branch = repo.branch("main");
  for (int i = 0; i < 20; ++i)
    main_branch.object("batch/" + std::to_string(i) + ".csv").upload("id\n" + std::to_string(i) + "\n");

  // Started now, all of them: twenty objects that exist and one that does not.
  std::vector<std::pair<std::string, std::future<lakefs::api::ObjectStats>>> pending;
  for (int i = 0; i <= 20; ++i) {
    std::string path = "batch/" + std::to_string(i) + ".csv";
    lakefs::api::StatObjectRequest request{.repository = repo.id(), .ref = "main", .path = path};
    pending.emplace_back(path, lakefs::async::spawn(client.api().objects.stat_object_async(std::move(request))));
  }

  int found = 0;
  int missing = 0;
  for (auto& [path, future] : pending) {
    try {
      const lakefs::api::ObjectStats stats = future.get();
      std::cout << path << ": " << stats.size_bytes.value_or(0) << " bytes, checksum " << stats.checksum << "\n";
      ++found;
    } catch (const lakefs::NotFoundError&) {
      std::cout << path << ": not found\n";
      ++missing;
    }
  }
  std::cout << found << " found, " << missing << " missing\n";
  return found == 20 && missing == 1 ? 0 : 1;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
