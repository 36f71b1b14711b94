#include "jose/jws.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "jose_test_util.h"
#include "vectors.h"

namespace gridgate::jose {
namespace {

using testing::expectEveryCorruptionRejected;
using testing::failsWith;
using testing::parseAndVerify;

Jwk jwkFrom(const char* json, PrivateMembers priv = PrivateMembers::kAllow) {
  auto jwk = Jwk::parseText(json, JwkParseOptions{.private_members = priv});
  EXPECT_TRUE(jwk) << jwk.error().detail;
  return *jwk;
}

Verifier pinned(Alg alg, const Jwk& key) {
  auto v = Verifier::Builder().allow(alg, key).build();
  EXPECT_TRUE(v) << v.error().detail;
  return std::move(*v);
}

std::string join(const char* h, const char* p, const char* s) {
  return std::string(h) + "." + p + "." + s;
}

// ---- published vectors ----------------------------------------------------------------------

TEST(JwsVectors, Rfc7515A3Es256Verifies) {
  const std::string token =
      join(vectors::kA3Header, vectors::kRfc7515Payload, vectors::kA3Signature);
  const Verifier v = pinned(Alg::kES256, jwkFrom(vectors::kA3PublicJwk));
  auto jws = Jws::parse(token);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->alg(), Alg::kES256);
  EXPECT_FALSE(jws->kid());
  EXPECT_EQ(jws->signature().size(), 64U);
  EXPECT_EQ(jws->payload(),
            "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
  EXPECT_TRUE(v.verify(*jws));
}

TEST(JwsVectors, Rfc7515A2Rs256VerifiesOnlyWhenConfigured) {
  const std::string token =
      join(vectors::kA2Header, vectors::kRfc7515Payload, vectors::kA2Signature);
  const Jwk key = jwkFrom(vectors::kA2Jwk);
  EXPECT_TRUE(parseAndVerify(token, pinned(Alg::kRS256, key)));
  // The same RSA key pinned for PS256 only: RS256 is off unless configured.
  EXPECT_TRUE(failsWith(parseAndVerify(token, pinned(Alg::kPS256, key)), Errc::kUnsupported));
  // And gridgate never signs RS256.
  EXPECT_TRUE(failsWith(Signer::create(Alg::kRS256, key), Errc::kUnsupported));
}

TEST(JwsVectors, Rfc7515A4Es512IsRefused) {
  EXPECT_TRUE(failsWith(Jws::parse(vectors::kA4Token), Errc::kUnsupported));
  EXPECT_TRUE(failsWith(Jwk::parseText(vectors::kA4PublicJwk), Errc::kUnsupported));
}

TEST(JwsVectors, Rfc7520Section4) {
  const Jwk rsa = jwkFrom(vectors::kRfc7520RsaJwk, PrivateMembers::kReject);
  EXPECT_EQ(rsa.kid(), "bilbo.baggins@hobbiton.example");
  // 4.1 RS256.
  auto jws = Jws::parse(join(vectors::kRfc7520Rs256Header, vectors::kRfc7520PayloadB64,
                             vectors::kRfc7520Rs256Signature));
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->kid(), "bilbo.baggins@hobbiton.example");
  EXPECT_EQ(jws->payload(), vectors::kRfc7520Payload);
  EXPECT_TRUE(pinned(Alg::kRS256, rsa).verify(*jws));
  // 4.2 PS384, 4.3 ES512, 4.4 HS256: algorithms gridgate refuses.
  for (const auto& [h, s] :
       {std::pair{vectors::kRfc7520Ps384Header, vectors::kRfc7520Ps384Signature},
        std::pair{vectors::kRfc7520Es512Header, vectors::kRfc7520Es512Signature},
        std::pair{vectors::kRfc7520Hs256Header, vectors::kRfc7520Hs256Signature}}) {
    EXPECT_TRUE(failsWith(Jws::parse(join(h, vectors::kRfc7520PayloadB64, s)), Errc::kUnsupported));
  }
  // 3.1's P-521 key is refused as a key.
  EXPECT_TRUE(failsWith(Jwk::parseText(vectors::kRfc7520EcP521Jwk), Errc::kUnsupported));
}

TEST(JwsVectors, Rfc8037A4Ed25519SignsAndVerifiesByteExactly) {
  const Jwk priv = jwkFrom(vectors::kRfc8037PrivateJwk, PrivateMembers::kRequire);
  auto signer = Signer::create(Alg::kEdDSA, priv);
  ASSERT_TRUE(signer) << signer.error().detail;
  auto token = signer->sign(Json(), vectors::kRfc8037Payload);
  ASSERT_TRUE(token) << token.error().detail;
  EXPECT_EQ(*token, vectors::kRfc8037Token);  // Ed25519 is deterministic
  const Jwk pub = jwkFrom(vectors::kRfc8037PublicJwk, PrivateMembers::kReject);
  EXPECT_TRUE(parseAndVerify(vectors::kRfc8037Token, pinned(Alg::kEdDSA, pub)));
}

// ---- round trips and the corruption sweep, per algorithm --------------------------------------

struct AlgCase {
  Alg alg;
  crypto::KeyType type;
};

class JwsPerAlg : public ::testing::TestWithParam<AlgCase> {
 protected:
  // RS256 cannot sign here: its tokens are made with the same RSA key through crypto::sign.
  static std::string makeToken(Alg alg, const Jwk& key, const Json& header_extra,
                               std::string_view payload) {
    if (alg != Alg::kRS256) {
      auto signer = Signer::create(alg, key);
      EXPECT_TRUE(signer) << signer.error().detail;
      auto token = signer->sign(header_extra, payload);
      EXPECT_TRUE(token) << token.error().detail;
      return *token;
    }
    Json header = header_extra.is_null() ? Json::object() : header_extra;
    header["alg"] = "RS256";
    if (!key.kid().empty()) header["kid"] = key.kid();
    std::string input =
        base64urlEncode(asBytes(dumpJson(header))) + "." + base64urlEncode(asBytes(payload));
    auto sig = crypto::sign(key.key(), crypto::SigScheme::kRsaPkcs1Sha256, asBytes(input));
    EXPECT_TRUE(sig);
    return input + "." + base64urlEncode(*sig);
  }
};

TEST_P(JwsPerAlg, SignVerifyAndRejectEveryBitFlipAndTruncation) {
  const AlgCase c = GetParam();
  auto pkey = crypto::PKey::generate(c.type);
  ASSERT_TRUE(pkey);
  auto key = Jwk::fromKey(*pkey, "k1", c.alg);
  ASSERT_TRUE(key);
  const std::string token =
      makeToken(c.alg, *key, Json{{"typ", "at+jwt"}}, R"({"sub":"alice","n":1})");
  auto jws = Jws::parse(token);
  ASSERT_TRUE(jws) << jws.error().detail;
  EXPECT_EQ(jws->alg(), c.alg);
  EXPECT_EQ(jws->kid(), "k1");
  EXPECT_EQ(jws->typ(), "at+jwt");
  EXPECT_EQ(jws->payload(), R"({"sub":"alice","n":1})");
  if (const std::size_t coord = ecdsaCoordSize(c.alg)) {
    EXPECT_EQ(jws->signature().size(), 2 * coord);  // JOSE r||s, not DER
  }
  const Verifier verifier = pinned(c.alg, *key);
  expectEveryCorruptionRejected(token, verifier);
}

TEST_P(JwsPerAlg, AnotherKeyOfTheSameTypeFails) {
  const AlgCase c = GetParam();
  auto a = Jwk::fromKey(*crypto::PKey::generate(c.type), "k1");
  auto b = Jwk::fromKey(*crypto::PKey::generate(c.type), "k1");
  ASSERT_TRUE(a && b);
  const std::string token = makeToken(c.alg, *a, Json(), "x");
  EXPECT_TRUE(failsWith(parseAndVerify(token, pinned(c.alg, *b)), Errc::kBadSignature));
  // Two keys pinned under the same kid: the right one is found.
  auto both = Verifier::Builder().allow(c.alg, *b).allow(c.alg, *a).build();
  ASSERT_TRUE(both);
  auto which = both->verifyReturningKey(*Jws::parse(token));
  ASSERT_TRUE(which);
  EXPECT_EQ((*which)->thumbprint(), a->thumbprint());
}

INSTANTIATE_TEST_SUITE_P(Algs, JwsPerAlg,
                         ::testing::Values(AlgCase{Alg::kES256, crypto::KeyType::kEcP256},
                                           AlgCase{Alg::kES384, crypto::KeyType::kEcP384},
                                           AlgCase{Alg::kPS256, crypto::KeyType::kRsa},
                                           AlgCase{Alg::kEdDSA, crypto::KeyType::kEd25519},
                                           AlgCase{Alg::kRS256, crypto::KeyType::kRsa}),
                         [](const auto& p) { return std::string(algName(p.param.alg)); });

// ---- the header chooses nothing ---------------------------------------------------------------

class JwsHeaderPolicy : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = crypto::PKey::generate(crypto::KeyType::kEcP256);
    ASSERT_TRUE(k);
    key_ = *Jwk::fromKey(*k, "ec-1", Alg::kES256);
    signer_ = std::make_unique<Signer>(*Signer::create(Alg::kES256, key_));
  }
  // Signs with a header built by hand (the Signer refuses these members on purpose).
  std::string signRaw(const Json& header, std::string_view payload = "{}") const {
    std::string input =
        base64urlEncode(asBytes(dumpJson(header))) + "." + base64urlEncode(asBytes(payload));
    auto der = crypto::sign(key_.key(), crypto::SigScheme::kEcdsaSha256, asBytes(input));
    auto raw = crypto::ecdsaDerToRaw(*der, 32);
    return input + "." + base64urlEncode(*raw);
  }
  Jwk key_ = *Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEd25519));
  std::unique_ptr<Signer> signer_;
};

