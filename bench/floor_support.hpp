// SPDX-License-Identifier: Apache-2.0
// What the bare-libcurl floor programs share (bench/list_floor.cpp,
// bench/get_floor.cpp): the environment they are configured from and the
// SDK's percent-encoding, so that they send exactly the SDK's request bytes.
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

namespace bench {

/// The value of environment variable `name`; std::runtime_error when unset or empty.
inline std::string env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

/// Percent-encodes everything outside RFC 3986's unreserved set, as the SDK does.
inline std::string encode(std::string_view text) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

}  // namespace bench
