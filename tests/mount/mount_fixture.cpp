// SPDX-License-Identifier: Apache-2.0
// The lakeFS side of the mount tests (tests/mount/run.py), done with the SDK:
//   mount_fixture populate REPO            a repository with a tree of objects, committed on main and tagged v1;
//                                          prints the number of objects
//   mount_fixture big REPO PATH MIB TAIL   a MIB-MiB object on main (zeros, then a 64 KiB random tail, also written
//                                          to the local file TAIL), committed
//   mount_fixture change REPO PATH TEXT    writes PATH on main and commits; prints the new commit id
//   mount_fixture download REPO REF PATH FILE   the SDK's download of an object (what the mount must match)
// The server comes from the environment (LAKEFS_ENDPOINT, ...); LAKEFS_TEST_NAMESPACE_ROOT names the storage root.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "lakefs/lakefs.hpp"

namespace {

std::string bytes(std::mt19937_64& rng, std::size_t n) {
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

int populate(const std::string& repo_id) {
  const char* root = std::getenv("LAKEFS_TEST_NAMESPACE_ROOT");
  auto repo = lakefs::Client().repository(repo_id);
  repo.create({.storage_namespace = std::string(root ? root : "local://") + repo_id});
  auto main_branch = repo.branch("main");
  std::mt19937_64 rng(42);
  std::size_t count = 0;
  const auto put = [&](const std::string& path, const std::string& data) {
    main_branch.object(path).upload(data);
    ++count;
  };
  // 5 x 4 x 8 small files in nested directories, of varied sizes (some empty).
  for (int d = 0; d < 5; ++d)
    for (int s = 0; s < 4; ++s)
      for (int f = 0; f < 8; ++f)
        put("dir" + std::to_string(d) + "/sub" + std::to_string(s) + "/file" + std::to_string(f) + ".bin",
            bytes(rng, static_cast<std::size_t>((d * 37 + s * 11 + f * 5) % 9) * 1531));
  put("tables/people.csv", "name,age,city\nAda,36,London\nGrace,45,Arlington\nLinus,28,Helsinki\n");
  put("docs/read me.txt", "a name with a space\n");
  put("empty", "");
  // Several blocks, not a whole number of them.
  put("big/three.bin", bytes(rng, (3u << 20) + 12345));
  // Sixteen files of 1 MiB + a bit for the concurrent readers.
  for (int i = 0; i < 16; ++i) put("parallel/p" + std::to_string(i) + ".bin", bytes(rng, (1u << 20) + 777u * i));
  const auto commit = main_branch.commit("mount fixture");
  repo.tag("v1").create(commit.id);
  std::cout << count << "\n";
  return 0;
}

int big(const std::string& repo_id, const std::string& path, std::uint64_t mib, const std::string& tail_file) {
  auto branch = lakefs::Client().repository(repo_id).branch("main");
  const std::uint64_t size = mib << 20;
  const std::uint64_t tail = 64u << 10;
  auto temp = std::filesystem::temp_directory_path() / ("mount-fixture-big-" + std::to_string(::getpid()));
  {
    std::ofstream out(temp, std::ios::binary);
    out.seekp(static_cast<std::streamoff>(size - tail));
    std::mt19937_64 rng(7);
    const auto data = bytes(rng, tail);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::ofstream(tail_file, std::ios::binary).write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  branch.object(path).upload_file(temp);
  std::filesystem::remove(temp);
  std::cout << branch.commit("big object").id << "\n";
  return 0;
}

int change(const std::string& repo_id, const std::string& path, const std::string& text) {
  auto branch = lakefs::Client().repository(repo_id).branch("main");
  branch.object(path).upload(text);
  std::cout << branch.commit("change " + path).id << "\n";
  return 0;
}

int download(const std::string& repo_id, const std::string& ref, const std::string& path, const std::string& file) {
  lakefs::Client().repository(repo_id).ref(ref).object(path).download(file);
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "populate" && argc == 3) return populate(argv[2]);
  if (cmd == "big" && argc == 6) return big(argv[2], argv[3], std::stoull(argv[4]), argv[5]);
  if (cmd == "change" && argc == 5) return change(argv[2], argv[3], argv[4]);
  if (cmd == "download" && argc == 6) return download(argv[2], argv[3], argv[4], argv[5]);
  std::cerr << "usage: mount_fixture populate REPO | big REPO PATH MIB TAIL | change REPO PATH TEXT | "
               "download REPO REF PATH FILE\n";
  return 2;
} catch (const std::exception& e) {
  std::cerr << "mount_fixture: " << e.what() << "\n";
  return 1;
}
