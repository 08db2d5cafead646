// SPDX-License-Identifier: Apache-2.0
// ML experiment tracking with lakeFS: one branch per experiment, each holding
// the model artefact and its metrics in a commit (hyper-parameters and scores
// in the commit metadata); the best experiment is tagged and merged into main.
// Every experiment stays reproducible: its branch, commit and tag pin the
// exact data and model.
//
// The "model" is a tiny linear regression trained with gradient descent on a
// dataset stored in the repository, so the example needs nothing but lakeFS.
//
// The client finds the server and credentials in the environment or in
// ~/.lakectl.yaml; the scratch repository comes from support/example_env.hpp
// (example scaffolding, as in every example).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/example_env.hpp"

namespace {

struct Point {
  double x, y;
};

struct Experiment {
  std::string name;
  double learning_rate;
  int epochs;
};

struct Model {
  double slope = 0, intercept = 0, mse = 0;
};

// The dataset: y = 3x + 2 plus a deterministic wiggle, as CSV.
std::string make_dataset() {
  std::ostringstream csv;
  csv << "x,y\n";
  for (int i = 0; i < 200; ++i) {
    const double x = i / 100.0;
    csv << x << "," << 3 * x + 2 + 0.1 * std::sin(i * 1.7) << "\n";
  }
  return csv.str();
}

std::vector<Point> load(const lakefs::StoredObject& object) {
  auto in = object.reader();
  std::vector<Point> points;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    points.push_back({std::stod(line.substr(0, comma)), std::stod(line.substr(comma + 1))});
  }
  return points;
}

Model train(const std::vector<Point>& data, const Experiment& e) {
  Model m;
  const double n = static_cast<double>(data.size());
  for (int epoch = 0; epoch < e.epochs; ++epoch) {
    double ds = 0, di = 0;
    for (const auto& p : data) {
      const double err = m.slope * p.x + m.intercept - p.y;
      ds += 2 * err * p.x / n;
      di += 2 * err / n;
    }
    m.slope -= e.learning_rate * ds;
    m.intercept -= e.learning_rate * di;
  }
  for (const auto& p : data) m.mse += std::pow(m.slope * p.x + m.intercept - p.y, 2) / n;
  return m;
}

std::string fmt(double v) {
  std::ostringstream s;
  s << std::setprecision(6) << v;
  return s.str();
}

}  // namespace

int main() try {
  lakefs::Client client;
  const example::ScratchRepository scratch(client, "ml");
  auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
  std::cout << "Created repository " << repo.id() << "\n";

  auto main = repo.branch("main");
  main.object("datasets/line/train.csv").upload(make_dataset(), {.content_type = "text/csv"});
  const auto dataset_commit = main.commit("Add training data", {.metadata = {{"rows", "200"}}});
  std::cout << "Dataset committed at " << dataset_commit.id.substr(0, 12) << "\n\n";

  const std::vector<Experiment> experiments = {
      {"exp-lr-001-e200", 0.01, 200},
      {"exp-lr-010-e200", 0.10, 200},
      {"exp-lr-030-e500", 0.30, 500},
  };

  struct Result {
    Experiment experiment;
    Model model;
    lakefs::Commit commit;
  };
  std::vector<Result> results;
  for (const auto& e : experiments) {
    // A branch per experiment, from the dataset commit: every run sees the same data.
    auto branch = repo.branch(e.name).create(dataset_commit.id);
    const auto model = train(load(branch.object("datasets/line/train.csv")), e);

    auto artefact = branch.object("models/line/model.json").writer({.content_type = "application/json"});
    artefact << R"({"type": "linear", "slope": )" << fmt(model.slope) << R"(, "intercept": )" << fmt(model.intercept)
             << "}\n";
    artefact.close();  // the model exists from here on
    branch.object("models/line/metrics.json")
        .upload(R"({"mse": )" + fmt(model.mse) + "}\n", {.content_type = "application/json"});
    const auto commit = branch.commit("Train " + e.name, {.metadata = {{"learning_rate", fmt(e.learning_rate)},
                                                                       {"epochs", std::to_string(e.epochs)},
                                                                       {"mse", fmt(model.mse)}}});
    results.push_back({e, model, commit});
  }

  std::cout << std::left << std::setw(18) << "experiment" << std::setw(8) << "lr" << std::setw(8) << "epochs"
            << std::setw(14) << "mse"
            << "commit\n";
  const Result* best = &results.front();
  for (const auto& r : results) {
    // Read the metrics back from the experiment's commit, as a later comparison would.
    const auto metadata = repo.ref(r.commit.id).get_commit().metadata;
    std::cout << std::setw(18) << r.experiment.name << std::setw(8) << metadata.at("learning_rate") << std::setw(8)
              << metadata.at("epochs") << std::setw(14) << metadata.at("mse") << r.commit.id.substr(0, 12) << "\n";
    if (r.model.mse < best->model.mse) best = &r;
  }

  // Tag the best experiment and promote it to main.
  auto tag = repo.tag("best-model").create(best->commit.id);
  std::cout << "\nBest: " << best->experiment.name << " (mse " << fmt(best->model.mse) << "), tagged " << tag.id()
            << "\n";
  const auto merged = repo.branch(best->experiment.name)
                          .merge_into(main, {.message = "Promote " + best->experiment.name,
                                             .metadata = {{"mse", fmt(best->model.mse)}}});
  std::cout << "Merged into main at " << merged.substr(0, 12) << "; main's model:\n  "
            << main.object("models/line/model.json").read_all();
  return 0;
} catch (const lakefs::Error& e) {
  std::cerr << "error: " << e.what() << "\n";
  return 1;
}
