// SPDX-License-Identifier: Apache-2.0
// A leftover transaction branch is recognised, and aged, by its name alone.
#include "transaction_names.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace lakefs::detail {
namespace {

using namespace std::chrono;

TEST(TransactionNames, StartTimeIsReadFromTheName) {
  const auto started = transaction_started("tx-20261130-011930-abcdefghij09");
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(*started, Timestamp{sys_days{year{2026} / November / 30}} + hours{1} + minutes{19} + seconds{30});
}

TEST(TransactionNames, OtherBranchesAreNotTransactions) {
  for (const char* name :
       {"main", "tx-", "tx-abcdefghijklmnop",  // the seed's older format carries no time
        "tx-20261130-011930-ABCDEFGHIJ09", "tx-20261130-011930-abcdefghij0", "tx-20261130-011930_abcdefghij09",
        "tx-20261332-011930-abcdefghij09", "tx-20261130-251930-abcdefghij09", "xx-20261130-011930-abcdefghij09"}) {
    EXPECT_FALSE(transaction_started(name).has_value()) << name;
  }
}

}  // namespace
}  // namespace lakefs::detail
