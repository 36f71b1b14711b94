// JWS compact serialization (RFC 7515): parse, verify with pinned (alg, key) pairs, sign.
//
//   // Verifying (resource server, AS checking private_key_jwt): build once, share, reuse.
//   GG_TRY(Verifier verifier, Verifier::Builder()
//                                 .allow(Alg::kES256, issuer_key)      // a Jwk (public half used)
//                                 .allow(Alg::kPS256, other_key)
//                                 .build());
//   // or: GG_TRY(Verifier verifier, Verifier::fromJwks(jwks, {Alg::kES256, Alg::kPS256}));
//   GG_TRY(Jws jws, Jws::parse(token));          // syntax only: 3 segments, strict base64url...
//   GG_TRY(verifier.verify(jws));                // kBadSignature, kKeyNotFound, kUnsupported
//   std::string_view claims = jws.payload();     // trust it only after verify()
//
//   // Signing (authorization server): ECDSA signatures come out as JOSE r||s.
//   GG_TRY(Signer signer, Signer::create(Alg::kES256, signing_jwk));   // kid taken from the Jwk
//   GG_TRY(std::string token, signer.sign({{"typ", "at+jwt"}}, dumpJson(claims)));
//
// The header chooses nothing: a Verifier holds the (alg, key) pairs it was built with, and the
// header's alg and kid only select among them. A header that brings or points to its own key
// (jwk, jku, x5u, x5c), marks any extension critical (crit) that the verifier was not told it
// understands, or asks for an unencoded payload (b64) is refused. "none", HS* and every other
// algorithm outside jose::Alg are refused by Jws::parse already.
//
// DPoP proofs (RFC 9449) are the one case where the key travels in the header: use
// verifyWithHeaderJwk(), which refuses private keys and returns the key so that the caller can
// check its thumbprint against the token's cnf.jkt.
#pragma once

#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/json.h"
#include "core/result.h"
#include "crypto/pkey.h"
#include "jose/alg.h"
#include "jose/jwk.h"
#include "jose/jwks.h"

namespace gridgate::crypto {
class PreparedSigner;
}  // namespace gridgate::crypto

namespace gridgate::jose {

namespace internal {
class PreparedKey;
}  // namespace internal

struct JwsLimits {
  std::size_t max_bytes = 16 * 1024;  // whole compact token
  int max_header_depth = 8;           // JSON nesting in the protected header
};

class Jws {
 public:
  // Exactly three segments, each strict unpadded base64url (header and signature non-empty), the
  // header a JSON object without duplicate members whose alg is one of jose::Alg and whose kid
  // and typ, if present, are strings.
  [[nodiscard]] static Result<Jws> parse(std::string_view compact, const JwsLimits& limits = {});

  const Json& header() const { return header_; }
  Alg alg() const { return alg_; }
  // Header kid, or nullopt when absent.
  std::optional<std::string_view> kid() const;
  // Header typ, or empty when absent.
  std::string_view typ() const;
  // The decoded payload (for a JWT, the claims JSON). Unauthenticated until verified.
  std::string_view payload() const { return asChars(payload_); }
  ByteView payloadBytes() const { return payload_; }
  // ASCII(BASE64URL(header) || '.' || BASE64URL(payload)): what the signature covers.
  std::string_view signingInput() const { return std::string_view(compact_).substr(0, dot2_); }
  ByteView signature() const { return signature_; }
  const std::string& compact() const { return compact_; }

 private:
  Jws() = default;

  std::string compact_;
  std::size_t dot2_ = 0;
  Json header_;
  Alg alg_ = Alg::kES256;
  Bytes payload_;
  Bytes signature_;
};

class Verifier {
 public:
  class Builder {
   public:
    // Pins `key` for `alg`. The key must fit the algorithm (ES256 needs a P-256 key...) and, if
    // it declares alg/use/key_ops, allow verification with it. Only its public half is kept.
    Builder& allow(Alg alg, const Jwk& key);
    Builder& allow(Alg alg, const crypto::PKey& key, std::string kid = {});
    // Header parameter names the caller processes itself and that may therefore appear in crit.
    Builder& understandCrit(std::string name);
    // Refuse tokens whose header has no kid (otherwise every key pinned for the alg is tried).
    Builder& requireKid(bool require = true);
    // The first error of any allow() call above, or no key at all, fails here.
    [[nodiscard]] Result<Verifier> build();

   private:
    std::vector<std::pair<Alg, Jwk>> entries_;
    std::vector<std::string> crit_;
    bool require_kid_ = false;
    std::optional<Error> error_;
  };

  // Every (alg, key) pair of the set where alg is in `allowed` and the key may verify with it
  // (Jwk::canVerify). kKeyNotFound when that leaves nothing.
  [[nodiscard]] static Result<Verifier> fromJwks(const Jwks& jwks, std::span<const Alg> allowed);
  [[nodiscard]] static Result<Verifier> fromJwks(const Jwks& jwks,
                                                 std::initializer_list<Alg> allowed) {
    return fromJwks(jwks, std::span<const Alg>(allowed.begin(), allowed.size()));
  }

  // ok() when one of the pinned keys for the header's alg (and kid, if given) verifies the
  // signature. kUnsupported: header policy (jwk/jku/x5u/x5c, crit, b64) or alg not pinned;
  // kKeyNotFound: no pinned key with that kid; kBadSignature: no candidate key verifies.
  [[nodiscard]] Status verify(const Jws& jws) const;
  // The same, returning the key that verified (for logs, or to learn which client key was used).
  [[nodiscard]] Result<const Jwk*> verifyReturningKey(const Jws& jws) const;

  // The algorithms this verifier accepts, each once.
  std::vector<Alg> algs() const;

 private:
  struct Entry {
    Alg alg;
    Jwk key;
    std::shared_ptr<const internal::PreparedKey> prepared;  // imported and set up once
  };
  Verifier() = default;

  std::vector<Entry> entries_;
  std::vector<std::string> crit_;
  bool require_kid_ = false;
};

class Signer {
 public:
  // `key` must hold a private key that may sign with `alg` (Jwk::canSign). RS256 never signs.
  // The header's kid is the Jwk's kid (omitted when empty).
  [[nodiscard]] static Result<Signer> create(Alg alg, Jwk key);
  [[nodiscard]] static Result<Signer> create(Alg alg, crypto::PKey key, std::string kid);

  // Compact JWS over `payload`. `header_extra` (a JSON object, usually {"typ": ...}) is merged
  // into the protected header; it may not set alg, kid, crit, b64, jwk, jku, x5u or x5c.
  [[nodiscard]] Result<std::string> sign(const Json& header_extra, std::string_view payload) const;

  Alg alg() const { return alg_; }
  const std::string& kid() const { return key_.kid(); }
  const Jwk& jwk() const { return key_; }

 private:
  Signer(Alg alg, Jwk key, std::shared_ptr<const crypto::PreparedSigner> prepared)
      : alg_(alg), key_(std::move(key)), prepared_(std::move(prepared)) {}

  Alg alg_;
  Jwk key_;
  std::shared_ptr<const crypto::PreparedSigner> prepared_;  // set up once
};

// DPoP (RFC 9449): verifies a proof with the public key in its own `jwk` header member. The key
// must be a public key (private members -> kInvalidArgument), fit the header's alg, which must be
// in `allowed`; jku/x5u/x5c, crit and b64 are refused as by Verifier. Returns the key, whose
// thumbprint() the caller compares with the access token's cnf.jkt.
[[nodiscard]] Result<Jwk> verifyWithHeaderJwk(const Jws& jws, std::span<const Alg> allowed);

}  // namespace gridgate::jose
