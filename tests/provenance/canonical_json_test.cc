#include "provenance/canonical_json.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace gridgate::provenance {
namespace {

std::string encode(const OrderedJson& v) {
  auto r = canonicalJson(v);
  EXPECT_TRUE(r) << r.error().detail;
  return r ? *r : std::string();
}

// Expected strings are Python 3's json.dumps(..., separators=(",", ":")) output, which is what
// the reference library signs.
TEST(CanonicalJsonTest, EscapesLikePythonEnsureAscii) {
  OrderedJson v = {
      {"s", "caf\xc3\xa9 \xf0\x9f\x98\x80 / \\ \" \n\t\r\b\f \x01 \x7f \xe2\x80\xa8 <>&'"}};
  EXPECT_EQ(encode(v),
            R"({"s":"caf\u00e9 \ud83d\ude00 / \\ \" \n\t\r\b\f \u0001 \u007f \u2028 <>&'"})");
}

TEST(CanonicalJsonTest, NonBmpBecomesLowercaseSurrogatePair) {
  EXPECT_EQ(*canonicalJsonString("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");
  EXPECT_EQ(*canonicalJsonString("\xf4\x8f\xbf\xbf"), R"("\udbff\udfff")");  // U+10FFFF
  EXPECT_EQ(*canonicalJsonString("\xef\xbf\xbf"), R"("\uffff")");
  EXPECT_EQ(*canonicalJsonString("\xc2\x80"), R"("\u0080")");
}

TEST(CanonicalJsonTest, SlashIsNotEscaped) {
  EXPECT_EQ(*canonicalJsonString("https://example.com/a/b"), R"("https://example.com/a/b")");
}

TEST(CanonicalJsonTest, RefusesInvalidUtf8) {
  for (const char* bad : {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                          "\xc3", "\xe2\x82", "\x80"}) {
    auto r = canonicalJsonString(bad);
    ASSERT_FALSE(r) << "accepted " << bad;
    EXPECT_EQ(r.error().code, Errc::kMalformed);
  }
}

TEST(CanonicalJsonTest, KeepsMemberOrderAndIsCompact) {
  OrderedJson v = OrderedJson::object();
  v["z"] = 1;
  v["a"] = OrderedJson::array({true, false, nullptr, "x"});
  v["m"] = {{"q", -5}, {"b", OrderedJson::object()}, {"c", OrderedJson::array()}};
  EXPECT_EQ(encode(v), R"({"z":1,"a":[true,false,null,"x"],"m":{"q":-5,"b":{},"c":[]}})");
}

TEST(CanonicalJsonTest, IntegersInDecimal) {
  EXPECT_EQ(encode(OrderedJson(std::uint64_t{18446744073709551615u})), "18446744073709551615");
  EXPECT_EQ(encode(OrderedJson(std::int64_t{-9223372036854775807 - 1})), "-9223372036854775808");
  EXPECT_EQ(encode(OrderedJson(0)), "0");
}

TEST(CanonicalJsonTest, FloatsAsPythonRepr) {
  const std::pair<double, const char*> cases[] = {
      {0.1, "0.1"},
      {1.0, "1.0"},
      {1e-5, "1e-05"},
      {0.0001, "0.0001"},
      {1e15, "1000000000000000.0"},
      {1e16, "1e+16"},
      {1.5e16, "1.5e+16"},
      {123456789012345678.0, "1.2345678901234568e+17"},
      {-0.0, "-0.0"},
      {0.0, "0.0"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {2.5e-7, "2.5e-07"},
      {100.0, "100.0"},
      {1e22, "1e+22"},
      {2.0 / 3.0, "0.6666666666666666"},
      {1234.5678, "1234.5678"},
      {-3.25, "-3.25"},
  };
  for (const auto& [value, text] : cases) {
    EXPECT_EQ(pythonFloatRepr(value), text);
    EXPECT_EQ(encode(OrderedJson(value)), text);
  }
}

// tests/testdata/provenance/float_repr.txt: random doubles (IEEE bits in hex) and Python's repr of
// each, written by make_vectors.py.
TEST(CanonicalJsonTest, FloatsMatchPythonOnRandomValues) {
  std::ifstream in(GRIDGATE_TESTDATA_DIR "/provenance/float_repr.txt");
  ASSERT_TRUE(in) << "missing float_repr.txt";
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string hex, expected;
    fields >> hex >> expected;
    const std::uint64_t bits = std::stoull(hex, nullptr, 16);
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    ASSERT_EQ(pythonFloatRepr(d), expected) << hex;
    ++n;
  }
  EXPECT_GE(n, 1000);
}

TEST(CanonicalJsonTest, RefusesNonFinite) {
  EXPECT_FALSE(canonicalJson(OrderedJson(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_FALSE(canonicalJson(OrderedJson(std::numeric_limits<double>::infinity())));
}

TEST(CanonicalJsonTest, EscapesKeysToo) {
  OrderedJson v = {{"perseus:sch\xc3\xa9ma", 1}};
  EXPECT_EQ(encode(v), R"({"perseus:sch\u00e9ma":1})");
}

// core's parseOrderedJson (added for this module) keeps document order and refuses duplicates.
TEST(CanonicalJsonTest, OrderedParseRoundTrips) {
  const std::string text = R"({"z":1,"a":{"y":[1,2.5,"\u00e9"],"b":null},"m":true})";
  auto parsed = parseOrderedJson(text);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(encode(*parsed), text);
  EXPECT_FALSE(parseOrderedJson(R"({"a":1,"a":2})"));
  JsonLimits shallow;
  shallow.max_depth = 2;
  auto deep = parseOrderedJson(R"({"a":{"b":{"c":1}}})", shallow);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, Errc::kLimitExceeded);
}

}  // namespace
}  // namespace gridgate::provenance
