#include "jose/alg.h"

#include <gtest/gtest.h>

#include "jose_test_util.h"

namespace gridgate::jose {
namespace {

using testing::failsWith;

TEST(AlgTest, ParsesExactlyTheFiveNamesAndRoundTrips) {
  for (const Alg alg : {Alg::kES256, Alg::kES384, Alg::kPS256, Alg::kEdDSA, Alg::kRS256}) {
    auto parsed = parseAlg(algName(alg));
    ASSERT_TRUE(parsed) << algName(alg);
    EXPECT_EQ(*parsed, alg);
    EXPECT_TRUE(crypto::schemeFitsKey(algScheme(alg), algKeyType(alg)));
  }
}

TEST(AlgTest, RefusesEverythingElse) {
  for (const char* name :
       {"none",   "None",   "NONE",    "",         "HS256", "HS384",   "HS512", "ES512",
        "ES256K", "RS384",  "RS512",   "PS384",    "PS512", "Ed25519", "Ed448", "es256",
        "ES256 ", " ES256", "EdDSA\n", "RSA-OAEP", "dir",   "A128KW"}) {
    EXPECT_TRUE(failsWith(parseAlg(name), Errc::kUnsupported)) << '"' << name << '"';
  }
  EXPECT_TRUE(failsWith(parseAlg(std::string_view("ES256\0", 6)), Errc::kUnsupported));
}

TEST(AlgTest, KeyTypesAndEcdsaSizes) {
  EXPECT_TRUE(algFitsKey(Alg::kES256, crypto::KeyType::kEcP256));
  EXPECT_FALSE(algFitsKey(Alg::kES256, crypto::KeyType::kEcP384));
  EXPECT_FALSE(algFitsKey(Alg::kES384, crypto::KeyType::kEcP256));
  EXPECT_TRUE(algFitsKey(Alg::kPS256, crypto::KeyType::kRsa));
  EXPECT_TRUE(algFitsKey(Alg::kRS256, crypto::KeyType::kRsa));
  EXPECT_FALSE(algFitsKey(Alg::kEdDSA, crypto::KeyType::kRsa));
  EXPECT_EQ(ecdsaCoordSize(Alg::kES256), 32U);
  EXPECT_EQ(ecdsaCoordSize(Alg::kES384), 48U);
  EXPECT_EQ(ecdsaCoordSize(Alg::kPS256), 0U);
  EXPECT_FALSE(algCanSign(Alg::kRS256));
  EXPECT_TRUE(algCanSign(Alg::kPS256));
}

}  // namespace
}  // namespace gridgate::jose
