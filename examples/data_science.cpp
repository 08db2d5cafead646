// SPDX-License-Identifier: Apache-2.0
// The shape of lakeFS's data-science tutorial, in C++: write a CSV through an
// ObjectWriter (streamed to the server while it is produced), read it back
// line by line through an ObjectReader, compute an aggregate, commit.
//
// The client finds the server and credentials in the environment or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp
// (example scaffolding, as in every example).
#include <iomanip>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <map>
#include <sstream>
#include <string>

#include "support/example_env.hpp"

int main() try {
  lakefs::Client client;
  const example::ScratchRepository scratch(client, "data-science");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  auto branch = repo.branch("experiment").create("main");

  // 1. Produce a dataset straight into the repository: rows leave for the
  //    server as the writer's buffers fill; nothing is spooled to disk.
  auto out = branch.object("sales/2024.csv").writer({.content_type = "text/csv", .metadata = {{"source", "example"}}});
  out << "region,month,units,price\n";
  const char* regions[] = {"north", "south", "east", "west"};
  for (int month = 1; month <= 12; ++month) {
    for (int r = 0; r < 4; ++r) {
      const int units = 100 + ((month * 37 + r * 11) % 50);
      out << regions[r] << ',' << month << ',' << units << ',' << 9.5 + r << '\n';
    }
  }
  const lakefs::ObjectInfo written = out.close();  // throws if the object could not be stored
  std::cout << "wrote " << written.path << " (" << written.size_bytes << " bytes, " << written.content_type << ")\n";

  // 2. Read it back line by line and aggregate revenue per region.
  auto in = branch.object("sales/2024.csv").reader();
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, double> revenue;
  while (std::getline(in, line)) {
    std::istringstream row(line);
    std::string region, month, units, price;
    std::getline(row, region, ',');
    std::getline(row, month, ',');
    std::getline(row, units, ',');
    std::getline(row, price, ',');
    revenue[region] += std::stod(units) * std::stod(price);
  }
  auto summary = branch.object("sales/2024-revenue.csv").writer({.content_type = "text/csv"});
  summary << "region,revenue\n" << std::fixed << std::setprecision(2);
  for (const auto& [region, total] : revenue) {
    std::cout << "  " << region << ": " << std::fixed << std::setprecision(2) << total << "\n";
    summary << region << ',' << total << '\n';
  }
  std::cout << "wrote " << summary.close().path << "\n";

  // 3. Commit the dataset and its aggregate together.
  const auto commit =
      branch.commit("Sales 2024 with revenue per region", {.metadata = {{"notebook", "data_science.cpp"}}});
  std::cout << "committed " << commit.id << "\n";
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "lakeFS error: " << e.what() << "\n";
  return 1;
}
