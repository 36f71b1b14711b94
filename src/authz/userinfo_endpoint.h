// GET /userinfo on the mTLS listener (OpenID Connect Core 5.3), with the token rules of a
// resource server (FAPI-CHECKLIST 66, applying 67-72 and 77):
//   - the token only from `Authorization: Bearer <token>` (scheme case-insensitive, exactly one
//     Authorization header); access_token in the query or a form body -> 400 invalid_request;
//   - no token -> 401 with `WWW-Authenticate: Bearer realm="..."` and no error attribute;
//   - not our JWT, expired, revoked (token or grant), or another issuer -> 401 invalid_token;
//   - cnf.x5t#S256 must equal the certificate of this connection -> else 401 invalid_token;
//   - the token's scope must include openid -> else 403 insufficient_scope.
// Answer: {"sub": ...} (plus "name" when the user has a display name), Cache-Control: no-store.
// (The project's AccessTokenValidator implements the same rules for resource servers; this
// endpoint checks our own tokens directly against the store, which is what it has at hand.)
#pragma once

#include <memory>

#include "authz/context.h"
#include "authz/token_lookup.h"
#include "net/http.h"

namespace gridgate::authz {

class UserinfoEndpoint {
 public:
  UserinfoEndpoint(AuthzContext ctx, std::shared_ptr<TokenLookup> lookup)
      : ctx_(std::move(ctx)), lookup_(std::move(lookup)) {}

  // Blocking: run on the blocking pool.
  net::Response handle(const net::Request& request);

 private:
  AuthzContext ctx_;
  std::shared_ptr<TokenLookup> lookup_;
};

}  // namespace gridgate::authz
