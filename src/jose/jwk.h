// One JSON Web Key (RFC 7517) for signatures: EC P-256/P-384, RSA >= 2048 bits, OKP Ed25519.
//
//   // Public key from a client's registered JWKS entry (private members are refused by default):
//   GG_TRY(Jwk jwk, Jwk::parse(entry));
//   jwk.thumbprint();                  // RFC 7638, SHA-256, base64url (DPoP jkt, kid derivation)
//
//   // The authorization server's signing key, imported once at start-up:
//   GG_TRY(Jwk signing, Jwk::parseText(text, {.private_members = PrivateMembers::kRequire}));
//   GG_TRY(Jwk fresh, Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256), "k1",
//                                  Alg::kES256));
//   Json published = signing.toPublicJson();          // never contains d, p, q, dp, dq, qi
//   GG_TRY(Json backup, signing.toPrivateJson());     // separately named, on purpose
//
// A Jwk is born by parsing or from a crypto::PKey and holds that key imported once (a PKey is a
// shared EVP_PKEY, cheap to copy). Parsing refuses symmetric `oct` keys, RSA under 2048 bits (or
// over 8192), EC points not on their curve, unknown curves, private keys whose public half does
// not match, and x5c whose first certificate holds another key. The x5c chain is not validated:
// it is never a source of trust here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "crypto/pkey.h"
#include "jose/alg.h"

namespace gridgate::jose {

// The JWK `use` member.
enum class KeyUse {
  kUnspecified,  // absent: usable for signatures
  kSignature,    // "sig"
  kEncryption,   // "enc": never selected for signatures
  kOther,        // any other string: never selected for signatures
};

// What to do with private members (d, p, q, dp, dq, qi).
enum class PrivateMembers {
  kReject,   // a public key is expected (JWKS, client registration, DPoP): private data -> error
  kAllow,    // either
  kRequire,  // a signing key is expected: no private data -> error
};

struct JwkParseOptions {
  PrivateMembers private_members = PrivateMembers::kReject;
};

class Jwk {
 public:
  static constexpr std::size_t kMaxJsonBytes = 64 * 1024;
  static constexpr int kMaxRsaBits = 8192;

  [[nodiscard]] static Result<Jwk> parse(const Json& object, const JwkParseOptions& options = {});
  // The same from JSON text (at most kMaxJsonBytes, duplicate members refused).
  [[nodiscard]] static Result<Jwk> parseText(std::string_view json,
                                             const JwkParseOptions& options = {});
  // Wraps a key gridgate holds. `alg`, if given, must fit the key.
  [[nodiscard]] static Result<Jwk> fromKey(crypto::PKey key, std::string kid = {},
                                           std::optional<Alg> alg = std::nullopt,
                                           KeyUse use = KeyUse::kSignature);

  const std::string& kid() const { return kid_; }
  std::optional<Alg> alg() const { return alg_; }
  KeyUse use() const { return use_; }
  crypto::KeyType type() const { return key_.type(); }
  std::string_view kty() const;  // "EC", "RSA" or "OKP"
  std::string_view crv() const;  // "P-256", "P-384", "Ed25519"; empty for RSA
  const crypto::PKey& key() const { return key_; }
  bool hasPrivate() const { return key_.hasPrivate(); }

  // Whether this key may check (or make) signatures with `alg`: the key type fits, a declared
  // `alg` equals it, `use` is absent or "sig", and `key_ops`, if present, lists "verify" ("sign").
  bool canVerify(Alg alg) const;
  bool canSign(Alg alg) const;

  // RFC 7638 thumbprint: base64url(SHA-256(required members, sorted, no whitespace)).
  const std::string& thumbprint() const { return thumbprint_; }

  // kty, kid, use, alg, key_ops, crv and the public members (plus x5c if it was given).
  Json toPublicJson() const;
  // The above plus the private members; kInvalidArgument if the key has none.
  [[nodiscard]] Result<Json> toPrivateJson() const;
  // The same key without its private half (what a Verifier should hold).
  [[nodiscard]] Result<Jwk> publicOnly() const;

 private:
  Jwk() = default;
  [[nodiscard]] Status finish();  // fills the public members and the thumbprint from key_

  std::string kid_;
  std::optional<Alg> alg_;
  KeyUse use_ = KeyUse::kUnspecified;
  std::string use_text_;  // the `use` string as given (exported unchanged)
  std::optional<std::vector<std::string>> key_ops_;
  std::vector<std::string> x5c_;
  crypto::PKey key_;
  // Public members in their base64url form: x and y (EC), x (OKP), n and e (RSA).
  std::string x_, y_, n_, e_;
  std::string thumbprint_;
};

}  // namespace gridgate::jose