TEST_F(JwsHeaderPolicy, KeyReferencesAndEmbeddedKeysAreRefused) {
  const Verifier v = pinned(Alg::kES256, key_);
  const Json base{{"alg", "ES256"}, {"kid", "ec-1"}};
  EXPECT_TRUE(parseAndVerify(signRaw(base), v));
  for (const auto& [name, value] :
       {std::pair<std::string, Json>{"jku", "https://evil.example/jwks"},
        {"x5u", "https://evil.example/c.pem"},
        {"x5c", Json::array({"MIIB"})},
        {"jwk", key_.toPublicJson()}}) {
    Json h = base;
    h[name] = value;
    // Even the pinned key itself, embedded, is refused: the header never brings a key.
    EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), v), Errc::kUnsupported)) << name;
  }
}

TEST_F(JwsHeaderPolicy, CritAndB64) {
  const Json base{{"alg", "ES256"}, {"kid", "ec-1"}};
  const Verifier plain = pinned(Alg::kES256, key_);
  auto understanding = Verifier::Builder().allow(Alg::kES256, key_).understandCrit("ext").build();
  ASSERT_TRUE(understanding);

  Json h = base;
  h["crit"] = {"ext"};
  h["ext"] = 1;
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), plain), Errc::kUnsupported));
  EXPECT_TRUE(parseAndVerify(signRaw(h), *understanding));  // configured: accepted
  h.erase("ext");                                           // crit names an absent member
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), *understanding), Errc::kMalformed));
  h = base;
  h["crit"] = Json::array();
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), *understanding), Errc::kMalformed));
  h["crit"] = {"kid"};  // registered names may not be critical
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), *understanding), Errc::kMalformed));
  h["crit"] = {"ext", "ext"};
  h["ext"] = 1;
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), *understanding), Errc::kMalformed));
  h["crit"] = "ext";
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), *understanding), Errc::kMalformed));

  h = base;
  h["b64"] = false;
  h["crit"] = {"b64"};
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), plain), Errc::kUnsupported));
  h.erase("crit");
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw(h), plain), Errc::kUnsupported));
}

