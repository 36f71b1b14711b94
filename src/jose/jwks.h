// A JWK Set (RFC 7517 section 5): the keys a verifier may use, and the set an issuer publishes.
//
//   // Resource server / AS, a fetched issuer or client JWKS (bounded, public keys only):
//   GG_TRY(Jwks jwks, Jwks::parse(body));
//   for (const SkippedKey& s : jwks.skipped()) log::info("jwks: skipped key {}: {}", ...);
//   const std::array allowed{Alg::kPS256, Alg::kES256, Alg::kEdDSA};
//   GG_TRY(Verifier verifier, Verifier::fromJwks(jwks, allowed));       // jose/jws.h
//   std::vector<const Jwk*> keys = jwks.select(jws.alg(), jws.kid(), allowed);  // if needed
//
//   // Authorization server, publishing its signing keys (kids must be unique and present):
//   GG_TRY(Jwks mine, Jwks::fromKeys({signing_jwk, next_jwk}));
//   std::string body = dumpJson(mine.toPublicJson());   // never a private member
//
// Keys of a type, curve or algorithm gridgate does not support (and malformed or invalid single
// keys) are skipped and reported in skipped(), so that one exotic key in an issuer's set does not
// break the others (symmetric "oct" keys included). The set as a whole is refused when it is not
// JSON, too large, has too many keys, or holds asymmetric private key material anywhere (a
// published private key is compromised: trusting anything it signed would be wrong). Two keys may
// share a kid (RFC 7517 allows it, e.g. one "sig" and one "enc" key); selection then returns every
// fitting candidate.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "jose/alg.h"
#include "jose/jwk.h"

namespace gridgate::jose {

struct JwksLimits {
  std::size_t max_bytes = 64 * 1024;
  std::size_t max_keys = 64;
};

// A key of the set that was not imported, and why (for logs and metrics).
struct SkippedKey {
  std::size_t index = 0;
  std::string kid;
  Error error;
};

class Jwks {
 public:
  [[nodiscard]] static Result<Jwks> parse(std::string_view json, const JwksLimits& limits = {});
  // For publishing: every key must have a kid, and kids must be unique (FAPI: unique kids).
  [[nodiscard]] static Result<Jwks> fromKeys(std::vector<Jwk> keys);

  const std::vector<Jwk>& keys() const { return keys_; }
  const std::vector<SkippedKey>& skipped() const { return skipped_; }
  bool empty() const { return keys_.empty(); }

  // Candidates for verifying a JWS whose header says `alg` and, optionally, `kid`. Nothing when
  // `alg` is not in `allowed`. With a kid: only keys with exactly that kid (a kid that matches
  // nothing selects nothing; keys without a kid are not candidates). Without: every key whose
  // kty/crv fit `alg`, whose own `alg` (if any) equals it, whose `use` is absent or "sig" and
  // whose key_ops (if any) allow "verify". Order is the set's order.
  std::vector<const Jwk*> select(Alg alg, std::optional<std::string_view> kid,
                                 std::span<const Alg> allowed) const;

  // First key with this kid, or nullptr.
  const Jwk* findKid(std::string_view kid) const;

  // {"keys":[...]} with each key's public members only.
  Json toPublicJson() const;

 private:
  Jwks() = default;

  std::vector<Jwk> keys_;
  std::vector<SkippedKey> skipped_;
};

}  // namespace gridgate::jose
