#include "provenance/step.h"

#include <gtest/gtest.h>

#include "core/base64.h"

namespace gridgate::provenance {
namespace {

OrderedJson sampleStep() {
  return {{"id", "AAAAAAAAAAAAAAAAAAAA"},
          {"timestamp", "2024-12-05T10:00:00Z"},
          {"type", "origin"},
          {"scheme", "https://registry.core.trust.ib1.org/scheme/perseus"},
          {"external", true},
          {"perseus:scheme", {{"meteringPeriod", {{"from", "2024-01-01"}, {"to", "2024-01-02"}}}}},
          {"note", "\xe2\x82\xac 5"}};
}

std::string padded(std::string_view json) {
  return base64urlEncode(asBytes(json), Padding::kRequired);
}

TEST(StepTest, NewIdsAre20Base64urlChars) {
  const std::string a = newStepId();
  const std::string b = newStepId();
  EXPECT_EQ(a.size(), 20u);
  EXPECT_TRUE(isStepId(a));
  EXPECT_NE(a, b);
  EXPECT_FALSE(isStepId("short"));
  EXPECT_FALSE(isStepId("AAAAAAAAAAAAAAAAAAA="));
}

TEST(StepTest, EncodesCanonicalJsonWithPaddedBase64url) {
  auto enc = encodeStep(sampleStep());
  ASSERT_TRUE(enc) << enc.error().detail;
  const std::string json =
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"origin",)"
      R"("scheme":"https://registry.core.trust.ib1.org/scheme/perseus","external":true,)"
      R"("perseus:scheme":{"meteringPeriod":{"from":"2024-01-01","to":"2024-01-02"}},)"
      R"("note":"\u20ac 5"})";
  EXPECT_EQ(*enc, padded(json));
  EXPECT_EQ(enc->size() % 4, 0u);
  auto dec = decodeStep(*enc);
  ASSERT_TRUE(dec) << dec.error().detail;
  EXPECT_EQ(*dec, sampleStep());
}

TEST(StepTest, RequiresIdTimestampTypeFirst) {
  OrderedJson s = sampleStep();
  s.erase("id");
  EXPECT_FALSE(encodeStep(s));
  OrderedJson reordered = {
      {"timestamp", "2024-12-05T10:00:00Z"}, {"id", "AAAAAAAAAAAAAAAAAAAA"}, {"type", "origin"}};
  EXPECT_FALSE(encodeStep(reordered));
  OrderedJson bad_ts = {
      {"id", "AAAAAAAAAAAAAAAAAAAA"}, {"timestamp", "2024-12-05T10:00:00.5Z"}, {"type", "origin"}};
  EXPECT_FALSE(encodeStep(bad_ts));
  OrderedJson underscore = sampleStep();
  underscore["_signature"] = 1;
  EXPECT_FALSE(encodeStep(underscore));
}

TEST(StepTest, DecodeRefusesNonCanonicalForms) {
  const std::string base =
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"t")";
  EXPECT_TRUE(decodeStep(padded(base + "}")));
  // Each is a valid JSON encoding of an acceptable step, but not the canonical one.
  for (const std::string& json : {
           base + R"(,"a":"\u00E9"})",              // uppercase hex
           base + "," + "\"a\":\"\xc3\xa9\"}",      // raw UTF-8
           base + R"(,"a":"\/"})",                  // escaped slash
           base + R"(,"a":1e2})",                   // exponent where Python writes 100.0
           base + R"(,"a":1.50})",                  // trailing zero
           base + R"(,"a":-0})",                    // negative zero integer
           base + R"(,"a":"\u000a"})",              // long form of \n
           base + R"(, "a":1})",                    // whitespace
           base + R"(,"a":18446744073709551616})",  // beyond uint64: becomes a float
       }) {
    auto r = decodeStep(padded(json));
    EXPECT_FALSE(r) << json;
  }
}

TEST(StepTest, DecodeRefusesBadBase64AndStructure) {
  const std::string good = padded(
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"t","x":12})");
  ASSERT_TRUE(decodeStep(good));
  std::string unpadded = good;
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  ASSERT_NE(unpadded, good);
  EXPECT_FALSE(decodeStep(unpadded));
  std::string std_alphabet = good;
  for (char& c : std_alphabet) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  if (std_alphabet != good) {
    EXPECT_FALSE(decodeStep(std_alphabet));
  }
  EXPECT_FALSE(decodeStep(padded(
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"t","x":1,"x":2})")));
  EXPECT_FALSE(decodeStep(padded(R"(["id","timestamp","type"])")));
  EXPECT_FALSE(decodeStep(
      padded(R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":""})")));
  EXPECT_FALSE(decodeStep(padded(
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"t","_x":1})")));
  EXPECT_FALSE(decodeStep(""));
}

TEST(StepTest, DecodeBoundsSize) {
  std::string big =
      R"({"id":"AAAAAAAAAAAAAAAAAAAA","timestamp":"2024-12-05T10:00:00Z","type":"t","x":")";
  big.append(kMaxStepJsonBytes, 'a');
  big += "\"}";
  auto r = decodeStep(padded(big));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kLimitExceeded);
}

TEST(StepTest, EveryBitFlipAndTruncationIsRefusedOrChangesTheStep) {
  auto enc = encodeStep(sampleStep());
  ASSERT_TRUE(enc);
  for (std::size_t i = 0; i < enc->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string m = *enc;
      m[i] = static_cast<char>(m[i] ^ (1 << bit));
      auto r = decodeStep(m);
      if (r) {
        EXPECT_NE(*r, sampleStep()) << i << ":" << bit;
      }
    }
  }
  for (std::size_t n = 0; n < enc->size(); ++n) {
    EXPECT_FALSE(decodeStep(std::string_view(*enc).substr(0, n))) << n;
  }
}

}  // namespace
}  // namespace gridgate::provenance
