// PKCE with S256 (RFC 7636), one fresh verifier per authorization request (FAPI-CHECKLIST 87).
//
//   Pkce pkce = Pkce::generate();           // 64 random bytes: an 86-character verifier
//   form.emplace_back("code_challenge", pkce.challenge);
//   form.emplace_back("code_challenge_method", "S256");
//   ... later, at the token endpoint: {"code_verifier", pkce.verifier}
//
// The verifier is a secret of the user-agent session that started the request: keep it with
// that session (the sandbox's demo page keeps it server-side, keyed by the session cookie), never
// in a URL, and forget it once the code is redeemed.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::client {

struct Pkce {
  std::string verifier{};   // 43-128 unreserved characters
  std::string challenge{};  // BASE64URL(SHA256(ASCII(verifier)))

  static Pkce generate();
  // For a verifier the caller already has (the CLI's `token --verifier`); kInvalidArgument
  // unless it is 43-128 characters of [A-Za-z0-9-._~].
  [[nodiscard]] static Result<Pkce> fromVerifier(std::string_view verifier);
};

// BASE64URL(SHA256(ASCII(verifier))), unpadded.
std::string s256Challenge(std::string_view verifier);
bool isValidVerifier(std::string_view verifier);

}  // namespace gridgate::client
