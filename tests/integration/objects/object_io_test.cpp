// SPDX-License-Identifier: Apache-2.0
// Objects and streaming I/O against the real server: round trips through
// ObjectWriter/ObjectReader, seeks, getline, exclusive create, uploads from
// files and streams, metadata, copy, remove, download, pre-sign option.
#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "lakefs/lakefs.hpp"
#include "support/helpers.hpp"
#include "support/repo_fixture.hpp"

namespace lakefs::test {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kBlock = 64 * 1024;  // small blocks: many range requests, small objects

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
  return s;
}

void write_file(const fs::path& p, const std::string& data) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << data;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// An input stream that cannot seek (tellg fails): uploads go chunked.
class OneWayBuf : public std::streambuf {
 public:
  explicit OneWayBuf(std::string data) : data_(std::move(data)) {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 private:
  std::string data_;
};

// Yields `good` bytes, then fails as a broken disk would.
class FailingBuf : public std::streambuf {
 public:
  explicit FailingBuf(std::size_t good) : data_(good, 'g') {
    setg(data_.data(), data_.data(), data_.data() + data_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("read error"); }

 private:
  std::string data_;
};

class ObjectIoTest : public RepoTest {};

TEST_F(ObjectIoTest, WriterAndReaderRoundTripEdgeSizes) {
  auto branch = main_branch();
  const std::vector<std::size_t> sizes{0, 1, kBlock, kBlock + 1, 3 * kBlock + 17};
  for (const std::size_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    const auto data = random_bytes(size, static_cast<unsigned>(size));
    auto obj = branch.object("rt/" + std::to_string(size));
    // Small writer buffers: the upload crosses many buffer hand-overs.
    auto out =
        obj.writer({.content_type = "", .metadata = {}, .exclusive = false, .buffer_size = 4096, .max_buffers = 2});
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    const ObjectInfo info = out.close();
    EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(size));
    EXPECT_FALSE(out.is_open());

    auto in = obj.reader({.block_size = kBlock});
    EXPECT_EQ(in.size(), size);
    const std::string via_iterator{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(via_iterator, data);

    auto in2 = obj.reader({.block_size = kBlock, .read_ahead = false});
    std::string via_read(size + 10, '\0');
    in2.read(via_read.data(), static_cast<std::streamsize>(via_read.size()));
    EXPECT_TRUE(in2.eof());  // reading past the end is EOF, not an error
    EXPECT_EQ(static_cast<std::size_t>(in2.gcount()), size);
    via_read.resize(static_cast<std::size_t>(in2.gcount()));
    EXPECT_EQ(via_read, data);

    EXPECT_EQ(obj.read_all(), data);
  }
}

TEST_F(ObjectIoTest, WriterTellpCountsTheBytesWrittenAndSeekpFails) {
  auto obj = main_branch().object("tellp.bin");
  auto out = obj.writer({.part_size = 5 << 20, .buffer_size = 4096, .max_buffers = 2});
  EXPECT_EQ(out.tellp(), 0);
  out << "ab" << 'c';
  EXPECT_EQ(out.tellp(), 3);
  const auto data = random_bytes(6 * (1 << 20) + 5, 7);  // past a buffer and, pre-signed, past a part
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  EXPECT_EQ(static_cast<std::uint64_t>(out.tellp()), 3 + data.size());
  out.seekp(0);  // no seeking back: the bytes are on their way
  EXPECT_TRUE(out.fail());
  out.clear();
  const ObjectInfo info = out.close();
  EXPECT_EQ(static_cast<std::uint64_t>(out.tellp()), 3 + data.size());
  EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(3 + data.size()));
}

TEST_F(ObjectIoTest, RandomSeeksMatchLocalCopyByteForByte) {
  const auto data = random_bytes(5 * kBlock + 333, 7);
  auto obj = main_branch().object("seek.bin");
  obj.upload(data);
  auto in = obj.reader({.block_size = kBlock});
  std::mt19937 rng(42);
  std::int64_t expected_pos = 0;
  for (int i = 0; i < 300; ++i) {
    const int mode = static_cast<int>(rng() % 3);
    std::int64_t target = 0;
    if (mode == 0) {
      target = static_cast<std::int64_t>(rng() % data.size());
      in.seekg(target, std::ios::beg);
    } else if (mode == 1) {
      const auto delta = static_cast<std::int64_t>(rng() % (2 * kBlock)) - static_cast<std::int64_t>(kBlock);
      target = std::clamp<std::int64_t>(expected_pos + delta, 0, static_cast<std::int64_t>(data.size()) - 1);
      in.seekg(target - expected_pos, std::ios::cur);
    } else {
      const auto back = 1 + static_cast<std::int64_t>(rng() % data.size());
      target = static_cast<std::int64_t>(data.size()) - back;
      in.seekg(-back, std::ios::end);
    }
    ASSERT_TRUE(in.good()) << "seek " << i;
    ASSERT_EQ(static_cast<std::int64_t>(in.tellg()), target);
    const std::size_t want = rng() % (kBlock + 100);
    std::string got(want, '\0');
    in.read(got.data(), static_cast<std::streamsize>(want));
    const auto n = static_cast<std::size_t>(in.gcount());
    ASSERT_EQ(got.substr(0, n), data.substr(static_cast<std::size_t>(target), n)) << "read " << i;
    ASSERT_EQ(n, std::min(want, data.size() - static_cast<std::size_t>(target)));
    in.clear();  // a read that hit the end set eof/fail
    expected_pos = target + static_cast<std::int64_t>(n);
    ASSERT_EQ(static_cast<std::int64_t>(in.tellg()), expected_pos);
  }
  // Seeking before the start fails the stream; past the end reads EOF.
  in.seekg(-1, std::ios::beg);
  EXPECT_TRUE(in.fail());
  in.clear();
  in.seekg(static_cast<std::streamoff>(data.size()) + 5);
  EXPECT_EQ(in.get(), std::char_traits<char>::eof());
  EXPECT_TRUE(in.eof());
}

TEST_F(ObjectIoTest, AStreamReadsOneVersionAndRangesAfterASeekDetectAReplacement) {
  auto object = repo_->branch("main").object("moving.bin");
  const auto before = random_bytes(4 * kBlock, 11);
  object.upload(before);
  // Through lakeFS (a pre-signed reader keeps reading its version's own address until its URL expires: see
  // presign_read_test.cpp).
  auto reader = object.reader({.block_size = kBlock, .pre_sign = false});
  std::string first(kBlock, '\0');
  reader.read(first.data(), static_cast<std::streamsize>(first.size()));
  object.upload(random_bytes(4 * kBlock, 12));  // replaced while the stream is open
  // The stream is one answer of the version the reader opened: the rest is that version, never a mix.
  std::string rest((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(first + rest, before);
  reader.clear();
  reader.seekg(static_cast<std::streamoff>(kBlock));  // backwards: a range request, which sees the new version
  EXPECT_THROW(reader.read(first.data(), static_cast<std::streamsize>(first.size())), ObjectChangedError);
}

TEST_F(ObjectIoTest, ReadAllAndReadRangeReturnExactlyTheBytes) {
  auto object = repo_->branch("main").object("whole.bin");
  const auto data = random_bytes(3 * kBlock + 17, 13);
  object.upload(data);
  EXPECT_EQ(object.read_all(), data);
  EXPECT_EQ(object.read_range(kBlock - 5, kBlock + 10), data.substr(kBlock - 5, kBlock + 10));
  EXPECT_EQ(object.read_range(data.size() - 3, 1000), data.substr(data.size() - 3));
  repo_->branch("main").object("empty.bin").upload("");
  EXPECT_EQ(repo_->branch("main").object("empty.bin").read_all(), "");
  auto empty = repo_->branch("main").object("empty.bin").reader();
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(empty.get(), std::char_traits<char>::eof());
}

TEST_F(ObjectIoTest, GetlineAndExtractionOverText) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + " " + std::to_string(i * 3) + "\n";
  auto obj = main_branch().object("text.txt");
  obj.upload(text, {.content_type = "text/plain"});

  auto in = obj.reader({.block_size = 4096});  // lines straddle block boundaries
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    ASSERT_EQ(line, "line " + std::to_string(count) + " " + std::to_string(count * 3));
    ++count;
  }
  EXPECT_EQ(count, 5000);

  auto in2 = obj.reader({.block_size = 4096});
  std::string word;
  long long number = 0, tripled = 0, sum = 0;
  while (in2 >> word >> number >> tripled) sum += tripled;
  EXPECT_EQ(sum, 3LL * 4999 * 5000 / 2);
}

TEST_F(ObjectIoTest, ExplicitRangeOutsideObjectIsInvalidRange) {
  auto obj = main_branch().object("small.bin");
  obj.upload("0123456789");
  EXPECT_EQ(obj.read_range(2, 3), "234");
  EXPECT_EQ(obj.read_range(8, 100), "89");  // clipped at the end
  EXPECT_THROW((void)obj.read_range(10, 1), InvalidRangeError);
  EXPECT_THROW((void)obj.read_range(1000, 5), InvalidRangeError);
  // The error carries the object's size: lakeFS's "Content-Range: bytes */10", or, read straight from the object
  // store, the stat that gave the pre-signed URL.
  for (const std::optional<bool> pre_sign : {std::optional<bool>(false), std::optional<bool>()}) {
    try {
      (void)obj.read_range(1000, 5, {.pre_sign = pre_sign});
      ADD_FAILURE() << "no InvalidRangeError";
    } catch (const InvalidRangeError& e) {
      EXPECT_EQ(e.status(), 416);
      EXPECT_EQ(e.object_size(), std::optional<std::uint64_t>(10)) << e.what();
    }
  }
  // Through the generated layer too: the server's own answer.
  try {
    (void)lakefs_client().api().objects.get_object(
        {.repository = repo().id(), .ref = "main", .path = "small.bin", .presign = false, .range = "bytes=50-60"},
        [](std::string_view) {});
    ADD_FAILURE() << "no InvalidRangeError";
  } catch (const InvalidRangeError& e) {
    EXPECT_EQ(e.header("content-range"), std::optional<std::string_view>("bytes */10"));
    EXPECT_EQ(e.object_size(), std::optional<std::uint64_t>(10));
  }
}

TEST_F(ObjectIoTest, ReaderWorksOnTagsAndCommits) {
  auto branch = main_branch();
  const auto v1 = random_bytes(2 * kBlock + 5, 1);
  branch.object("versioned.bin").upload(v1);
  const auto commit = branch.commit("v1");
  repo().tag("v1").create(commit.id);
  branch.object("versioned.bin").upload("replaced");

  for (const std::string& ref : {std::string("v1"), commit.id}) {
    auto in = repo().ref(ref).object("versioned.bin").reader({.block_size = kBlock});
    const std::string got{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    EXPECT_EQ(got, v1) << ref;
  }
  EXPECT_EQ(branch.object("versioned.bin").read_all(), "replaced");
}

TEST_F(ObjectIoTest, MissingObjectReaderIsObjectNotFound) {
  EXPECT_THROW((void)main_branch().object("nope").reader(), ObjectNotFoundError);
}

TEST_F(ObjectIoTest, ExclusiveCreateTwiceFailsAndKeepsTheObject) {
  auto obj = main_branch().object("once.txt");
  obj.upload("first", {.exclusive = true});
  EXPECT_THROW(obj.upload("second", {.exclusive = true}), ObjectExistsError);
  EXPECT_EQ(obj.read_all(), "first");

  auto out = obj.writer({.exclusive = true});
  out << "third";
  EXPECT_THROW((void)out.close(), ObjectExistsError);
  EXPECT_EQ(obj.read_all(), "first");

  obj.upload("replaced");  // create-or-replace is the default
  EXPECT_EQ(obj.read_all(), "replaced");
}

TEST_F(ObjectIoTest, UploadFromFileAndFromStreams) {
  TempDir dir;
  const auto data = random_bytes(300 * 1024 + 7, 3);
  write_file(dir.path / "in.bin", data);
  auto branch = main_branch();

  branch.object("from-file").upload_file(dir.path / "in.bin");
  EXPECT_EQ(branch.object("from-file").read_all(), data);

  std::istringstream seekable(data);
  branch.object("from-seekable-stream").upload(seekable);
  EXPECT_EQ(branch.object("from-seekable-stream").read_all(), data);

  OneWayBuf one_way(data);
  std::istream unseekable(&one_way);
  branch.object("from-unseekable-stream").upload(unseekable);
  EXPECT_EQ(branch.object("from-unseekable-stream").read_all(), data);

  std::ifstream file(dir.path / "in.bin", std::ios::binary);
  file.seekg(100);  // a stream uploads from where it stands
  branch.object("from-file-stream").upload(file);
  EXPECT_EQ(branch.object("from-file-stream").read_all(), data.substr(100));

  EXPECT_THROW(branch.object("missing-file").upload_file(dir.path / "absent.bin"), LocalIOError);
  EXPECT_FALSE(branch.object("missing-file").exists());
}

TEST_F(ObjectIoTest, UploadFromFailingStreamLeavesNothing) {
  auto branch = main_branch();
  FailingBuf failing(600 * 1024);  // a good part is sent before the stream fails
  std::istream in(&failing);
  EXPECT_THROW(branch.object("half.bin").upload(in), LocalIOError);
  EXPECT_FALSE(branch.object("half.bin").exists());
  EXPECT_EQ(std::ranges::distance(branch.uncommitted()), 0);
}

TEST_F(ObjectIoTest, MetadataAndContentTypePreserved) {
  auto branch = main_branch();
  const Metadata meta{{"owner", "data-team"}, {"version", "3"}};
  branch.object("m/upload.csv").upload("a,b\n", {.content_type = "text/csv", .metadata = meta});

  auto out = branch.object("m/writer.csv").writer({.content_type = "text/csv", .metadata = meta});
  out << "a,b\n";
  const auto closed = out.close();
  EXPECT_EQ(closed.content_type, "text/csv");

  TempDir dir;
  write_file(dir.path / "f.json", "{}");
  branch.object("m/file.json").upload_file(dir.path / "f.json", {.content_type = "application/json", .metadata = meta});

  for (const auto& [path, type] : {std::pair{"m/upload.csv", "text/csv"}, std::pair{"m/writer.csv", "text/csv"},
                                   std::pair{"m/file.json", "application/json"}}) {
    const auto info = branch.object(path).stat();
    EXPECT_EQ(info.content_type, type) << path;
    EXPECT_EQ(info.metadata, meta) << path;
    EXPECT_EQ(branch.object(path).reader().info().metadata, meta) << path;
  }
}

TEST_F(ObjectIoTest, CopyToAnotherBranchAndPath) {
  auto branch = main_branch();
  branch.object("src.txt").upload("copy me", {.content_type = "text/plain", .metadata = {{"k", "v"}}});
  branch.commit("source");
  auto dev = repo().branch("dev").create("main");

  const auto copied = branch.object("src.txt").copy(dev, "dst/copied.txt");
  EXPECT_EQ(copied.ref_id(), "dev");
  EXPECT_EQ(copied.path(), "dst/copied.txt");
  EXPECT_EQ(copied.read_all(), "copy me");
  EXPECT_EQ(copied.stat().metadata, (Metadata{{"k", "v"}}));
  EXPECT_EQ(copied.stat().content_type, "text/plain");

  // From a commit (read-only ref) to the same branch.
  const auto from_commit = repo().ref(branch.head().id()).object("src.txt").copy("main", "again.txt");
  EXPECT_EQ(from_commit.read_all(), "copy me");
  EXPECT_THROW((void)branch.object("absent").copy("main", "x"), ObjectNotFoundError);
}

TEST_F(ObjectIoTest, RemoveThenStatIsObjectNotFound) {
  auto obj = main_branch().object("gone.txt");
  obj.upload("bye");
  EXPECT_TRUE(obj.exists());
  obj.remove();
  EXPECT_THROW((void)obj.stat(), ObjectNotFoundError);
  EXPECT_FALSE(obj.exists());
}

// A writer left without close(): normally, its destructor closes it (as std::ofstream's, and Python's `with`);
// while an exception unwinds, it aborts the upload: no object, nothing staged.
TEST_F(ObjectIoTest, WriterLeftNormallyUploadsAndWriterLeftByAnExceptionLeavesNothing) {
  auto branch = main_branch();
  const auto chunk = random_bytes(256 * 1024, 9);
  std::string expected;
  for (int i = 0; i < 12; ++i) expected += chunk;
  int reported = 0;
  {
    auto out = branch.object("kept.bin")
                   .writer({.buffer_size = 64 * 1024, .max_buffers = 2, .on_destructor_error = [&](std::exception_ptr) {
                              ++reported;
                            }});
    for (int i = 0; i < 12; ++i) out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    // left here, without close()
  }
  EXPECT_EQ(reported, 0);
  EXPECT_EQ(branch.object("kept.bin").read_all(), expected);
  { auto out = branch.object("empty.bin").writer(); }  // like an std::ofstream: an empty object
  EXPECT_EQ(branch.object("empty.bin").stat().size_bytes, 0);
  branch.commit("kept");

  try {
    auto out = branch.object("abandoned.bin")
                   .writer({.buffer_size = 64 * 1024, .max_buffers = 2, .on_destructor_error = [&](std::exception_ptr) {
                              ++reported;
                            }});
    for (int i = 0; i < 12; ++i) out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    out.flush();
    throw std::runtime_error("the producer failed");  // unwinds past the writer
  } catch (const std::runtime_error&) {
  }
  try {
    auto out = branch.object("never-written.bin").writer();
    throw std::runtime_error("before any byte");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(reported, 0);
  {
    auto out = branch.object("discarded.bin").writer();
    out << "some bytes";
    out.discard();
    EXPECT_FALSE(out.is_open());
    EXPECT_THROW((void)out.close(), InvalidStateError);  // there is nothing to close
  }
  EXPECT_FALSE(branch.object("abandoned.bin").exists());
  EXPECT_FALSE(branch.object("discarded.bin").exists());
  EXPECT_FALSE(branch.object("never-written.bin").exists());
  EXPECT_EQ(std::ranges::distance(branch.objects()), 2);  // kept.bin and empty.bin
  EXPECT_EQ(std::ranges::distance(branch.uncommitted()), 0);
}

TEST_F(ObjectIoTest, WriterContentTypeAndMetadataChangeUntilTheFirstByteIsSent) {
  // Set after opening, before any byte left: the object gets them (through lakeFS and pre-signed alike).
  auto small = main_branch().object("w/late.csv");
  auto writer = small.writer({.content_type = "application/octet-stream"});
  writer.set_content_type("text/csv").set_metadata({{"rows", "2"}});
  writer << "a,b\n1,2\n";
  EXPECT_THROW(writer.set_metadata({{"bad\nname", "x"}}), lakefs::InvalidArgumentError);
  (void)writer.close();
  const auto info = small.stat();
  EXPECT_EQ(info.content_type, "text/csv");
  EXPECT_EQ(info.metadata, (lakefs::Metadata{{"rows", "2"}}));
  EXPECT_THROW(writer.set_content_type("text/plain"), lakefs::InvalidStateError);

  // Once the first buffer (or pre-signed part) has filled, bytes are on their way: too late, nothing changes.
  auto big = main_branch().object("w/late-big.bin");
  auto started = big.writer({.content_type = "application/x-first", .part_size = 5 << 20, .buffer_size = 64 << 10});
  const std::string block(1 << 20, 'x');
  for (int i = 0; i < 6; ++i) started.write(block.data(), static_cast<std::streamsize>(block.size()));
  EXPECT_THROW(started.set_content_type("text/plain"), lakefs::InvalidStateError);
  EXPECT_THROW(started.set_metadata({{"k", "v"}}), lakefs::InvalidStateError);
  (void)started.close();
  EXPECT_EQ(big.stat().content_type, "application/x-first");
  EXPECT_EQ(big.stat().size_bytes, 6 << 20);
}

TEST_F(ObjectIoTest, SlowWriterOutlivesTheStallTimeout) {
  // A writer fed by slow computation stays silent longer than the client's
  // one-second stall timeout: the upload must survive, since the wait is the
  // caller's, not the server's.
  auto options = lakefs::test::client_options();
  options.low_speed_timeout = std::chrono::seconds(1);
  lakefs::Client impatient(options);
  auto obj = lakefs::Branch(repo().id(), "main", impatient).object("slow.txt");
  auto out = obj.writer();
  out << "before the pause\n" << std::flush;
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));
  out << "after the pause\n";
  const auto info = out.close();
  EXPECT_EQ(info.size_bytes, 33);
  EXPECT_EQ(obj.read_all(), "before the pause\nafter the pause\n");
}

TEST_F(ObjectIoTest, WriterStreamsLargeObjectThroughSmallBuffers) {
  // 8 MiB through 2 × 64 KiB buffers: the data must leave while it is written.
  auto obj = main_branch().object("big.bin");
  auto out = obj.writer({.buffer_size = 64 * 1024, .max_buffers = 2});
  std::mt19937 rng(5);
  std::string expected;
  for (int i = 0; i < 128; ++i) {
    auto piece = random_bytes(64 * 1024, static_cast<unsigned>(rng()));
    out << piece;
    expected += piece;
  }
  const auto info = out.close();
  EXPECT_EQ(info.size_bytes, static_cast<std::int64_t>(expected.size()));
  EXPECT_EQ(obj.read_all(), expected);
  EXPECT_EQ(out.close(), info);  // closing again returns the same info
}

TEST_F(ObjectIoTest, DownloadWritesWholeFileOrNothing) {
  TempDir dir;
  const auto data = random_bytes(200 * 1024, 11);
  auto obj = main_branch().object("dl/data.bin");
  obj.upload(data);
  obj.download(dir.path / "data.bin");
  EXPECT_EQ(read_file(dir.path / "data.bin"), data);

  write_file(dir.path / "keep.bin", "previous");
  EXPECT_THROW(main_branch().object("dl/absent").download(dir.path / "keep.bin"), ObjectNotFoundError);
  EXPECT_EQ(read_file(dir.path / "keep.bin"), "previous");  // untouched
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
  EXPECT_EQ(entries, 2u);  // no temporary file left behind
}

TEST_F(ObjectIoTest, ObjectsAboveTheMultipartThresholdRoundTrip) {
  // Pre-signed multipart uploads on a store that supports them; through lakeFS (without a length, so that lakeFS
  // splits the object itself) elsewhere. Either way the same bytes arrive.
  TempDir dir;
  const auto data = random_bytes(11 * 1024 * 1024 + 5, 12);
  write_file(dir.path / "big.bin", data);
  const UploadOptions options{.content_type = "application/x-big",
                              .metadata = {{"k", "v"}},
                              .multipart_threshold = 6 * 1024 * 1024,
                              .part_size = 5 * 1024 * 1024,
                              .concurrency = 2};
  auto branch = main_branch();
  branch.object("big/file.bin").upload_file(dir.path / "big.bin", options);
  branch.object("big/memory.bin").upload(data, options);
  std::istringstream stream(data);
  branch.object("big/stream.bin").upload(stream, options);
  auto out = branch.object("big/writer.bin")
                 .writer({.content_type = "application/x-big", .metadata = {{"k", "v"}}, .part_size = 5 * 1024 * 1024});
  out << data;
  out.close();
  for (const char* path : {"big/file.bin", "big/memory.bin", "big/stream.bin", "big/writer.bin"}) {
    EXPECT_EQ(branch.object(path).read_all(), data) << path;
    const auto info = branch.object(path).stat();
    EXPECT_EQ(info.content_type, "application/x-big") << path;
    EXPECT_EQ(info.metadata, (Metadata{{"k", "v"}})) << path;
  }
}

// The quickstart topology's local block store cannot pre-sign; this suite is left out of the s3 run.
class LocalBlockStoreTest : public ObjectIoTest {};

TEST_F(LocalBlockStoreTest, PreSignedWriterIsNotSupported) {
  ASSERT_FALSE(lakefs_client().storage_config().pre_sign_multipart_upload);
  auto obj = main_branch().object("w.txt");
  try {
    (void)obj.writer({.pre_sign = true});
    ADD_FAILURE() << "no NotSupportedError";
  } catch (const NotSupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("pre-signed"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(obj.exists());
  EXPECT_EQ(std::ranges::distance(main_branch().uncommitted()), 0);
  // Unset = through lakeFS here, whatever the part size.
  auto out = obj.writer({.part_size = 5 * 1024 * 1024});
  out << "through lakeFS";
  out.close();
  EXPECT_EQ(obj.read_all(), "through lakeFS");
  obj.remove();
  EXPECT_EQ(std::ranges::distance(main_branch().uncommitted()), 0);
}

TEST_F(LocalBlockStoreTest, PreSignForcedIsNotSupported) {
  ASSERT_FALSE(lakefs_client().storage_config().pre_sign_support);  // the local block store
  auto obj = main_branch().object("ps.txt");
  EXPECT_THROW(obj.upload("x", {.pre_sign = true}), NotSupportedError);
  EXPECT_FALSE(obj.exists());
  obj.upload("x", {.pre_sign = false});
  EXPECT_THROW((void)obj.reader({.pre_sign = true}), NotSupportedError);
  EXPECT_THROW((void)obj.read_all({.pre_sign = true}), NotSupportedError);
  EXPECT_THROW((void)obj.read_range(0, 1, {.pre_sign = true}), NotSupportedError);
  EXPECT_THROW((void)obj.presigned_url(), NotSupportedError);
  EXPECT_THROW((void)obj.stat({.pre_sign = true}), NotSupportedError);
  EXPECT_THROW((void)main_branch().objects({.pre_sign = true}), NotSupportedError);
  EXPECT_EQ(obj.read_all(), "x");  // unset: through lakeFS
  TempDir dir;
  EXPECT_THROW(obj.download(dir.path / "ps.txt", {.pre_sign = true}), NotSupportedError);
  EXPECT_FALSE(fs::exists(dir.path / "ps.txt"));
  // Unset = automatic: through lakeFS here.
  auto in = obj.reader();
  EXPECT_EQ(in.get(), 'x');
  obj.download(dir.path / "ps.txt");
  EXPECT_EQ(read_file(dir.path / "ps.txt"), "x");
  try {
    (void)obj.reader({.pre_sign = true});
  } catch (const NotSupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("pre-signed"), std::string::npos);
  }
}

}  // namespace
}  // namespace lakefs::test
