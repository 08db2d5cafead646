// SPDX-License-Identifier: Apache-2.0
// lakefs-mount's command line (mount/src/options.cpp).
#include "options.hpp"

#include <gtest/gtest.h>

namespace lakefs_mount {
namespace {

std::variant<MountOptions, Exit> parse(std::vector<std::string_view> args) { return parse_arguments(args); }

TEST(MountOptions, ParsesTheUriIntoRepositoryRefAndPrefix) {
  auto parsed = parse({"lakefs://repo/main/data/2024", "/mnt/x"});
  ASSERT_TRUE(std::holds_alternative<MountOptions>(parsed));
  const auto& o = std::get<MountOptions>(parsed);
  EXPECT_EQ(o.repository, "repo");
  EXPECT_EQ(o.ref, "main");
  EXPECT_EQ(o.prefix, "data/2024/");
  EXPECT_EQ(o.mountpoint, "/mnt/x");
  EXPECT_FALSE(o.foreground);
  EXPECT_FALSE(o.follow.has_value());
  EXPECT_EQ(o.block_size, 1u << 20);
  EXPECT_EQ(o.cache_fill, CacheFill::best_effort);
}

TEST(MountOptions, ParsesEveryOption) {
  auto parsed = parse({"-f",
                       "--cache-dir",
                       "/c",
                       "--cache-size=10G",
                       "--cache-fill",
                       "all",
                       "--block-size",
                       "256K",
                       "--read-ahead",
                       "0",
                       "--fetch-threads",
                       "4",
                       "--max-entries",
                       "5000",
                       "--follow=30",
                       "--pre-sign",
                       "never",
                       "--timeout=7",
                       "-o",
                       "allow_other,max_read=131072",
                       "--log-file",
                       "/l",
                       "lakefs://r/v1",
                       "m"});
  ASSERT_TRUE(std::holds_alternative<MountOptions>(parsed));
  const auto& o = std::get<MountOptions>(parsed);
  EXPECT_TRUE(o.foreground);
  EXPECT_EQ(o.cache_dir, "/c");
  EXPECT_EQ(o.cache_size, std::uint64_t{10} << 30);
  EXPECT_EQ(o.cache_fill, CacheFill::all);
  EXPECT_EQ(o.block_size, 256u << 10);
  EXPECT_EQ(o.read_ahead, 0u);
  EXPECT_EQ(o.fetch_threads, 4u);
  EXPECT_EQ(o.max_entries, 5000u);
  EXPECT_EQ(o.follow, std::chrono::seconds(30));
  EXPECT_EQ(o.pre_sign, PreSign::never);
  EXPECT_EQ(o.timeout, std::chrono::seconds(7));
  EXPECT_EQ(o.fuse_options, (std::vector<std::string>{"allow_other", "max_read=131072"}));
  EXPECT_EQ(o.log_file, "/l");
  EXPECT_EQ(o.prefix, "");
}

TEST(MountOptions, FollowWithoutAnIntervalIsTenSeconds) {
  auto parsed = parse({"lakefs://r/main", "m", "--follow"});
  ASSERT_TRUE(std::holds_alternative<MountOptions>(parsed));
  EXPECT_EQ(std::get<MountOptions>(parsed).follow, std::chrono::seconds(10));
}

TEST(MountOptions, HelpAndVersionExitZero) {
  for (const auto* flag : {"--help", "-h"}) {
    auto parsed = parse({flag});
    ASSERT_TRUE(std::holds_alternative<Exit>(parsed));
    EXPECT_EQ(std::get<Exit>(parsed).code, 0);
    EXPECT_NE(std::get<Exit>(parsed).message.find("Usage: lakefs-mount"), std::string::npos);
  }
  auto parsed = parse({"--version"});
  ASSERT_TRUE(std::holds_alternative<Exit>(parsed));
  EXPECT_EQ(std::get<Exit>(parsed).message.rfind("lakefs-mount ", 0), 0u);
}

TEST(MountOptions, BadInputIsAUsageErrorThatSaysWhy) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"lakefs://r/main"}, "expected lakefs://REPOSITORY/REF"},
      {{"s3://r/main", "m"}, "is not a lakefs:// URI"},
      {{"lakefs://r", "m"}, "names no ref"},
      {{"lakefs://r/", "m"}, "names no ref"},
      {{"lakefs:///main", "m"}, "names no ref"},
      {{"lakefs://r/main//x", "m"}, "empty path segment"},
      {{"lakefs://r/main", "m", "--cache-size", "lots"}, "is not a size"},
      {{"lakefs://r/main", "m", "--block-size", "1K"}, "between 4K and 64M"},
      {{"lakefs://r/main", "m", "--fetch-threads", "0"}, "from 1 to 64"},
      {{"lakefs://r/main", "m", "--follow=0"}, "from 1 to 86400"},
      {{"lakefs://r/main", "m", "--max-entries", "9"}, "from 10 to"},
      {{"lakefs://r/main", "m", "--pre-sign", "maybe"}, "auto, always or never"},
      {{"lakefs://r/main", "m", "--cache-fill", "some"}, "best-effort or all"},
      {{"lakefs://r/main", "m", "-o", "rw"}, "read-only"},
      {{"lakefs://r/main", "m", "--bogus"}, "unknown option '--bogus'"},
      {{"lakefs://r/main", "m", "--cache-dir"}, "needs a path"},
  };
  for (const auto& [args, message] : cases) {
    auto parsed = parse(args);
    ASSERT_TRUE(std::holds_alternative<Exit>(parsed)) << message;
    EXPECT_EQ(std::get<Exit>(parsed).code, 2) << message;
    EXPECT_NE(std::get<Exit>(parsed).message.find(message), std::string::npos) << std::get<Exit>(parsed).message;
  }
}

TEST(MountOptions, SizesTakeBinarySuffixesAndRefuseOverflow) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512K"), 512u << 10);
  EXPECT_EQ(parse_size("64M"), 64u << 20);
  EXPECT_EQ(parse_size("64MiB"), 64u << 20);
  EXPECT_EQ(parse_size("2GB"), std::uint64_t{2} << 30);
  EXPECT_EQ(parse_size("1T"), std::uint64_t{1} << 40);
  EXPECT_EQ(parse_size(""), std::nullopt);
  EXPECT_EQ(parse_size("M"), std::nullopt);
  EXPECT_EQ(parse_size("1X"), std::nullopt);
  EXPECT_EQ(parse_size("-1"), std::nullopt);
  EXPECT_EQ(parse_size("99999999999T"), std::nullopt);
  EXPECT_EQ(parse_size("18446744073709551616"), std::nullopt);
}

}  // namespace
}  // namespace lakefs_mount
