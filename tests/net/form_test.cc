#include "net/form.h"

#include <gtest/gtest.h>

namespace gridgate::net {
namespace {

TEST(NetForm, ParsesPairsInOrderWithPlusAsSpace) {
  auto f = parseForm(
      "grant_type=authorization_code&code=abc%2Bdef&redirect_uri=https%3A%2F%2Fc"
      "&scope=a+b");
  ASSERT_TRUE(f) << f.error().detail;
  ASSERT_EQ(f->size(), 4U);
  EXPECT_EQ(f->pairs()[0].first, "grant_type");
  EXPECT_EQ(*f->get("code"), "abc+def");
  EXPECT_EQ(*f->get("redirect_uri"), "https://c");
  EXPECT_EQ(*f->get("scope"), "a b");
  EXPECT_EQ(f->get("missing"), nullptr);
  EXPECT_TRUE(f->duplicates().empty());
}

TEST(NetForm, DuplicatesAreVisible) {
  auto f = parseForm("client_id=a&scope=x&client_id=b&client_id=c&scope=y&state=1");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->duplicates(), (std::vector<std::string>{"client_id", "scope"}));
  EXPECT_EQ(f->count("client_id"), 3U);
  EXPECT_EQ(f->getAll("scope"), (std::vector<std::string_view>{"x", "y"}));
  EXPECT_EQ(*f->get("client_id"), "a");
  auto single = f->single("client_id");
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(f->single("nope").error().code, Errc::kNotFound);
  EXPECT_EQ(*f->single("state"), "1");
}

TEST(NetForm, EmptyPairsSkippedAndNameWithoutValue) {
  auto f = parseForm("&a=1&&b&=v&");
  ASSERT_TRUE(f);
  ASSERT_EQ(f->size(), 3U);
  EXPECT_EQ(*f->get("a"), "1");
  EXPECT_EQ(*f->get("b"), "");
  EXPECT_EQ(*f->get(""), "v");
  EXPECT_TRUE(parseForm("")->empty());
}

TEST(NetForm, RejectsBadEscapes) {
  for (const char* bad : {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=1%2"}) {
    auto f = parseForm(bad);
    ASSERT_FALSE(f) << bad;
    EXPECT_EQ(f.error().code, Errc::kMalformed) << bad;
  }
}

TEST(NetForm, RejectsRawBytesOutsidePrintableAscii) {
  for (std::string bad :
       {std::string("a=b c"), std::string("a=b\tc"), std::string("a=\x7f"),
        std::string("a=\xc3\xa9"), std::string("a=b\nc"), std::string("a=\0", 3)}) {
    EXPECT_FALSE(parseForm(bad)) << bad;
  }
}

TEST(NetForm, RejectsInvalidUtf8AfterDecoding) {
  EXPECT_TRUE(parseForm("name=%C3%A9")) << "valid two-byte sequence";
  EXPECT_FALSE(parseForm("name=%C3"));           // truncated
  EXPECT_FALSE(parseForm("name=%C0%AF"));        // overlong '/'
  EXPECT_FALSE(parseForm("name=%ED%A0%80"));     // surrogate
  EXPECT_FALSE(parseForm("name=%F4%90%80%80"));  // > U+10FFFF
  EXPECT_FALSE(parseForm("name=%80"));
}

TEST(NetForm, Limits) {
  std::string many;
  for (int i = 0; i < 300; ++i) many += "a=1&";
  auto f = parseForm(many);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::kLimitExceeded);
  EXPECT_TRUE(parseForm(many, FormLimits{.max_pairs = 300}));
  EXPECT_EQ(parseForm("a=1", FormLimits{.max_bytes = 2}).error().code, Errc::kLimitExceeded);
}

TEST(NetForm, PercentDecodePathKeepsPlus) {
  EXPECT_EQ(*percentDecode("a+b%20c", false), "a+b c");
  EXPECT_EQ(*percentDecode("a+b%20c", true), "a b c");
}

TEST(NetForm, EncodeRoundTrips) {
  const std::vector<Form::Pair> pairs{{"redirect_uri", "https://c.example/cb?x=1&y=2"},
                                      {"scope", "openid profile"},
                                      {"unicode", "caf\xc3\xa9"},
                                      {"empty", ""}};
  const std::string encoded = encodeForm(pairs);
  EXPECT_EQ(encoded.find(' '), std::string::npos);
  auto back = parseForm(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->pairs(), pairs);
}

TEST(NetForm, QueryUsesTheSameGrammar) {
  auto q = parseQuery("client_id=c1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax");
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->get("request_uri"), "urn:ietf:params:oauth:request_uri:x");
}

TEST(NetUtf8, Validation) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("\xe2\x82\xac"));
  EXPECT_TRUE(isValidUtf8("\xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));
  EXPECT_FALSE(isValidUtf8("\xc1\xbf"));
  EXPECT_FALSE(isValidUtf8("\xf8\x88\x80\x80\x80"));
}

}  // namespace
}  // namespace gridgate::net
