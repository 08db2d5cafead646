// SPDX-License-Identifier: Apache-2.0
// Large-object transfer driver for the "s3" server topology (lakeFS over a real
// S3 server, data moving through pre-signed URLs), run by
// bench/scenarios/40-s3-transfers.sh under /usr/bin/time next to curl, lakectl
// and the Python SDK. Default options everywhere: whatever transfer strategy
// the SDK picks on its own (pre-signed URLs, parts, parallel ranges) is what
// gets measured.
//
//   transfer_s3 upload-file   REPO BRANCH PATH FILE   WriteableObject::upload_file(FILE)
//   transfer_s3 upload-stream REPO BRANCH PATH FILE   ObjectWriter, FILE's bytes written in 1 MiB pieces
//   transfer_s3 download      REPO REF PATH FILE      StoredObject::download(FILE)
//
// For the sweep that chose the defaults (docs/bench/NOTES.md), a sixth argument
// CONCURRENCY:PART_MIB sets DownloadOptions / UploadOptions concurrency and
// part size (and a threshold of one part), or "single" for one request.
//
// Configured from LAKEFS_* in the environment. Prints nothing but errors (the
// scenario times the process).
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <lakefs/lakefs.hpp>
#include <string>
#include <vector>

namespace {

int usage() {
  std::cerr << "usage: transfer_s3 upload-file|upload-stream|download REPO REF PATH FILE [CONCURRENCY:PART_MIB|single]\n";
  return 2;
}

// Reads FILE in 1 MiB pieces and writes each to the object's writer, as a
// producer of unknown length would: the writer never learns the size.
void upload_stream(const lakefs::WriteableObject& object, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + file);
  auto out = object.writer();
  std::vector<char> piece(std::size_t{1} << 20);
  while (in.read(piece.data(), static_cast<std::streamsize>(piece.size())) || in.gcount() > 0) {
    out.write(piece.data(), in.gcount());
  }
  if (in.bad()) throw std::runtime_error("read error on " + file);
  (void)out.close();
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 6 && argc != 7) return usage();
  const std::string mode = argv[1];
  lakefs::DownloadOptions download_options;
  lakefs::UploadOptions upload_options;
  if (argc == 7) {
    const std::string tuning = argv[6];
    if (tuning == "single") {
      download_options.parallel_threshold = UINT64_MAX;
      upload_options.multipart_threshold = UINT64_MAX;
    } else {
      const auto colon = tuning.find(':');
      if (colon == std::string::npos) return usage();
      const std::size_t concurrency = std::stoul(tuning.substr(0, colon));
      const std::size_t part = std::stoul(tuning.substr(colon + 1)) << 20;
      download_options = {.parallel_threshold = part, .part_size = part, .concurrency = concurrency};
      upload_options.multipart_threshold = part;
      upload_options.part_size = part;
      upload_options.concurrency = concurrency;
    }
  }
  lakefs::Client client;
  auto repo = client.repository(argv[2]);
  if (mode == "upload-file") {
    repo.branch(argv[3]).object(argv[4]).upload_file(argv[5], upload_options);
  } else if (mode == "upload-stream") {
    upload_stream(repo.branch(argv[3]).object(argv[4]), argv[5]);
  } else if (mode == "download") {
    repo.ref(argv[3]).object(argv[4]).download(argv[5], download_options);
  } else {
    return usage();
  }
  return 0;
} catch (const std::exception& e) {
  std::cerr << "transfer_s3: " << e.what() << "\n";
  return 1;
}
