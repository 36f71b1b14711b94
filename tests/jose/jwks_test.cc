#include "jose/jwks.h"

#include <gtest/gtest.h>

#include "jose/jws.h"
#include "jose_test_util.h"
#include "vectors.h"

namespace gridgate::jose {
namespace {

using testing::failsWith;

Json withKid(const char* jwk, const char* kid) {
  Json j = *parseJson(jwk);
  j["kid"] = kid;
  return j;
}

// An issuer's set: three usable keys, one encryption key, and four keys gridgate skips.
std::string mixedSet() {
  Json keys = Json::array();
  keys.push_back(withKid(vectors::kA3PublicJwk, "ec-1"));
  keys.push_back(*parseJson(vectors::kRfc7520RsaJwk));  // kid bilbo..., use sig
  keys.push_back(withKid(vectors::kRfc8037PublicJwk, "ed-1"));
  Json enc = withKid(vectors::kRfc7638Jwk, "ec-1");  // same kid as the EC key, other kty, enc
  enc.erase("alg");
  enc["use"] = "enc";
  keys.push_back(enc);
  keys.push_back(*parseJson(vectors::kA4PublicJwk));                         // P-521
  keys.push_back(Json{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}});  // symmetric
  keys.push_back(Json{{"kty", "OKP"}, {"crv", "X25519"}, {"x", "AAAA"}});
  keys.push_back(Json{{"kty", "EC"}, {"kid", "broken"}, {"crv", "P-256"}, {"x", "!"}, {"y", "A"}});
  return dumpJson(Json{{"keys", keys}});
}

TEST(JwksTest, KeepsUsableKeysAndCountsSkippedOnes) {
  auto set = Jwks::parse(mixedSet());
  ASSERT_TRUE(set) << set.error().detail;
  EXPECT_EQ(set->keys().size(), 4U);
  ASSERT_EQ(set->skipped().size(), 4U);
  EXPECT_EQ(set->skipped()[0].index, 4U);
  EXPECT_EQ(set->skipped()[0].error.code, Errc::kUnsupported);
  EXPECT_EQ(set->skipped()[1].kid, "hmac");
  EXPECT_EQ(set->skipped()[3].kid, "broken");
  EXPECT_EQ(set->skipped()[3].error.code, Errc::kMalformed);
}

TEST(JwksTest, SelectsByKidFirstThenByCompatibility) {
  auto set = Jwks::parse(mixedSet());
  ASSERT_TRUE(set);
  const std::array all{Alg::kES256, Alg::kPS256, Alg::kEdDSA, Alg::kRS256};
  // kid: exactly that kid, and only keys that fit the alg and are for signatures.
  auto c = set->select(Alg::kES256, "ec-1", all);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0]->kty(), "EC");
  EXPECT_TRUE(set->select(Alg::kPS256, "ec-1", all).empty());  // the RSA "ec-1" is enc
  EXPECT_TRUE(set->select(Alg::kES256, "nope", all).empty());  // unknown kid selects nothing
  EXPECT_TRUE(set->select(Alg::kES384, "ec-1", all).empty());  // alg not allowed
  // No kid: by kty/crv/alg/use.
  c = set->select(Alg::kEdDSA, std::nullopt, all);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0]->kid(), "ed-1");
  c = set->select(Alg::kRS256, std::nullopt, all);
  ASSERT_EQ(c.size(), 1U);
  EXPECT_EQ(c[0]->kid(), "bilbo.baggins@hobbiton.example");
  const std::array es_only{Alg::kES256};
  EXPECT_TRUE(set->select(Alg::kEdDSA, std::nullopt, es_only).empty());
  EXPECT_EQ(set->findKid("ed-1")->kty(), "OKP");
  EXPECT_EQ(set->findKid("missing"), nullptr);
}

