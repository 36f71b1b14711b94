// JWS signature algorithms gridgate accepts: a closed set, parsed from the header's `alg` string.
//
//   GG_TRY(const Alg alg, parseAlg(*jsonString(header, "alg")));   // "none", "HS256" -> error
//   crypto::SigScheme scheme = algScheme(alg);                      // what crypto::verify runs
//   if (!algFitsKey(alg, key.type())) ...                           // ES256 needs P-256, etc.
//
// FAPI 2.0 allows PS256, ES256 and EdDSA; ES384 is kept for the trust framework's P-384 keys, and
// RS256 is verification-only and only where a Verifier is explicitly configured with it. Every
// other name (none, HS*, ES512, RS384, PS512, ...) is rejected here, so no code path below ever
// sees an algorithm it does not implement.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.h"
#include "crypto/pkey.h"

namespace gridgate::jose {

enum class Alg {
  kES256,  // ECDSA P-256 + SHA-256, signature r||s (64 bytes)
  kES384,  // ECDSA P-384 + SHA-384, signature r||s (96 bytes)
  kPS256,  // RSASSA-PSS, SHA-256, MGF1-SHA-256, salt 32
  kEdDSA,  // Ed25519 (RFC 8037)
  kRS256,  // RSASSA-PKCS1-v1_5 + SHA-256: verification only, opt-in
};

// Exact, case-sensitive match of a registered name (RFC 7518 section 3.1). kUnsupported for
// anything else, naming what was refused.
[[nodiscard]] Result<Alg> parseAlg(std::string_view name);

// The registered name: "ES256", "PS256", ...
std::string_view algName(Alg alg);

crypto::SigScheme algScheme(Alg alg);
// The one key type an algorithm runs with (RSA for PS256 and RS256).
crypto::KeyType algKeyType(Alg alg);
inline bool algFitsKey(Alg alg, crypto::KeyType type) { return algKeyType(alg) == type; }

// Size of one ECDSA coordinate in a JOSE signature (32 or 48), 0 for non-ECDSA algorithms.
std::size_t ecdsaCoordSize(Alg alg);

// Whether gridgate signs with this algorithm (RS256 is verification-only).
bool algCanSign(Alg alg);

}  // namespace gridgate::jose
