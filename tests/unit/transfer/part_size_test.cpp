// SPDX-License-Identifier: Apache-2.0
// How a multipart upload's part size is chosen: the caller's (at least the
// store's 5 MiB minimum) or the default, raised so that no object needs more
// than the store's 10,000 parts.
#include <gtest/gtest.h>

#include "lakefs/errors.hpp"
#include "transfer/multipart_upload.hpp"

namespace {

using lakefs::detail::max_parts;
using lakefs::detail::plan_part_size;

constexpr std::uint64_t MiB = 1 << 20;

TEST(PartSize, TheRequestedOrTheDefaultWhenTheObjectFitsInTenThousandParts) {
  EXPECT_EQ(plan_part_size(100 * MiB, 0, 16 * MiB, "upload"), 16 * MiB);
  EXPECT_EQ(plan_part_size(100 * MiB, 5 * MiB, 16 * MiB, "upload"), 5 * MiB);
  EXPECT_EQ(plan_part_size(max_parts * 5 * MiB, 5 * MiB, 16 * MiB, "upload"), 5 * MiB);  // exactly 10,000 parts
  EXPECT_EQ(plan_part_size(0, 0, 8 * MiB, "writer"), 8 * MiB);
}

TEST(PartSize, RaisedToWholeMebibytesSoThatTheObjectTakesAtMostTenThousandParts) {
  const std::uint64_t length = 200ull << 30;  // 200 GiB: 12,800 parts of 16 MiB
  const auto part = plan_part_size(length, 0, 16 * MiB, "upload");
  EXPECT_EQ(part, 21 * MiB);
  EXPECT_LE((length + part - 1) / part, max_parts);
  EXPECT_EQ(plan_part_size(max_parts * 5 * MiB + 1, 5 * MiB, 16 * MiB, "upload"), 6 * MiB);
}

TEST(PartSize, BelowTheStoresMinimumIsAnInvalidArgumentNamingTheCaller) {
  try {
    (void)plan_part_size(100 * MiB, MiB, 16 * MiB, "upload of 'x.bin'");
    FAIL() << "no InvalidArgumentError";
  } catch (const lakefs::InvalidArgumentError& e) {
    EXPECT_NE(std::string(e.what()).find("upload of 'x.bin'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("5 MiB"), std::string::npos) << e.what();
  }
}

}  // namespace
