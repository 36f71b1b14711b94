#include "client/pkce.h"

#include "core/random.h"
#include "crypto/digest.h"

namespace gridgate::client {

Pkce Pkce::generate() {
  // 64 bytes -> 86 base64url characters: well inside 43..128, 512 bits of entropy.
  std::string verifier = randomToken(64);
  std::string challenge = s256Challenge(verifier);
  return Pkce{std::move(verifier), std::move(challenge)};
}

Result<Pkce> Pkce::fromVerifier(std::string_view verifier) {
  if (!isValidVerifier(verifier)) {
    return fail(Errc::kInvalidArgument,
                "code verifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~");
  }
  return Pkce{std::string(verifier), s256Challenge(verifier)};
}

std::string s256Challenge(std::string_view verifier) {
  return crypto::sha256B64url(asBytes(verifier));
}

bool isValidVerifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128) return false;
  for (const char c : v) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
    if (!ok) return false;
  }
  return true;
}

}  // namespace gridgate::client
