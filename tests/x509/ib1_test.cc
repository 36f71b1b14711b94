#include "x509/ib1.h"

#include <gtest/gtest.h>

namespace gridgate::x509 {
namespace {

const std::string kCarbon =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";
const std::string kEnergy =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/energy-data-provider";
const std::string kMember = "https://directory.core.trust.ib1.org/m/demo-member";

Bytes withHeader(std::initializer_list<std::uint8_t> header, std::string_view body) {
  Bytes out(header);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Golden DER, written out by hand from X.690: the encoder must produce exactly these bytes.
TEST(Ib1, RolesGoldenDer) {
  ASSERT_EQ(kCarbon.size(), 82u);
  const std::vector<std::string> one = {kCarbon};
  auto der = encodeIb1Roles(one);
  ASSERT_TRUE(der) << der.error().detail;
  EXPECT_EQ(hexEncode(*der),
            "30540c5268747470733a2f2f72656769737472792e636f72652e74727573742e6962312e6f72672f73"
            "6368656d652f706572736575732f726f6c652f636172626f6e2d6163636f756e74696e672d70726f76"
            "69646572");
  // Two roles: 84 + 78 = 162 content bytes, so the SEQUENCE length takes the long form 81 A2.
  ASSERT_EQ(kEnergy.size(), 76u);
  const std::vector<std::string> two = {kCarbon, kEnergy};
  auto der2 = encodeIb1Roles(two);
  ASSERT_TRUE(der2);
  Bytes expected = {0x30, 0x81, 0xa2, 0x0c, 0x52};
  expected.insert(expected.end(), kCarbon.begin(), kCarbon.end());
  expected.push_back(0x0c);
  expected.push_back(0x4c);
  expected.insert(expected.end(), kEnergy.begin(), kEnergy.end());
  EXPECT_EQ(*der2, expected);
  auto back = decodeIb1Roles(*der2);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(*back, two);
}

TEST(Ib1, MemberGoldenDer) {
  auto der = encodeIb1Member(kMember);
  ASSERT_TRUE(der) << der.error().detail;
  EXPECT_EQ(*der, withHeader({0x0c, 0x32}, kMember));
  auto back = decodeIb1Member(*der);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, kMember);
}

TEST(Ib1, Utf8RoundTrip) {
  const std::vector<std::string> roles = {"https://example.org/r\xC3\xB4le/\xF0\x9F\x94\x8C"};
  auto der = encodeIb1Roles(roles);
  ASSERT_TRUE(der);
  auto back = decodeIb1Roles(*der);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, roles);
}

TEST(Ib1, EmptySequenceDecodesToNoRoles) {
  const Bytes empty = {0x30, 0x00};
  auto roles = decodeIb1Roles(empty);
  ASSERT_TRUE(roles);
  EXPECT_TRUE(roles->empty());
}

TEST(Ib1, EncoderRefusesBadInput) {
  EXPECT_EQ(encodeIb1Roles({}).error().code, Errc::kInvalidArgument);
  const std::vector<std::string> with_empty = {kCarbon, ""};
  EXPECT_EQ(encodeIb1Roles(with_empty).error().code, Errc::kInvalidArgument);
  const std::vector<std::string> with_nul = {std::string("a\0b", 3)};
  EXPECT_EQ(encodeIb1Roles(with_nul).error().code, Errc::kInvalidArgument);
  const std::vector<std::string> bad_utf8 = {"\xC3\x28"};
  EXPECT_EQ(encodeIb1Roles(bad_utf8).error().code, Errc::kInvalidArgument);
  const std::vector<std::string> too_many(kMaxIb1Roles + 1, kCarbon);
  EXPECT_EQ(encodeIb1Roles(too_many).error().code, Errc::kLimitExceeded);
  EXPECT_EQ(encodeIb1Member(std::string(kMaxIb1UrlLength + 1, 'a')).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(encodeIb1Member("").error().code, Errc::kInvalidArgument);
}

TEST(Ib1, DecoderBitFlipsNeverCrashAndTruncationsFail) {
  const std::vector<std::string> two = {kCarbon, kEnergy};
  const Bytes der = *encodeIb1Roles(two);
  for (std::size_t len = 0; len < der.size(); ++len) {
    EXPECT_FALSE(decodeIb1Roles(ByteView(der.data(), len))) << len;
  }
  for (std::size_t i = 0; i < der.size() * 8; ++i) {
    Bytes flipped = der;
    flipped[i / 8] = static_cast<std::uint8_t>(flipped[i / 8] ^ (1u << (i % 8)));
    auto r = decodeIb1Roles(flipped);
    // A flip inside a string may yield another valid URL; a flip in the structure may not pass.
    if (r && i / 8 < 5) ADD_FAILURE() << "structural flip accepted at bit " << i;
  }
}

}  // namespace
}  // namespace gridgate::x509
