// POST /introspect on the mTLS listener (RFC 7662, RFC 9701).
//
//   IntrospectionEndpoint introspect(ctx, lookup);
//   router.post("/introspect", [&](const net::Request& r) { return introspect.handle(r); },
//               {.offload = true});
//
// The caller authenticates like any client (FAPI-CHECKLIST 62). A client sees only its own
// tokens; a client registered with introspect_any_token (a resource server) sees every token.
// Active: {"active": true, "iss", "sub", "aud", "client_id", "scope", "exp", "iat", "jti",
// "token_type", "cnf": {"x5t#S256"}, "grant_id", "auth_time", "authorization_details"}; refresh
// tokens the same without aud/jti/cnf of an access token. Anything else - unknown, expired,
// revoked, another client's - is exactly {"active":false} (63). With
// Accept: application/token-introspection+jwt the answer is a signed JWT (64).
#pragma once

#include <memory>

#include "authz/context.h"
#include "authz/token_lookup.h"
#include "net/http.h"

namespace gridgate::authz {

inline constexpr std::string_view kIntrospectionJwtType = "application/token-introspection+jwt";

class IntrospectionEndpoint {
 public:
  IntrospectionEndpoint(AuthzContext ctx, std::shared_ptr<TokenLookup> lookup)
      : ctx_(std::move(ctx)), lookup_(std::move(lookup)) {}

  // Blocking: run on the blocking pool.
  net::Response handle(const net::Request& request);

 private:
  AuthzContext ctx_;
  std::shared_ptr<TokenLookup> lookup_;
};

// True if the Accept header asks for application/token-introspection+jwt (RFC 9701 4).
bool acceptsIntrospectionJwt(const net::Request& request);

}  // namespace gridgate::authz
