#include "core/json.h"

#include <gtest/gtest.h>

namespace gridgate {
namespace {

TEST(JsonTest, ParsesObjects) {
  auto doc = parseJsonObject(R"({"a":"x","n":42,"b":true,"big":18446744073709551615})");
  ASSERT_TRUE(doc);
  EXPECT_EQ(*jsonString(*doc, "a"), "x");
  EXPECT_EQ(*jsonInt(*doc, "n"), 42);
  EXPECT_EQ(*jsonBool(*doc, "b"), true);
  EXPECT_FALSE(jsonInt(*doc, "big"));  // does not fit int64
  EXPECT_EQ(jsonString(*doc, "n"), nullptr);
  EXPECT_EQ(jsonString(*doc, "missing"), nullptr);
}

TEST(JsonTest, RejectsDuplicateKeys) {
  auto r = parseJson(R"({"alg":"ES256","alg":"none"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kMalformed);
  EXPECT_TRUE(parseJson(R"({"a":{"x":1},"b":{"x":2}})"));  // same key in different objects
  JsonLimits lax;
  lax.allow_duplicate_keys = true;
  EXPECT_TRUE(parseJson(R"({"a":1,"a":2})", lax));
}

TEST(JsonTest, EnforcesDepthAndSize) {
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parseJson("[[[[1]]]]", limits));
  auto deep = parseJson("[[[[[1]]]]]", limits);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::kLimitExceeded);
  EXPECT_FALSE(parseJson(std::string(100000, '['), JsonLimits{}));
  limits.max_bytes = 8;
  auto big = parseJson(R"({"a":"123456"})", limits);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, Errc::kLimitExceeded);
}

TEST(JsonTest, RejectsNonJson) {
  for (const char* bad : {"", "{", "{'a':1}", "{\"a\":1,}", "[1,]", "01", "NaN", "{\"a\":1} x",
                          "\"\xff\"", "{\"a\" 1}"}) {
    EXPECT_FALSE(parseJson(bad)) << bad;
  }
  EXPECT_FALSE(parseJsonObject("[1]"));
}

TEST(JsonTest, DumpNeverThrows) {
  Json j = std::string("\xff\xfe");
  EXPECT_NO_THROW(dumpJson(j));
  EXPECT_EQ(dumpJson(Json{{"a", 1}}), R"({"a":1})");
}

}  // namespace
}  // namespace gridgate
