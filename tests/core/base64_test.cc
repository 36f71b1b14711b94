#include "core/base64.h"

#include <gtest/gtest.h>

namespace gridgate {
namespace {

std::string decodeUrl(std::string_view s, Padding p = Padding::kForbidden) {
  auto r = base64urlDecode(s, p);
  return r ? toString(*r) : std::string("<error>");
}

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, enc] : vectors) {
    EXPECT_EQ(base64Encode(asBytes(plain)), enc);
    auto back = base64Decode(enc);
    ASSERT_TRUE(back) << enc;
    EXPECT_EQ(toString(*back), plain);
    std::string url(enc);
    while (!url.empty() && url.back() == '=') url.pop_back();
    EXPECT_EQ(base64urlEncode(asBytes(plain)), url);
    EXPECT_EQ(decodeUrl(url), plain);
    EXPECT_EQ(base64urlEncode(asBytes(plain), Padding::kRequired), enc);
  }
}

TEST(Base64Test, UrlAlphabet) {
  const Bytes b{0xfb, 0xff, 0xbf};
  EXPECT_EQ(base64urlEncode(b), "-_-_");
  EXPECT_EQ(base64Encode(b), "+/+/");
  EXPECT_FALSE(base64urlDecode("+/+/"));
  EXPECT_FALSE(base64Decode("-_-_"));
}

TEST(Base64Test, StrictDecoderRejects) {
  EXPECT_FALSE(base64urlDecode("Zg=="));                     // padding forbidden in JOSE
  EXPECT_FALSE(base64urlDecode("Zg", Padding::kRequired));   // padding required
  EXPECT_FALSE(base64urlDecode("Zg=", Padding::kOptional));  // wrong padding
  EXPECT_FALSE(base64urlDecode("Z"));                        // impossible length
  EXPECT_FALSE(base64urlDecode("Zh"));                       // non-canonical trailing bits
  EXPECT_FALSE(base64urlDecode("Zm9"));                      // 'f','o' + bits... trailing
  EXPECT_FALSE(base64urlDecode("Zm 9v"));                    // whitespace
  EXPECT_FALSE(base64urlDecode("Zm9v\n"));
  EXPECT_FALSE(base64urlDecode("Zm9v*"));
  EXPECT_FALSE(base64urlDecode(std::string_view("Zm\0v", 4)));
  EXPECT_TRUE(base64urlDecode("Zg==", Padding::kOptional));
  EXPECT_TRUE(base64urlDecode("Zg", Padding::kOptional));
  EXPECT_FALSE(base64urlDecode("Zg===", Padding::kOptional));
}

TEST(Base64Test, RoundTripsEveryLength) {
  Bytes data;
  for (int i = 0; i < 300; ++i) {
    auto back = base64urlDecode(base64urlEncode(data));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, data);
    data.push_back(static_cast<std::uint8_t>(i * 7));
  }
}

TEST(HexTest, Encodes) { EXPECT_EQ(hexEncode(Bytes{0x00, 0xab, 0xff}), "00abff"); }

}  // namespace
}  // namespace gridgate
