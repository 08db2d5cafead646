// SPDX-License-Identifier: Apache-2.0
// Example scaffolding, not SDK API: what lets every example in examples/ run
// again and again, against any server, without repeating it in each of them.
// A program of your own needs none of this.
//
// The server and credentials need nothing here: lakefs::Client's default
// constructor reads them (LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY_ID and
// LAKEFS_SECRET_ACCESS_KEY, else lakectl's LAKECTL_* variables, else
// ~/.lakectl.yaml). What this header adds is a scratch repository:
//
//   - a name of the run's own, "<prefix>-<milliseconds since the epoch>";
//   - a storage namespace for it, $LAKEFS_EXAMPLE_NAMESPACE/<name> when that
//     is set (e.g. s3://my-bucket/lakefs-examples), else local://<name> (right
//     for a local quickstart server);
//   - its removal when the example ends, normally or by an exception, unless
//     LAKEFS_EXAMPLE_KEEP is set.
//
// The example still creates the repository itself, as a user would:
//
//   example::ScratchRepository scratch(client, "quickstart");
//   auto repo = client.repository(scratch.name()).create({.storage_namespace = scratch.storage_namespace()});
#pragma once

#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>
#include <utility>

namespace example {

/// Where a scratch repository keeps its data.
enum class Storage {
  from_environment,  ///< $LAKEFS_EXAMPLE_NAMESPACE/<name>, else local://<name>
  local,             ///< local://<name> always (an import of local files needs the local block store)
};

/// The name and storage namespace of a repository of the example's own, and the guard that removes that
/// repository when the example ends (unless LAKEFS_EXAMPLE_KEEP is set). Creating one sends nothing.
class ScratchRepository {
 public:
  ScratchRepository(lakefs::Client client, const std::string& prefix, Storage storage = Storage::from_environment)
      : client_(std::move(client)) {
    const auto stamp = std::chrono::system_clock::now().time_since_epoch() / std::chrono::milliseconds(1);
    name_ = prefix + "-" + std::to_string(stamp);
    const char* base = storage == Storage::from_environment ? std::getenv("LAKEFS_EXAMPLE_NAMESPACE") : nullptr;
    storage_namespace_ = base != nullptr ? std::string(base) + "/" + name_ : "local://" + name_;
  }
  ScratchRepository(const ScratchRepository&) = delete;
  ScratchRepository& operator=(const ScratchRepository&) = delete;

  /// Removes the repository, if the example created it.
  ~ScratchRepository() {
    if (std::getenv("LAKEFS_EXAMPLE_KEEP") != nullptr) {
      std::cout << "Kept repository " << name_ << " (LAKEFS_EXAMPLE_KEEP is set)\n";
      return;
    }
    try {
      client_.repository(name_).remove();
      std::cout << "Removed repository " << name_ << " (set LAKEFS_EXAMPLE_KEEP=1 to keep it)\n";
    } catch (const lakefs::NotFoundError&) {
      // The example stopped before it created the repository: nothing to remove.
    } catch (const std::exception& e) {
      std::cerr << "could not remove repository " << name_ << ": " << e.what() << "\n";
    }
  }

  /// The repository's name: "<prefix>-<milliseconds since the epoch>".
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Its storage namespace.
  [[nodiscard]] const std::string& storage_namespace() const noexcept { return storage_namespace_; }

 private:
  lakefs::Client client_;
  std::string name_;
  std::string storage_namespace_;
};

}  // namespace example
