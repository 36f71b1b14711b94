// POST /token on the mTLS listener (RFC 6749 4.1.3 and 6, RFC 7636, RFC 8705, FAPI 2.0).
//
//   TokenEndpoint token(ctx);
//   router.post("/token", [&](const net::Request& r) { return token.handle(r); },
//               {.offload = true});
//
// grant_type=authorization_code: the code is redeemed atomically; unknown, expired (42), issued
// to another client, for another redirect_uri, or with a missing or wrong PKCE verifier (41) is
// invalid_grant, and uses the code up. A second redemption is invalid_grant and revokes the grant
// with everything issued from the code (40). A successful redemption writes the code's use, the
// access token's record, the grant's tokenIssuedAt and the refresh token in one store step
// (Store::issueTokens: one commit). grant_type=refresh_token: the refresh token must belong to this
// client and, unless configured otherwise, to the certificate it was issued to (55); a scope
// parameter may only narrow (57); the token is not rotated unless rotation is configured, and a
// rotated token keeps working for the grace period (56). Anything else, the password grant
// included (11), is unsupported_grant_type.
//
// The answer: {"access_token", "token_type": "Bearer", "expires_in", "scope", "refresh_token"
// (offline_access), "id_token" (openid)} with Cache-Control: no-store. The access token is bound
// to the certificate of this request (47). The grant records tokenIssuedAt/tokenExpires.
#pragma once

#include "authz/context.h"
#include "authz/oauth_error.h"
#include "net/form.h"
#include "net/http.h"

namespace gridgate::authz {

class TokenEndpoint {
 public:
  explicit TokenEndpoint(AuthzContext ctx) : ctx_(std::move(ctx)) {}

  // Blocking: run on the blocking pool.
  net::Response handle(const net::Request& request);

 private:
  OAuthResult<Json> authorizationCode(const net::Form& form, const AuthenticatedClient& who);
  OAuthResult<Json> refreshToken(const net::Form& form, const AuthenticatedClient& who);
  // Issues the access token (and records it); from a code (code_hash not empty, redeemed in the
  // same store step) also the refresh token (offline_access) and the id token (openid).
  OAuthResult<Json> issue(const store::Grant& grant, const AuthenticatedClient& who,
                          const std::string& scope, std::string_view code_hash,
                          std::int64_t auth_time, std::string_view nonce);
  // A code presented again: revokes its grant (FAPI-CHECKLIST 40); always invalid_grant.
  OAuthResult<Json> replayed(const std::string& grant_id, const AuthenticatedClient& who);
  // A code refused for `detail`: it is used up all the same (a replay of it revokes its grant).
  OAuthResult<Json> refuse(const std::string& code_hash, const AuthenticatedClient& who,
                           std::string detail);

  AuthzContext ctx_;
};

// PKCE S256 (RFC 7636 4.6): the verifier is 43-128 unreserved characters and
// BASE64URL(SHA256(verifier)) equals the challenge (compared in constant time).
bool pkceMatches(std::string_view verifier, std::string_view challenge);

}  // namespace gridgate::authz
