// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: every generated model's JSON decoder, with an
// encode/decode round-trip check (model_round_trip.hpp). Input: one byte
// choosing the model (modulo the model count), then the JSON text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model_round_trip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& model = lakefs::fuzz::kModels[data[0] % lakefs::fuzz::kModelCount];
  model.round_trip(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), model.name);
  return 0;
}
