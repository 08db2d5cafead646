// SPDX-License-Identifier: Apache-2.0
// A data refresh behind a quality gate, with an explicit transaction:
// begin_transaction() gives the transaction itself, the new files are written
// and the stale one deleted in it, the result is checked there, and only then
// the program decides: commit() publishes everything on main in one merge
// commit, rollback() throws it all away. Readers of main never see a half-done
// refresh. The first refresh passes the check and is published; the second
// holds a broken row and is rolled back, leaving main exactly as it was.
//
// (Branch::transact() is the same with a callback: see etl_pipeline.cpp.
// begin_transaction() fits when the decision is made after the writes, in
// code that does not fit in one function, as here.)
//
// The client finds the server and credentials in the environment or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp
// (example scaffolding, as in every example).
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>
#include <vector>

#include "support/example_env.hpp"

namespace {

// The gate: every CSV under customers/ starts with the expected header and
// has an e-mail address on every row. Returns what is wrong (empty: publish).
std::vector<std::string> check_customers(const lakefs::Branch& branch) {
  std::vector<std::string> problems;
  for (const lakefs::ObjectEntry& entry : branch.objects({.prefix = "customers/"})) {
    auto in = branch.object(entry.path()).reader();
    std::string line;
    if (!std::getline(in, line) || line != "id,name,email") problems.push_back(entry.path() + ": wrong header");
    for (int row = 1; std::getline(in, line); ++row) {
      if (line.ends_with(",")) problems.push_back(entry.path() + ": row " + std::to_string(row) + " has no e-mail");
    }
  }
  return problems;
}

// One refresh: replaces the customer partitions and drops the legacy export,
// all in one transaction on `production`, published only if the gate passes.
void refresh(lakefs::Branch& production, const std::string& run, const std::string& part0, const std::string& part1) {
  std::cout << "\n" << run << ":\n";
  // The transaction: a hidden branch from production's head. The commit
  // message and metadata are those of the merge commit it will leave on main.
  // Should anything below throw, destroying `tx` rolls it back.
  auto tx = production.begin_transaction({.commit_message = run, .commit_metadata = {{"job", "customers-refresh"}}});
  std::cout << "  began transaction " << tx.id() << "\n";

  tx.object("customers/part-0.csv").upload(part0, {.content_type = "text/csv"});
  tx.object("customers/part-1.csv").upload(part1, {.content_type = "text/csv"});
  if (auto legacy = tx.object("customers/legacy-export.csv"); legacy.exists()) legacy.remove();
  for (const lakefs::Change& change : tx.uncommitted()) std::cout << "  " << change << "\n";

  // Nobody reading production sees any of it yet.
  std::cout << "  production still holds " << production.objects({.prefix = "customers/"}).to_vector().size()
            << " customer files\n";

  // The gate reads the data as the transaction sees it.
  const auto problems = check_customers(tx);
  if (problems.empty()) {
    const lakefs::Commit merge = tx.commit();  // commit, merge into production, remove the hidden branch
    std::cout << "  passed the check: published as " << merge.id.substr(0, 12) << " \"" << merge.message << "\"\n";
  } else {
    for (const auto& problem : problems) std::cout << "  check failed: " << problem << "\n";
    tx.rollback();  // remove the hidden branch: production never saw a thing
    std::cout << "  rolled back\n";
  }
}

}  // namespace

int main() try {
  lakefs::Client client;
  const example::ScratchRepository scratch(client, "quality-gate");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  auto production = repo.branch("main");

  // Yesterday's data: the partitions and an old export the refresh retires.
  production.object("customers/part-0.csv").upload("id,name,email\n1,Ada,ada@example.com\n");
  production.object("customers/part-1.csv").upload("id,name,email\n2,Bob,bob@example.com\n");
  production.object("customers/legacy-export.csv").upload("id;name\n1;Ada\n2;Bob\n");
  production.commit("Customers as of yesterday");

  refresh(production, "Refresh 1", "id,name,email\n1,Ada,ada@example.com\n3,Cyd,cyd@example.com\n",
          "id,name,email\n2,Bob,bob@example.org\n");
  const auto published = production.head().id();

  refresh(production, "Refresh 2", "id,name,email\n1,Ada,ada@example.com\n4,Dee,\n",  // Dee has no e-mail
          "id,name,email\n2,Bob,bob@example.org\n");

  std::cout << "\nproduction head is still refresh 1's: " << std::boolalpha << (production.head().id() == published)
            << "\ncustomers/part-0.csv on production:\n"
            << production.object("customers/part-0.csv").read_all();
  std::cout << "Log of production:\n";
  for (const auto& c : production.log({.max_amount = 3, .first_parent = true})) {
    std::cout << "  " << c.id.substr(0, 12) << " " << c.message << "\n";
  }
  return production.head().id() == published ? 0 : 1;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
