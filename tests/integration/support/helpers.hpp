// Small helpers shared by integration tests.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <system_error>
#include <variant>

#include "lakefs/lakefs.hpp"
#include "support/server.hpp"

namespace lakefs::test {

/// Paths of every object at `ref` (no delimiter), sorted.
inline std::set<std::string> paths_at(const Reference& ref) {
  std::set<std::string> out;
  for (const auto& entry : ref.objects()) out.insert(std::get<ObjectInfo>(entry).path);
  return out;
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

}  // namespace lakefs::test
