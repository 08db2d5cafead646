// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: detail::parse_lakectl_config (and its Go-duration reader) on arbitrary text. It must
// return or throw ConfigurationError; nothing else is caught, so any other
// exception (from yaml-cpp, say) escaping is reported as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/lakectl_config.hpp"
#include "lakefs/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The duration reader on its own: any text gives a value or nothing, never a negative wait.
  if (const auto duration = lakefs::detail::parse_go_duration(text); duration && duration->count() < 0) std::abort();
  try {
    const auto config = lakefs::detail::parse_lakectl_config(text, "fuzz.yaml");
    (void)config;
  } catch (const lakefs::ConfigurationError& e) {
    // Messages name the file, key and line and never carry the contents, so
    // they stay short and printable whatever the input.
    const std::string what = e.what();
    bool printable = true;
    for (const char c : what) printable = printable && c >= 0x20 && c < 0x7F;
    if (!printable || what.size() > 200 || !what.starts_with("fuzz.yaml: ")) {
      std::fprintf(stderr, "fuzz_lakectl_config: unexpected message: %s\n", what.c_str());
      std::abort();
    }
  }
  return 0;
}
