#include "crypto/digest.h"

#include <gtest/gtest.h>

namespace gridgate::crypto {
namespace {

TEST(DigestTest, KnownVectors) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hexEncode(digest(DigestAlg::kSha384, asBytes("abc"))).substr(0, 16),
            "cb00753f45a35e8b");
  // RFC 7636 appendix B: the S256 challenge of the example verifier.
  EXPECT_EQ(sha256B64url(asBytes("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(DigestTest, Hmac) {
  // RFC 4231 test case 2.
  const auto mac = hmacSha256(asBytes("Jefe"), asBytes("what do ya want for nothing?"));
  EXPECT_EQ(hexEncode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

}  // namespace
}  // namespace gridgate::crypto
