#include "jose/alg.h"

#include <string>

namespace gridgate::jose {

Result<Alg> parseAlg(std::string_view name) {
  if (name == "ES256") return Alg::kES256;
  if (name == "ES384") return Alg::kES384;
  if (name == "PS256") return Alg::kPS256;
  if (name == "EdDSA") return Alg::kEdDSA;
  if (name == "RS256") return Alg::kRS256;
  // Named refusals make the logs useful; the outcome is the same for every other string.
  if (name.empty()) return fail(Errc::kUnsupported, "alg: empty");
  std::string shown(name.substr(0, 32));
  if (name == "none")
    return fail(Errc::kUnsupported, "alg: none (unsecured JWS) is never accepted");
  if (name.starts_with("HS")) {
    return fail(Errc::kUnsupported, "alg: " + shown + " (symmetric MAC) is never accepted");
  }
  return fail(Errc::kUnsupported, "alg: " + shown + " is not supported");
}

std::string_view algName(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return "ES256";
    case Alg::kES384:
      return "ES384";
    case Alg::kPS256:
      return "PS256";
    case Alg::kEdDSA:
      return "EdDSA";
    case Alg::kRS256:
      return "RS256";
  }
  return "?";
}

crypto::SigScheme algScheme(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return crypto::SigScheme::kEcdsaSha256;
    case Alg::kES384:
      return crypto::SigScheme::kEcdsaSha384;
    case Alg::kPS256:
      return crypto::SigScheme::kRsaPssSha256;
    case Alg::kEdDSA:
      return crypto::SigScheme::kEd25519;
    case Alg::kRS256:
      return crypto::SigScheme::kRsaPkcs1Sha256;
  }
  return crypto::SigScheme::kEd25519;  // unreachable: the switch is exhaustive
}

crypto::KeyType algKeyType(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return crypto::KeyType::kEcP256;
    case Alg::kES384:
      return crypto::KeyType::kEcP384;
    case Alg::kPS256:
    case Alg::kRS256:
      return crypto::KeyType::kRsa;
    case Alg::kEdDSA:
      return crypto::KeyType::kEd25519;
  }
  return crypto::KeyType::kEd25519;  // unreachable
}

std::size_t ecdsaCoordSize(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return 32;
    case Alg::kES384:
      return 48;
    case Alg::kPS256:
    case Alg::kEdDSA:
    case Alg::kRS256:
      return 0;
  }
  return 0;
}

bool algCanSign(Alg alg) {
  switch (alg) {
    case Alg::kES256:
    case Alg::kES384:
    case Alg::kPS256:
    case Alg::kEdDSA:
      return true;
    case Alg::kRS256:
      return false;
  }
  return false;
}

}  // namespace gridgate::jose
