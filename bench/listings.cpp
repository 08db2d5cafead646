// SPDX-License-Identifier: Apache-2.0
// lakefs-cpp's listings, timed: the contender of bench/scenarios/25-listings.sh
// against bench/list_floor.cpp (bare libcurl, the same pages), the Python SDK
// (bench/python/listings.py) and lakectl.
//
//   listings objects REPO REF [PAGE_SIZE]         every entry of Reference::objects()
//   listings log     REPO REF [PAGE_SIZE]         every commit of Reference::log()
//   listings diff    REPO LEFT RIGHT [PAGE_SIZE]  every change of Reference::diff()
//   listings import  REPO BRANCH URI PREFIX       setup: imports URI under PREFIX (one commit)
//   listings commits REPO BRANCH N                setup: N commits, one small object each
//
// Configured from LAKEFS_* in the environment. Each listing prints one JSON
// line, {"seconds": ..., "items": N}, timed from creating the listing to the
// end of its iteration (each item is touched: its path or id is measured).
#include <chrono>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::size_t page_size(const std::vector<std::string>& args, std::size_t at) {
  return args.size() > at ? std::stoul(args[at]) : 1000;
}

void report(Clock::time_point start, std::size_t items, std::size_t bytes) {
  const double seconds = seconds_since(start);
  std::cout << "{\"seconds\": " << seconds << ", \"items\": " << items << ", \"bytes\": " << bytes << "}\n";
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 4) {
    std::cerr << "usage: listings objects|log REPO REF [PAGE_SIZE] | diff REPO LEFT RIGHT [PAGE_SIZE] | "
                 "import REPO BRANCH URI PREFIX | commits REPO BRANCH N\n";
    return 2;
  }
  const std::string mode = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  lakefs::Client client;
  auto repo = client.repository(args[0]);
  std::size_t items = 0, bytes = 0;

  if (mode == "objects") {
    const auto start = Clock::now();
    for (const auto& entry : repo.ref(args[1]).objects({.page_size = page_size(args, 2)})) {
      ++items;
      bytes += entry.path().size();
    }
    report(start, items, bytes);
  } else if (mode == "log") {
    const auto start = Clock::now();
    for (const auto& commit : repo.ref(args[1]).log({.page_size = page_size(args, 2)})) {
      ++items;
      bytes += commit.id.size();
    }
    report(start, items, bytes);
  } else if (mode == "diff" && args.size() >= 3) {
    const auto start = Clock::now();
    for (const auto& change : repo.ref(args[1]).diff(args[2], {.page_size = page_size(args, 3)})) {
      ++items;
      bytes += change.path.size();
    }
    report(start, items, bytes);
  } else if (mode == "import" && args.size() == 4) {
    const auto start = Clock::now();
    auto manager = repo.branch(args[1]).import_data({.commit_message = "listing data"});
    manager.prefix(args[2], args[3]);
    const auto status = manager.run();
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"items\": " << status.ingested_objects << "}\n";
  } else if (mode == "commits" && args.size() == 3) {
    auto branch = repo.branch(args[1]);
    const std::size_t n = std::stoul(args[2]);
    const auto start = Clock::now();
    // Content unique to this run, so a second run on the same branch changes something too.
    const auto run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    for (std::size_t i = 0; i < n; ++i) {
      branch.object("log/" + std::to_string(i % 100)).upload(run + " " + std::to_string(i));
      (void)branch.commit("commit " + std::to_string(i));
    }
    std::cout << "{\"seconds\": " << seconds_since(start) << ", \"items\": " << n << "}\n";
  } else {
    std::cerr << "listings: unknown mode or wrong arguments: " << mode << "\n";
    return 2;
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "listings: " << e.what() << "\n";
  return 1;
}
