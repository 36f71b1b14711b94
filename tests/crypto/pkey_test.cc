#include "crypto/pkey.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "crypto/prepared_signer.h"

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

// crypto::PreparedSigner: its signatures verify through the independent crypto::verify path
// (EVP_DigestVerify), also from several threads sharing one signer (the pooled contexts).
TEST_P(SignVerifyTest, PreparedSignerSignaturesVerifyFromManyThreads) {
  const Case c = GetParam();
  auto key = PKey::generate(c.type);
  ASSERT_TRUE(key) << key.error().detail;
  auto pub = key->publicOnly();
  ASSERT_TRUE(pub);
  auto signer = PreparedSigner::create(*key, c.scheme);
  ASSERT_TRUE(signer) << signer.error().detail;
  EXPECT_EQ((*signer)->scheme(), c.scheme);

  const std::string msg = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0";
  auto sig = (*signer)->sign(asBytes(msg));
  ASSERT_TRUE(sig) << sig.error().detail;
  EXPECT_TRUE(verify(*pub, c.scheme, asBytes(msg), *sig));
  std::string other = msg;
  other[5] ^= 1;
  EXPECT_FALSE(verify(*pub, c.scheme, asBytes(other), *sig));
  if (c.scheme == SigScheme::kEd25519 || c.scheme == SigScheme::kRsaPkcs1Sha256) {
    // Deterministic schemes: the same bytes as the unprepared path.
    auto plain = sign(*key, c.scheme, asBytes(msg));
    ASSERT_TRUE(plain);
    EXPECT_EQ(*sig, *plain);
  }

  // One signer, several threads at once, each message its own: every signature verifies.
  const int threads = 4;
  const int per_thread = c.type == KeyType::kRsa ? 5 : 40;
  std::atomic<int> good{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string m = msg + "." + std::to_string(t) + "." + std::to_string(i);
        auto s = (*signer)->sign(asBytes(m));
        if (s && verify(*pub, c.scheme, asBytes(m), *s)) ++good;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(good.load(), threads * per_thread);
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

TEST(PreparedSignerRefusals, PublicKeyAndSchemeOfAnotherKeyType) {
  auto key = PKey::generate(KeyType::kEcP256);
  ASSERT_TRUE(key);
  auto pub = key->publicOnly();
  ASSERT_TRUE(pub);
  auto no_private = PreparedSigner::create(*pub, SigScheme::kEcdsaSha256);
  ASSERT_FALSE(no_private);
  EXPECT_EQ(no_private.error().code, Errc::kInvalidArgument);
  auto wrong_scheme = PreparedSigner::create(*key, SigScheme::kEcdsaSha384);
  ASSERT_FALSE(wrong_scheme);
  EXPECT_EQ(wrong_scheme.error().code, Errc::kInvalidArgument);
  auto empty = PreparedSigner::create(PKey(), SigScheme::kEcdsaSha256);
  EXPECT_FALSE(empty);
}

}  // namespace
}  // namespace gridgate::crypto