TEST(JwksTest, VerifierFromJwksVerifiesRfc7520WithKidSelection) {
  auto set = Jwks::parse(mixedSet());
  ASSERT_TRUE(set);
  auto v = Verifier::fromJwks(*set, {Alg::kRS256, Alg::kES256});
  ASSERT_TRUE(v) << v.error().detail;
  const std::string token = std::string(vectors::kRfc7520Rs256Header) + "." +
                            vectors::kRfc7520PayloadB64 + "." + vectors::kRfc7520Rs256Signature;
  EXPECT_TRUE(testing::parseAndVerify(token, *v));
  auto no_rs = Verifier::fromJwks(*set, {Alg::kPS256, Alg::kES256});
  ASSERT_TRUE(no_rs);
  EXPECT_TRUE(failsWith(testing::parseAndVerify(token, *no_rs), Errc::kUnsupported));
  EXPECT_TRUE(failsWith(Verifier::fromJwks(*set, {Alg::kES384}), Errc::kKeyNotFound));
}

TEST(JwksTest, RefusesWholeSetWithPrivateMaterialOrBadShape) {
  Json keys =
      Json::array({withKid(vectors::kA3PublicJwk, "a"), *parseJson(vectors::kA3PrivateJwk)});
  EXPECT_TRUE(failsWith(Jwks::parse(dumpJson(Json{{"keys", keys}})), Errc::kInvalidArgument));
  Json rsa = *parseJson(vectors::kRfc7638Jwk);
  rsa["p"] = "AQAB";  // one stray private member is enough
  EXPECT_TRUE(failsWith(Jwks::parse(dumpJson(Json{{"keys", {rsa}}})), Errc::kInvalidArgument));
  EXPECT_TRUE(failsWith(Jwks::parse("[]"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jwks::parse("{}"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jwks::parse(R"({"keys":{}})"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jwks::parse(R"({"keys":[1]})"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jwks::parse(R"({"keys":[],"keys":[]})"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jwks::parse("{\"keys\":[]"), Errc::kMalformed));
  Json many = Json::array();
  for (int i = 0; i < 3; ++i) many.push_back(withKid(vectors::kA3PublicJwk, "k"));
  EXPECT_TRUE(failsWith(Jwks::parse(dumpJson(Json{{"keys", many}}), JwksLimits{.max_keys = 2}),
                        Errc::kLimitExceeded));
  EXPECT_TRUE(
      failsWith(Jwks::parse(mixedSet(), JwksLimits{.max_bytes = 100}), Errc::kLimitExceeded));
  auto empty = Jwks::parse(R"({"keys":[]})");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(JwksTest, PublishingNeverExportsPrivateMembers) {
  std::vector<Jwk> keys;
  int i = 0;
  for (const auto type :
       {crypto::KeyType::kEcP256, crypto::KeyType::kRsa, crypto::KeyType::kEd25519}) {
    auto k = Jwk::fromKey(*crypto::PKey::generate(type), "k" + std::to_string(i++));
    ASSERT_TRUE(k && k->hasPrivate());
    keys.push_back(*k);
  }
  auto set = Jwks::fromKeys(keys);
  ASSERT_TRUE(set);
  const std::string published = dumpJson(set->toPublicJson());
  for (const char* m : {"\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"", "\"k\""}) {
    EXPECT_EQ(published.find(m), std::string::npos) << m;
  }
  auto again = Jwks::parse(published);  // and a verifier accepts what we publish
  ASSERT_TRUE(again);
  EXPECT_EQ(again->keys().size(), 3U);
  EXPECT_TRUE(again->skipped().empty());
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_EQ(again->keys()[j].thumbprint(), keys[j].thumbprint());
  }
  keys.push_back(keys[0]);
  EXPECT_TRUE(failsWith(Jwks::fromKeys(keys), Errc::kInvalidArgument));  // duplicate kid
  auto no_kid = Jwk::fromKey(keys[0].key());
  EXPECT_TRUE(failsWith(Jwks::fromKeys({*no_kid}), Errc::kInvalidArgument));
}

}  // namespace
}  // namespace gridgate::jose
