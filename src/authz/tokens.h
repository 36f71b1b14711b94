// Tokens the authorization server issues and reads back: RFC 9068 JWT access tokens bound to the
// client certificate, OpenID Connect ID tokens, RFC 9701 signed introspection responses.
//
//   TokenIssuer issuer(config, keys, clock);
//   GG_TRY(IssuedAccessToken at, issuer.accessToken({.grant = grant, .client_id = id,
//                                                    .scope = scope, .cnf_x5t = thumbprint}));
//   GG_TRY(std::string id_token, issuer.idToken(grant.subject, id, nonce, auth_time, at.jwt));
//   GG_TRY(jose::VerifiedJwt mine, issuer.verifyAccessToken(token));   // ours, unexpired
//
// Access token claims (FAPI-CHECKLIST 47, 53, 61): header typ at+jwt, alg of the active key, kid;
// iss, sub, aud (the resource server(s)), client_id, scope, iat, exp (iat + the configured
// lifetime), jti (192 random bits), cnf.x5t#S256 of the certificate of THIS request, grant_id,
// auth_time, and authorization_details when the grant has them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "authz/config.h"
#include "authz/keys.h"
#include "core/clock.h"
#include "core/json.h"
#include "jose/jwt.h"
#include "store/records.h"

namespace gridgate::authz {

struct AccessTokenRequest {
  const store::Grant& grant;
  std::string_view client_id;
  std::string_view scope;    // granted (possibly narrowed by a refresh request)
  std::string_view cnf_x5t;  // x5t#S256 of the certificate on this request
  std::int64_t auth_time = 0;
};

struct IssuedAccessToken {
  std::string jwt;
  std::string jti;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};

class TokenIssuer {
 public:
  TokenIssuer(std::shared_ptr<const AuthzConfig> config, std::shared_ptr<SigningKeys> keys,
              const Clock& clock)
      : config_(std::move(config)), keys_(std::move(keys)), clock_(clock) {}

  [[nodiscard]] Result<IssuedAccessToken> accessToken(const AccessTokenRequest& request) const;

  // ID token (OIDC core 2): iss, sub, aud = client_id, exp, iat, auth_time, nonce (when the
  // request had one), at_hash of `access_token`.
  [[nodiscard]] Result<std::string> idToken(std::string_view subject, std::string_view client_id,
                                            std::string_view nonce, std::int64_t auth_time,
                                            std::string_view access_token) const;

  // RFC 9701: {"iss", "aud": caller, "iat", "token_introspection": {...}} signed with typ
  // token-introspection+jwt.
  [[nodiscard]] Result<std::string> introspectionJwt(std::string_view audience,
                                                     const Json& introspection) const;

  // An access token this server issued: signature with one of our published keys, typ at+jwt,
  // iss = our issuer, exp in the future. (Liveness in the store is the caller's check.)
  [[nodiscard]] Result<jose::VerifiedJwt> verifyAccessToken(std::string_view token) const;

  SigningKeys& keys() const { return *keys_; }

 private:
  std::shared_ptr<const AuthzConfig> config_;
  std::shared_ptr<SigningKeys> keys_;
  const Clock& clock_;
};

}  // namespace gridgate::authz
