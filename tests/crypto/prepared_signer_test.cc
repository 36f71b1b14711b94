// crypto::PreparedSigner: every scheme's signatures verify through the independent crypto::verify
// path (EVP_DigestVerify), from many threads sharing one signer (the pooled contexts), and what
// cannot sign is refused at creation.
#include "crypto/prepared_signer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace gridgate::crypto {
namespace {

struct Case {
  KeyType type;
  SigScheme scheme;
  const char* name;
};

class PreparedSignerTest : public ::testing::TestWithParam<Case> {};

TEST_P(PreparedSignerTest, SignaturesVerifyFromManyThreads) {
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

INSTANTIATE_TEST_SUITE_P(Schemes, PreparedSignerTest,
                         ::testing::Values(Case{KeyType::kEcP256, SigScheme::kEcdsaSha256, "ES256"},
                                           Case{KeyType::kEcP384, SigScheme::kEcdsaSha384, "ES384"},
                                           Case{KeyType::kRsa, SigScheme::kRsaPssSha256, "PS256"},
                                           Case{KeyType::kRsa, SigScheme::kRsaPkcs1Sha256, "RS256"},
                                           Case{KeyType::kEd25519, SigScheme::kEd25519, "EdDSA"}),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

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
