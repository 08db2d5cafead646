// SPDX-License-Identifier: Apache-2.0
// The check fuzz_models applies to one model type: whatever decodes must
// survive encode -> decode -> encode unchanged. A mismatch means the decoder
// accepts something the encoder cannot reproduce (or the reverse), which
// would silently change data a program reads from lakeFS and sends back.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lakefs/api/models.hpp"
#include "lakefs/errors.hpp"

namespace lakefs::fuzz {

struct ModelEntry {
  const char* name;
  void (*round_trip)(std::string_view json, const char* name);
};

// Defined in the generated generated_model_table.cpp.
extern const ModelEntry kModels[];
extern const std::size_t kModelCount;

[[noreturn]] inline void round_trip_failed(const char* model, const char* problem, const std::string& first,
                                           const std::string& second) {
  std::fprintf(stderr, "fuzz_models: %s: %s\n  first:  %s\n  second: %s\n", model, problem, first.c_str(),
               second.c_str());
  std::abort();
}

template <typename T>
void round_trip(std::string_view json, const char* name) {
  T decoded{};
  try {
    api::from_json(json, decoded);
  } catch (const ProtocolError&) {
    return;  // rejecting bad input is the decoder's job; any other exception is a finding
  }
  const std::string first = api::to_json(decoded);
  T again{};
  try {
    api::from_json(first, again);
  } catch (const ProtocolError& e) {
    round_trip_failed(name, "its own encoding does not decode", first, e.what());
  }
  const std::string second = api::to_json(again);
  if (first != second) round_trip_failed(name, "encodings differ", first, second);
  if (!(decoded == again)) round_trip_failed(name, "decoded values differ", first, second);
}

}  // namespace lakefs::fuzz
