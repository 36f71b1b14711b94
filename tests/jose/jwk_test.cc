#include "jose/jwk.h"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "core/base64.h"
#include "crypto/ossl.h"
#include "jose_test_util.h"
#include "vectors.h"

namespace gridgate::jose {
namespace {

using testing::failsWith;

Json obj(const char* text) { return *parseJson(text); }

Result<Jwk> parsePublic(const Json& j) { return Jwk::parse(j); }
Result<Jwk> parseAny(const Json& j) {
  return Jwk::parse(j, JwkParseOptions{.private_members = PrivateMembers::kAllow});
}

TEST(JwkVectors, Rfc7638Thumbprint) {
  auto jwk = parsePublic(obj(vectors::kRfc7638Jwk));
  ASSERT_TRUE(jwk) << jwk.error().detail;
  EXPECT_EQ(jwk->thumbprint(), vectors::kRfc7638Thumbprint);
  EXPECT_EQ(jwk->kid(), "2011-04-29");
  EXPECT_EQ(jwk->alg(), Alg::kRS256);
  EXPECT_EQ(jwk->kty(), "RSA");
  EXPECT_EQ(jwk->key().bits(), 2048);
}

TEST(JwkVectors, Rfc8037KeysAndThumbprint) {
  auto priv = parseAny(obj(vectors::kRfc8037PrivateJwk));
  ASSERT_TRUE(priv) << priv.error().detail;
  EXPECT_TRUE(priv->hasPrivate());
  EXPECT_EQ(priv->thumbprint(), vectors::kRfc8037Thumbprint);  // A.3
  auto pub = parsePublic(obj(vectors::kRfc8037PublicJwk));
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->thumbprint(), vectors::kRfc8037Thumbprint);
  // A.2: x is the public key derived from d.
  auto x = base64urlDecode(*jsonString(pub->toPublicJson(), "x"));
  ASSERT_TRUE(x);
  EXPECT_EQ(hexEncode(*x), vectors::kRfc8037PublicHex);
  EXPECT_TRUE(pub->key().samePublicKey(priv->key()));
  EXPECT_EQ(pub->toPublicJson(), obj(vectors::kRfc8037PublicJwk));
  EXPECT_EQ(*priv->toPrivateJson(), obj(vectors::kRfc8037PrivateJwk));
}

TEST(JwkVectors, Rfc7515KeysImportWithTheirPrivateHalves) {
  auto ec = parseAny(obj(vectors::kA3PrivateJwk));
  ASSERT_TRUE(ec) << ec.error().detail;
  EXPECT_EQ(ec->type(), crypto::KeyType::kEcP256);
  EXPECT_EQ(*ec->toPrivateJson(), obj(vectors::kA3PrivateJwk));
  auto rsa = parseAny(obj(vectors::kA2Jwk));
  ASSERT_TRUE(rsa) << rsa.error().detail;
  EXPECT_TRUE(rsa->hasPrivate());
  EXPECT_EQ(*rsa->toPrivateJson(), obj(vectors::kA2Jwk));
}

class JwkRoundTrip : public ::testing::TestWithParam<crypto::KeyType> {};

TEST_P(JwkRoundTrip, PrivateAndPublicExportsReimport) {
  auto pkey = crypto::PKey::generate(GetParam());
  ASSERT_TRUE(pkey);
  auto jwk = Jwk::fromKey(*pkey, "k-1");
  ASSERT_TRUE(jwk);
  const Json pub = jwk->toPublicJson();
  for (const char* m : {"d", "p", "q", "dp", "dq", "qi"}) EXPECT_FALSE(pub.contains(m)) << m;
  EXPECT_EQ(*jsonString(pub, "use"), "sig");
  EXPECT_EQ(*jsonString(pub, "kid"), "k-1");

  auto priv_json = jwk->toPrivateJson();
  ASSERT_TRUE(priv_json);
  EXPECT_TRUE(priv_json->contains("d"));
  // Where a public key is expected, private members are an error; where a signing key is
  // expected, their absence is.
  EXPECT_TRUE(failsWith(Jwk::parse(*priv_json), Errc::kInvalidArgument));
  EXPECT_TRUE(failsWith(Jwk::parse(pub, {.private_members = PrivateMembers::kRequire}),
                        Errc::kInvalidArgument));
  auto back = Jwk::parse(*priv_json, {.private_members = PrivateMembers::kRequire});
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_TRUE(back->hasPrivate());
  EXPECT_TRUE(back->key().samePublicKey(*pkey));
  EXPECT_EQ(back->thumbprint(), jwk->thumbprint());
  auto pub_back = Jwk::parse(pub);
  ASSERT_TRUE(pub_back);
  EXPECT_FALSE(pub_back->hasPrivate());
  EXPECT_EQ(pub_back->thumbprint(), jwk->thumbprint());
  EXPECT_EQ(pub_back->toPublicJson(), pub);
  EXPECT_TRUE(failsWith(pub_back->toPrivateJson(), Errc::kInvalidArgument));
  auto only_pub = jwk->publicOnly();
  ASSERT_TRUE(only_pub);
  EXPECT_FALSE(only_pub->hasPrivate());
  EXPECT_EQ(only_pub->thumbprint(), jwk->thumbprint());
}

INSTANTIATE_TEST_SUITE_P(Types, JwkRoundTrip,
                         ::testing::Values(crypto::KeyType::kEcP256, crypto::KeyType::kEcP384,
                                           crypto::KeyType::kRsa, crypto::KeyType::kEd25519));

// An RSA key under 2048 bits, made directly through EVP (crypto::PKey refuses to).
Json rsaJwkOfBits(unsigned bits) {
  crypto::PKeyPtr k(EVP_RSA_gen(bits));
  EXPECT_TRUE(k);
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(k.get(), OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(k.get(), OSSL_PKEY_PARAM_RSA_E, &e);
  Bytes nb(static_cast<std::size_t>(BN_num_bytes(n)));
  Bytes eb(static_cast<std::size_t>(BN_num_bytes(e)));
  BN_bn2bin(n, nb.data());
  BN_bn2bin(e, eb.data());
  BN_free(n);
  BN_free(e);
  return Json{{"kty", "RSA"}, {"n", base64urlEncode(nb)}, {"e", base64urlEncode(eb)}};
}

TEST(JwkRejects, KeyTypesAndSizesGridgateDoesNotAccept) {
  EXPECT_TRUE(failsWith(parsePublic(obj(R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMko"})")),
                        Errc::kUnsupported));
  EXPECT_TRUE(failsWith(parsePublic(rsaJwkOfBits(1024)), Errc::kUnsupported));
  EXPECT_TRUE(failsWith(parsePublic(obj(vectors::kA4PublicJwk)), Errc::kUnsupported));  // P-521
  Json k = obj(vectors::kA3PublicJwk);
  k["crv"] = "secp256k1";
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kUnsupported));
  Json okp = obj(vectors::kRfc8037PublicJwk);
  for (const char* crv : {"X25519", "Ed448"}) {
    okp["crv"] = crv;
    EXPECT_TRUE(failsWith(parsePublic(okp), Errc::kUnsupported)) << crv;
  }
  EXPECT_TRUE(failsWith(parsePublic(obj(R"({"kty":"EC2"})")), Errc::kUnsupported));
  EXPECT_TRUE(failsWith(parsePublic(obj(R"({"crv":"P-256"})")), Errc::kMalformed));
  EXPECT_TRUE(failsWith(parsePublic(Json::array()), Errc::kMalformed));
}

