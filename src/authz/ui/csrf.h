// CSRF tokens for the login, consent and logout forms: an HMAC of what the form acts on, so no
// server state is needed and a token works only for its own form, request and session.
//
//   CsrfKey key = CsrfKey::generate();                        // or from configuration (shared)
//   std::string t = key.token("consent", request_uri_hash + "|" + session_hash);
//   if (!key.check(form_value, "consent", request_uri_hash + "|" + session_hash)) -> 403 page
//
// Bindings: login = the pending request + a random pre-login cookie (so that another site cannot
// sign a victim in to the attacker's account); consent = the pending request + the login session;
// logout = the login session. A token dies with what it is bound to (the request URI expires in
// 90 s, the session at its end), so it needs no expiry of its own.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"

namespace gridgate::authz::ui {

class CsrfKey {
 public:
  // 256 random bits. Tokens then stop verifying when the process restarts; several instances
  // behind one name need a shared key (explicit constructor).
  static CsrfKey generate();
  // A configured key (at least 32 bytes: makeInteraction refuses a shorter one).
  explicit CsrfKey(Bytes key);

  // base64url(HMAC-SHA256(key, purpose NUL binding)): 43 characters.
  std::string token(std::string_view purpose, std::string_view binding) const;
  // Constant-time comparison with the expected token.
  bool check(std::string_view presented, std::string_view purpose, std::string_view binding) const;

 private:
  Bytes key_;
};

}  // namespace gridgate::authz::ui
