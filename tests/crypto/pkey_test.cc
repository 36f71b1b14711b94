#include "crypto/pkey.h"

#include <gtest/gtest.h>

namespace gridgate::crypto {
namespace {

struct Case {
  KeyType type;
  SigScheme scheme;
  const char* name;
};

class SignVerifyTest : public ::testing::TestWithParam<Case> {};

TEST_P(SignVerifyTest, SignsVerifiesAndRejectsEveryBitFlipAndTruncation) {
  const Case c = GetParam();
  auto key = PKey::generate(c.type);
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_TRUE(key->hasPrivate());
  auto pub = key->publicOnly();
  ASSERT_TRUE(pub);
  EXPECT_FALSE(pub->hasPrivate());
  EXPECT_TRUE(pub->samePublicKey(*key));

  const std::string msg = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";
  auto sig = sign(*key, c.scheme, asBytes(msg));
  ASSERT_TRUE(sig) << sig.error().detail;
  ASSERT_TRUE(verify(*pub, c.scheme, asBytes(msg), *sig));

  // Every single-bit change of the signature fails (sampled for RSA, whose signatures are long).
  const std::size_t step = sig->size() > 100 ? 7 : 1;
  for (std::size_t i = 0; i < sig->size(); i += step) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes bad = *sig;
      bad[i] ^= static_cast<std::uint8_t>(1U << bit);
      EXPECT_FALSE(verify(*pub, c.scheme, asBytes(msg), bad)) << "byte " << i << " bit " << bit;
    }
  }
  for (std::size_t n = 0; n < sig->size(); n += step) {
    Bytes cut(sig->begin(), sig->begin() + static_cast<long>(n));
    EXPECT_FALSE(verify(*pub, c.scheme, asBytes(msg), cut)) << "truncated to " << n;
  }
  // And any change to the message fails.
  std::string other = msg;
  other[3] ^= 1;
  EXPECT_FALSE(verify(*pub, c.scheme, asBytes(other), *sig));
}

INSTANTIATE_TEST_SUITE_P(Schemes, SignVerifyTest,
                         ::testing::Values(Case{KeyType::kEcP256, SigScheme::kEcdsaSha256, "ES256"},
                                           Case{KeyType::kEcP384, SigScheme::kEcdsaSha384, "ES384"},
                                           Case{KeyType::kRsa, SigScheme::kRsaPssSha256, "PS256"},
                                           Case{KeyType::kRsa, SigScheme::kRsaPkcs1Sha256, "RS256"},
                                           Case{KeyType::kEd25519, SigScheme::kEd25519, "EdDSA"}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(PKeyTest, PemRoundTrip) {
  auto key = PKey::generate(KeyType::kEcP256);
  ASSERT_TRUE(key);
  auto pem = key->privatePem();
  ASSERT_TRUE(pem);
  EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
  auto back = PKey::fromPem(*pem);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->hasPrivate());
  EXPECT_TRUE(back->samePublicKey(*key));
  auto pub_pem = key->publicPem();
  ASSERT_TRUE(pub_pem);
  auto pub = PKey::fromPem(*pub_pem);
  ASSERT_TRUE(pub);
  EXPECT_FALSE(pub->hasPrivate());
  EXPECT_FALSE(PKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(PKey::fromPem("garbage"));
}

TEST(PKeyTest, RefusesWeakRsaAndWrongScheme) {
  EXPECT_FALSE(PKey::generate(KeyType::kRsa, 1024));
  auto ec = PKey::generate(KeyType::kEcP256);
  ASSERT_TRUE(ec);
  EXPECT_FALSE(sign(*ec, SigScheme::kEcdsaSha384, asBytes("x")));
  EXPECT_FALSE(sign(*ec, SigScheme::kRsaPssSha256, asBytes("x")));
  auto pub = ec->publicOnly();
  EXPECT_FALSE(sign(*pub, SigScheme::kEcdsaSha256, asBytes("x")));
}

TEST(PKeyTest, EcdsaDerRawConversion) {
  auto key = PKey::generate(KeyType::kEcP256);
  ASSERT_TRUE(key);
  for (int i = 0; i < 50; ++i) {
    auto der = sign(*key, SigScheme::kEcdsaSha256, asBytes("m" + std::to_string(i)));
    ASSERT_TRUE(der);
    auto raw = ecdsaDerToRaw(*der, 32);
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->size(), 64U);
    auto back = ecdsaRawToDer(*raw, 32);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, *der);
  }
  EXPECT_FALSE(ecdsaRawToDer(Bytes(63), 32));
  EXPECT_FALSE(ecdsaDerToRaw(Bytes{0x30, 0x02, 0x01}, 32));
}

}  // namespace
}  // namespace gridgate::crypto