TEST(JwkRejects, EcPointNotOnCurve) {
  Json k = obj(vectors::kA3PublicJwk);
  auto y = *base64urlDecode(*jsonString(k, "y"));
  y.back() ^= 1;
  k["y"] = base64urlEncode(y);
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kInvalidArgument));
  k["y"] = base64urlEncode(Bytes(32, 0));
  k["x"] = base64urlEncode(Bytes(32, 0));
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kInvalidArgument));
  // The P-256 point declared as P-384 is the wrong size for that curve.
  k = obj(vectors::kA3PublicJwk);
  k["crv"] = "P-384";
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));
}

TEST(JwkRejects, EncodingAndSizes) {
  Json k = obj(vectors::kA3PublicJwk);
  k["x"] = std::string(*jsonString(k, "x")) + "=";
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));  // padding
  k = obj(vectors::kA3PublicJwk);
  auto x = *base64urlDecode(*jsonString(k, "x"));
  k["x"] = base64urlEncode(ByteView(x).subspan(1));  // 31 bytes: not the full coordinate
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));
  x.insert(x.begin(), 0);
  k["x"] = base64urlEncode(x);  // 33 bytes
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));
  k["x"] = 5;
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));

  Json r = obj(vectors::kRfc7638Jwk);
  auto n = *base64urlDecode(*jsonString(r, "n"));
  n.insert(n.begin(), 0);  // leading zero octet: not a canonical Base64urlUInt
  r["n"] = base64urlEncode(n);
  EXPECT_TRUE(failsWith(parsePublic(r), Errc::kMalformed));
  r = obj(vectors::kRfc7638Jwk);
  r["e"] = "";
  EXPECT_TRUE(failsWith(parsePublic(r), Errc::kMalformed));
  r = obj(vectors::kRfc7638Jwk);
  r["e"] = "Aw";  // e = 3: below SP 800-56B's 65537
  EXPECT_TRUE(failsWith(parsePublic(r), Errc::kUnsupported));
  r["e"] = "AQAA";  // 65536: even
  EXPECT_TRUE(failsWith(parsePublic(r), Errc::kUnsupported));

  Json o = obj(vectors::kRfc8037PublicJwk);
  o["x"] = base64urlEncode(Bytes(31, 1));
  EXPECT_TRUE(failsWith(parsePublic(o), Errc::kMalformed));
}

