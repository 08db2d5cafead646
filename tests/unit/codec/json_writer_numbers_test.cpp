// SPDX-License-Identifier: Apache-2.0
// JsonWriter's numbers: JSON has no NaN or infinity, so non-finite doubles
// become null (as JSON.stringify and Go's encoders write them) and the output
// stays parseable; finite values round-trip exactly.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <limits>
#include <string>

#include "codec/json_writer.hpp"

namespace lakefs::detail {
namespace {

bool parses(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(json).get(doc) == simdjson::SUCCESS;
}

TEST(JsonWriterNumbers, NonFiniteDoublesBecomeNull) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (const double v : {std::numeric_limits<double>::quiet_NaN(), inf, -inf}) {
    std::string json;
    JsonWriter(json).value(v);
    EXPECT_EQ(json, "null") << v;
  }
  std::string json;
  JsonWriter(json).value(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(json, "null");
}

TEST(JsonWriterNumbers, NonFiniteInsideAnObjectKeepsTheDocumentValid) {
  std::string json;
  JsonWriter w(json);
  w.begin_object();
  w.key("a");
  w.value(std::numeric_limits<double>::quiet_NaN());
  w.key("b");
  w.value(-std::numeric_limits<double>::infinity());
  w.key("c");
  w.value(1.5);
  w.end_object();
  EXPECT_EQ(json, R"({"a":null,"b":null,"c":1.5})");
  ASSERT_TRUE(parses(json)) << json;
  simdjson::dom::parser parser;
  const simdjson::dom::element doc = parser.parse(json);
  EXPECT_TRUE(doc["a"].is_null());
  EXPECT_TRUE(doc["b"].is_null());
  EXPECT_EQ(double(doc["c"]), 1.5);
}

TEST(JsonWriterNumbers, FiniteValuesRoundTrip) {
  for (const double v : {0.0, -0.0, 0.1, -2.5e-300, 1.7976931348623157e308, 4.9e-324, 123456789.125}) {
    std::string json;
    JsonWriter(json).value(v);
    simdjson::dom::parser parser;
    double back = 0;
    ASSERT_EQ(parser.parse(json).get_double().get(back), simdjson::SUCCESS) << json;
    EXPECT_EQ(back, v) << json;
  }
  std::string json;
  JsonWriter w(json);
  w.begin_array();
  w.value(std::numeric_limits<std::int64_t>::min());
  w.value(std::numeric_limits<std::uint64_t>::max());
  w.end_array();
  EXPECT_EQ(json, "[-9223372036854775808,18446744073709551615]");
}

}  // namespace
}  // namespace lakefs::detail
