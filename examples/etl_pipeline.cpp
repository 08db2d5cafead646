// SPDX-License-Identifier: Apache-2.0
// An ETL step published atomically: read raw CSV objects, aggregate them,
// write the results, and publish everything in one transaction on the
// production branch, tagged per run. Then a second run fails midway and the
// production branch shows none of it.
//
// The client finds the server and credentials in the environment or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp
// (example scaffolding, as in every example).
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "support/example_env.hpp"

namespace {

// Raw input: one CSV per day, "user,amount".
const std::map<std::string, std::string> kRawDays = {
    {"raw/day=2024-05-01/orders.csv", "user,amount\nada,12\nbob,5\nada,3\n"},
    {"raw/day=2024-05-02/orders.csv", "user,amount\nbob,7\ncyd,20\n"},
    {"raw/day=2024-05-03/orders.csv", "user,amount\nada,1\ncyd,2\nbob,4\n"},
};

struct BadRecord : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads every raw CSV under raw/ as the transaction sees it and writes
// clean/<day>/totals.csv (per-user totals) plus clean/summary.csv, streaming
// each object in and out. `fail_on_day` simulates a bad input midway.
std::size_t transform(lakefs::Transaction& tx, const std::string& fail_on_day = "") {
  std::map<std::string, long> overall;
  std::size_t rows = 0;
  for (const auto& entry : tx.objects({.prefix = "raw/"})) {
    const std::string& raw = entry.path();
    const auto day = raw.substr(4, raw.find('/', 4) - 4);  // "day=2024-05-01"

    auto in = tx.object(raw).reader();
    std::map<std::string, long> totals;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      const auto comma = line.find(',');
      totals[line.substr(0, comma)] += std::stol(line.substr(comma + 1));
      ++rows;
    }

    auto out = tx.object("clean/" + day + "/totals.csv").writer({.content_type = "text/csv"});
    out << "user,total\n";
    for (const auto& [user, total] : totals) {
      out << user << "," << total << "\n";
      overall[user] += total;
    }
    const lakefs::ObjectInfo written = out.close();
    std::cout << "    wrote " << written.path << " (" << totals.size() << " users)\n";

    if (day == fail_on_day) throw BadRecord("unparseable record in " + raw);
  }
  std::ostringstream summary;
  summary << "user,total\n";
  for (const auto& [user, total] : overall) summary << user << "," << total << "\n";
  tx.object("clean/summary.csv").upload(summary.str(), {.content_type = "text/csv"});
  return rows;
}

// The commit a tag points at (its first 12 characters), or "none" when there is no such tag.
std::string tagged_commit(const lakefs::Repository& repo, const std::string& tag) {
  try {
    return repo.tag(tag).get_commit().id.substr(0, 12);
  } catch (const lakefs::NotFoundError&) {
    return "none";
  }
}

void show(const lakefs::Branch& production) {
  std::cout << "  production head " << production.head().id().substr(0, 12) << ", clean/ holds:";
  std::size_t n = 0;
  for (const auto& entry : production.objects({.prefix = "clean/"})) {
    std::cout << (n++ % 2 == 0 ? "\n    " : "  ") << entry.path();
  }
  std::cout << (n == 0 ? " nothing\n" : "\n");
}

}  // namespace

int main() try {
  lakefs::Client client;
  const example::ScratchRepository scratch(client, "etl");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  std::cout << "Created repository " << repo.id() << "\n";
  auto production = repo.branch("main");

  // The raw data lands on production first.
  for (const auto& [path, content] : kRawDays) production.object(path).upload(content, {.content_type = "text/csv"});
  production.commit("Land raw orders", {.metadata = {{"source", "orders-export"}}});
  show(production);

  // Run 1: transform and publish atomically, tagged.
  std::cout << "\nETL run 1 (in a transaction):\n";
  const auto run1 = production.transact(
      [](lakefs::Transaction& tx) {
        const auto rows = transform(tx);
        // The callback decides what the commit says once it knows the outcome.
        tx.commit_message() = "ETL run 1: " + std::to_string(rows) + " orders aggregated";
        tx.commit_metadata()["rows"] = std::to_string(rows);
      },
      {.commit_message = "ETL run 1", .commit_metadata = {{"pipeline", "orders-daily"}}, .tag = "etl-run-1"});
  std::cout << "  published as merge commit " << run1.id.substr(0, 12) << " \"" << run1.message << "\", tagged "
            << "etl-run-1 -> " << tagged_commit(repo, "etl-run-1") << "\n";
  show(production);
  std::cout << "  clean/summary.csv:\n" << production.object("clean/summary.csv").read_all();

  // New raw data arrives, and run 2 hits a bad record halfway through.
  production.object("raw/day=2024-05-04/orders.csv").upload("user,amount\nada,9\n");
  production.commit("Land raw orders for 2024-05-04");
  const auto head_before = production.head().id();
  std::cout << "\nETL run 2 (fails midway):\n";
  try {
    production.transact([](lakefs::Transaction& tx) { transform(tx, "day=2024-05-02"); },
                        {.commit_message = "ETL run 2", .tag = "etl-run-2"});
  } catch (const BadRecord& e) {
    std::cout << "  run 2 failed: " << e.what() << "\n";
  }
  std::cout << "  production head unchanged: " << std::boolalpha << (production.head().id() == head_before)
            << "; tag etl-run-2 -> " << tagged_commit(repo, "etl-run-2") << "\n";
  show(production);
  std::cout << "  clean/summary.csv is still run 1's:\n" << production.object("clean/summary.csv").read_all();

  std::cout << "\nLog of production:\n";
  for (const auto& c : production.log({.max_amount = 4, .first_parent = true})) {
    std::cout << "  " << c.id.substr(0, 12) << " " << c.message << "\n";
  }
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