TEST(JwkRejects, PrivateHalfThatDoesNotMatch) {
  Json ed = obj(vectors::kRfc8037PrivateJwk);
  ed["x"] = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEd25519))->toPublicJson()["x"];
  EXPECT_TRUE(failsWith(parseAny(ed), Errc::kInvalidArgument));

  Json ec = obj(vectors::kA3PrivateJwk);
  ec["d"] =
      (*Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256))->toPrivateJson())["d"];
  EXPECT_TRUE(failsWith(parseAny(ec), Errc::kInvalidArgument));

  Json rsa = obj(vectors::kA2Jwk);
  rsa.erase("qi");  // CRT members are all required with d
  EXPECT_TRUE(failsWith(parseAny(rsa), Errc::kMalformed));
  rsa = obj(vectors::kA2Jwk);
  rsa["oth"] = Json::array();
  EXPECT_TRUE(failsWith(parseAny(rsa), Errc::kUnsupported));
}

TEST(JwkMembers, AlgUseKeyOps) {
  Json k = obj(vectors::kA3PublicJwk);
  k["alg"] = "ES384";
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kInvalidArgument));
  k["alg"] = "HS256";
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kUnsupported));
  k["alg"] = "ES256";
  k["kid"] = 3;
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));
  k["kid"] = "a";
  k["use"] = "enc";
  auto enc = parsePublic(k);
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->use(), KeyUse::kEncryption);
  EXPECT_FALSE(enc->canVerify(Alg::kES256));
  k["use"] = "sig";
  k["key_ops"] = {"sign"};
  auto sign_only = parsePublic(k);
  ASSERT_TRUE(sign_only);
  EXPECT_FALSE(sign_only->canVerify(Alg::kES256));
  EXPECT_EQ(sign_only->toPublicJson()["key_ops"], Json::array());  // "sign" is not published
  k["key_ops"] = {"verify", "verify"};
  EXPECT_TRUE(failsWith(parsePublic(k), Errc::kMalformed));
  k["key_ops"] = {"verify"};
  auto ok_key = parsePublic(k);
  ASSERT_TRUE(ok_key);
  EXPECT_TRUE(ok_key->canVerify(Alg::kES256));
  EXPECT_FALSE(ok_key->canVerify(Alg::kES384));
  EXPECT_FALSE(ok_key->canSign(Alg::kES256));  // public only
  // Unknown members are ignored (RFC 7517 section 4).
  k["ext"] = {{"anything", 1}};
  EXPECT_TRUE(parsePublic(k));
  // fromKey checks the alg against the key.
  EXPECT_TRUE(failsWith(Jwk::fromKey(ok_key->key(), "x", Alg::kPS256), Errc::kInvalidArgument));
  EXPECT_TRUE(failsWith(Jwk::fromKey(crypto::PKey(), "x"), Errc::kInvalidArgument));
}

TEST(JwkParse, TextLimits) {
  EXPECT_TRUE(Jwk::parseText(vectors::kA3PublicJwk));
  EXPECT_TRUE(failsWith(Jwk::parseText(R"({"kty":"EC","kty":"RSA"})"), Errc::kMalformed));
  EXPECT_TRUE(
      failsWith(Jwk::parseText(std::string(Jwk::kMaxJsonBytes + 1, ' ')), Errc::kLimitExceeded));
}

}  // namespace
}  // namespace gridgate::jose
