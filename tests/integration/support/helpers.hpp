// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by integration tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "lakefs/api/api.hpp"
#include "lakefs/lakefs.hpp"
#include "support/server.hpp"

namespace lakefs::test {

/// Standard base64 (RFC 4648, padded): the form a key pair takes in a Basic Authorization header.
inline std::string base64(std::string_view in) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (const int shift : {18, 12, 6, 0}) out += table[(v >> shift) & 63];
  }
  if (const auto left = in.size() - i; left > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (left == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += left == 2 ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// Paths of every object at `ref` (no delimiter), sorted.
inline std::set<std::string> paths_at(const Reference& ref) {
  std::set<std::string> out;
  for (const auto& entry : ref.objects()) out.insert(entry.object().path);
  return out;
}

/// Every transaction branch (tx-...) in the repository, hidden ones included.
inline std::vector<std::string> tx_branches(const Repository& repo) {
  auto list = repo.client().api().branches.list_branches(
      {.repository = repo.id(), .prefix = "tx-", .amount = 1000, .show_hidden = true});
  std::vector<std::string> names;
  for (const auto& ref : list.results) names.push_back(ref.id);
  return names;
}

/// A scratch directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path = std::filesystem::temp_directory_path() / unique_name("dir");
  TempDir() { std::filesystem::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

/// The lines of the S3 server's access log that hold `marker` (a client's User-Agent suffix).
inline std::vector<std::string> access_log_lines(const std::string& log, const std::string& marker) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find(marker) != std::string::npos) lines.push_back(line);
  }
  return lines;
}

/// How many of `lines` hold every one of `needles`.
inline std::size_t count_with(const std::vector<std::string>& lines, std::initializer_list<const char*> needles) {
  std::size_t n = 0;
  for (const auto& line : lines) {
    bool all = true;
    for (const char* needle : needles) all = all && line.find(needle) != std::string::npos;
    n += all ? 1 : 0;
  }
  return n;
}

}  // namespace lakefs::test