TEST_F(JwsHeaderPolicy, KidSelectsAmongPinnedKeysOnly) {
  auto other = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256), "ec-2");
  ASSERT_TRUE(other);
  auto v = Verifier::Builder().allow(Alg::kES256, *other).allow(Alg::kES256, key_).build();
  ASSERT_TRUE(v);
  EXPECT_TRUE(parseAndVerify(signRaw({{"alg", "ES256"}, {"kid", "ec-1"}}), *v));
  EXPECT_TRUE(parseAndVerify(signRaw({{"alg", "ES256"}}), *v));  // no kid: every ES256 key tried
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw({{"alg", "ES256"}, {"kid", "ec-2"}}), *v),
                        Errc::kBadSignature));
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw({{"alg", "ES256"}, {"kid", "nope"}}), *v),
                        Errc::kKeyNotFound));
  auto strict = Verifier::Builder().allow(Alg::kES256, key_).requireKid().build();
  ASSERT_TRUE(strict);
  EXPECT_TRUE(failsWith(parseAndVerify(signRaw({{"alg", "ES256"}}), *strict), Errc::kKeyNotFound));
  EXPECT_EQ(v->algs(), std::vector<Alg>{Alg::kES256});
}

TEST_F(JwsHeaderPolicy, AlgMustBePinnedAndFitTheKey) {
  // EdDSA token while only ES256 is pinned.
  auto ed = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEd25519), "ec-1");
  auto ed_signer = Signer::create(Alg::kEdDSA, *ed);
  ASSERT_TRUE(ed_signer);
  EXPECT_TRUE(failsWith(parseAndVerify(*ed_signer->sign(Json(), "{}"), pinned(Alg::kES256, key_)),
                        Errc::kUnsupported));
  // The builder refuses pairs that do not fit.
  EXPECT_TRUE(
      failsWith(Verifier::Builder().allow(Alg::kES384, key_).build(), Errc::kInvalidArgument));
  EXPECT_TRUE(
      failsWith(Verifier::Builder().allow(Alg::kPS256, key_).build(), Errc::kInvalidArgument));
  EXPECT_TRUE(failsWith(Verifier::Builder().build(), Errc::kInvalidArgument));
  // A Jwk that declares alg ES256 can't be pinned for... ES256 only; use "enc" keys never.
  auto enc = Jwk::fromKey(key_.key(), "e", std::nullopt, KeyUse::kEncryption);
  EXPECT_TRUE(
      failsWith(Verifier::Builder().allow(Alg::kES256, *enc).build(), Errc::kInvalidArgument));
}

