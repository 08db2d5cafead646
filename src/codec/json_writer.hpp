// SPDX-License-Identifier: Apache-2.0
// A small JSON writer that appends to a std::string. Used by the generated
// models to encode request bodies. Strings are escaped per RFC 8259: quote,
// backslash and every control character; other bytes (UTF-8) pass through.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace lakefs::detail {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_ += '{';
    first_ = true;
  }
  void end_object() {
    out_ += '}';
    first_ = false;
  }
  void begin_array() {
    separate();
    out_ += '[';
    first_ = true;
  }
  void end_array() {
    out_ += ']';
    first_ = false;
  }

  /// Writes `"name":`; the next value call writes the value.
  void key(std::string_view name) {
    separate();
    write_string(name);
    out_ += ':';
    first_ = true;  // the value that follows needs no comma
  }

  void value(std::string_view s) {
    separate();
    write_string(s);
  }
  void value(const char* s) { value(std::string_view(s)); }
  void value(bool b) {
    separate();
    out_ += b ? "true" : "false";
  }
  void null() {
    separate();
    out_ += "null";
  }

  template <typename T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) void value(T number) {
    separate();
    if constexpr (std::is_floating_point_v<T>) {
      // JSON has no NaN or infinity; null is what JSON.stringify and Go's encoders agree on.
      if (!std::isfinite(number)) {
        out_ += "null";
        return;
      }
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
    (void)ec;  // 64 bytes hold any integer or shortest-round-trip double
    out_.append(buf, end);
  }

  /// Appends already-encoded JSON text verbatim (e.g. a free-form value).
  void raw(std::string_view json) {
    separate();
    out_ += json;
  }

 private:
  void separate() {
    if (!first_) out_ += ',';
    first_ = false;
  }

  void write_string(std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out_ += '"';
    std::size_t run = 0;  // start of the current run of bytes needing no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out_.append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        default:
          out_ += "\\u00";
          out_ += hex[c >> 4];
          out_ += hex[c & 0xF];
      }
    }
    out_.append(s.data() + run, s.size() - run);
    out_ += '"';
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace lakefs::detail
