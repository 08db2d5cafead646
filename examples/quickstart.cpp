// SPDX-License-Identifier: Apache-2.0
// The quickstart, step for step as in the Python SDK's Quick Example:
// create a repository, create a branch, upload, commit, print the commit id;
// then list, diff, merge back, tag and show the log.
//
// The client finds the server and credentials in the environment
// (LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID, LAKEFS_SECRET_ACCESS_KEY) or in
// ~/.lakectl.yaml. The repository's name and storage namespace, and its
// removal at the end, come from support/example_env.hpp (example scaffolding).
#include <iostream>
#include <lakefs/lakefs.hpp>

#include "support/example_env.hpp"

int main() try {
  lakefs::Client client;  // explicit options > environment > ~/.lakectl.yaml
  std::cout << "lakeFS " << client.server_version() << " at " << client.options().endpoint << "\n";

  // Create a repository (a name of this run's own, so the example can run again and again).
  const example::ScratchRepository scratch(client, "quickstart");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  std::cout << "Created " << repo.properties() << "\n";

  // Create a branch and upload data.
  auto branch = repo.branch("feature-branch").create("main");
  branch.object("data/file.txt").upload("Hello, lakeFS!");

  // Commit changes.
  const auto commit = branch.commit("Add new data file", {.metadata = {{"source", "quickstart"}}});
  std::cout << "Committed: " << commit.id << "\n";

  // List what the branch holds.
  std::cout << "Objects on feature-branch:\n";
  for (const auto& entry : branch.objects()) {
    std::cout << "  " << entry.path() << " (" << entry.object().size_bytes << " bytes)\n";
  }

  // What changed compared to main?
  auto main = repo.branch("main");
  std::cout << "Diff main..feature-branch:\n";
  for (const auto& change : main.diff(branch)) std::cout << "  " << change << "\n";

  // Merge back, tag the result, show the log.
  const auto merged = branch.merge_into(main, {.message = "Merge feature-branch"});
  std::cout << "Merged into main at " << merged << "\n";
  auto tag = repo.tag("v1.0").create(merged);
  std::cout << "Tagged " << tag.id() << " -> " << tag.get_commit().id << "\n";
  std::cout << "Log of main:\n";
  for (const auto& c : main.log({.max_amount = 5})) std::cout << "  " << c.id.substr(0, 12) << " " << c.message << "\n";

  std::cout << "Content read back from the tag: " << tag.object("data/file.txt").read_all() << "\n";
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