TEST_F(JwsHeaderPolicy, ParseIsStrict) {
  const std::string good = *signer_->sign(Json(), "{}");
  ASSERT_TRUE(Jws::parse(good));
  EXPECT_TRUE(failsWith(Jws::parse(good + "."), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse(good.substr(0, good.rfind('.'))), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse(".e30.c2ln"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse(""), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse("..."), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse(good, JwsLimits{.max_bytes = 50}), Errc::kLimitExceeded));
  // Empty payload is allowed by RFC 7515 (detached content is not, but an empty one is).
  auto empty = signer_->sign(Json(), "");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(parseAndVerify(*empty, pinned(Alg::kES256, key_)));
  // Header nesting bound.
  Json deep = Json::array();
  for (int i = 0; i < 10; ++i) deep = Json::array({deep});
  EXPECT_TRUE(
      failsWith(Jws::parse(signRaw({{"alg", "ES256"}, {"x", deep}})), Errc::kLimitExceeded));
  EXPECT_TRUE(failsWith(Jws::parse(signRaw({{"alg", "ES256"}, {"kid", 7}})), Errc::kMalformed));
  EXPECT_TRUE(failsWith(Jws::parse(signRaw({{"alg", "ES256"}, {"typ", true}})), Errc::kMalformed));
}

TEST_F(JwsHeaderPolicy, SignerHeaderRules) {
  for (const char* name : {"alg", "kid", "crit", "b64", "jwk", "jku", "x5u", "x5c"}) {
    EXPECT_TRUE(failsWith(signer_->sign(Json{{name, "x"}}, "{}"), Errc::kInvalidArgument)) << name;
  }
  EXPECT_TRUE(failsWith(signer_->sign(Json::array(), "{}"), Errc::kInvalidArgument));
  auto token = signer_->sign(Json{{"typ", "at+jwt"}, {"cty", "x"}}, "{}");
  ASSERT_TRUE(token);
  auto jws = Jws::parse(*token);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->header(),
            (Json{{"alg", "ES256"}, {"kid", "ec-1"}, {"typ", "at+jwt"}, {"cty", "x"}}));
  // Signing needs a private key that may sign with the algorithm.
  auto pub = key_.publicOnly();
  ASSERT_TRUE(pub);
  EXPECT_TRUE(failsWith(Signer::create(Alg::kES256, *pub), Errc::kInvalidArgument));
  EXPECT_TRUE(failsWith(Signer::create(Alg::kES384, key_), Errc::kInvalidArgument));
}

TEST_F(JwsHeaderPolicy, DpopHeaderJwk) {
  // A DPoP-style proof: the header carries the signer's own public key.
  const std::array allowed{Alg::kES256, Alg::kEdDSA};
  Json h{{"alg", "ES256"}, {"typ", "dpop+jwt"}, {"jwk", key_.toPublicJson()}};
  auto jws = Jws::parse(signRaw(h));
  ASSERT_TRUE(jws);
  auto key = verifyWithHeaderJwk(*jws, allowed);
  ASSERT_TRUE(key) << key.error().detail;
  EXPECT_EQ(key->thumbprint(), key_.thumbprint());
  // The ordinary verifier refuses the very same token.
  EXPECT_TRUE(failsWith(pinned(Alg::kES256, key_).verify(*jws), Errc::kUnsupported));
  // A private key in the header is refused (FAPI: private jwk in DPoP proof).
  h["jwk"] = *key_.toPrivateJson();
  EXPECT_TRUE(
      failsWith(verifyWithHeaderJwk(*Jws::parse(signRaw(h)), allowed), Errc::kInvalidArgument));
  // Another key in the header than the one that signed.
  h["jwk"] = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256))->toPublicJson();
  EXPECT_TRUE(
      failsWith(verifyWithHeaderJwk(*Jws::parse(signRaw(h)), allowed), Errc::kBadSignature));
  h.erase("jwk");
  EXPECT_TRUE(failsWith(verifyWithHeaderJwk(*Jws::parse(signRaw(h)), allowed), Errc::kMalformed));
  h["jwk"] = key_.toPublicJson();
  const std::array only_eddsa{Alg::kEdDSA};
  EXPECT_TRUE(
      failsWith(verifyWithHeaderJwk(*Jws::parse(signRaw(h)), only_eddsa), Errc::kUnsupported));
}

}  // namespace
}  // namespace gridgate::jose
