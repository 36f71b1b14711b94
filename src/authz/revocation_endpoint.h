// POST /revoke on the mTLS listener (RFC 7009).
//
//   RevocationEndpoint revoke(ctx, lookup);
//   router.post("/revoke", [&](const net::Request& r) { return revoke.handle(r); },
//               {.offload = true});
//
// 200 (empty body) for a token revoked now, an unknown token and one revoked before
// (FAPI-CHECKLIST 65). Only the client a token was issued to may revoke it: another client's
// token is refused with unauthorized_client and stays valid. Revoking a refresh token revokes
// its grant - the permission record gets `revoked`, every access token of the grant turns
// inactive at once, the IB1 revocation message is queued for the client - and revoking an access
// token revokes that token.
#pragma once

#include <memory>

#include "authz/context.h"
#include "authz/token_lookup.h"
#include "net/http.h"

namespace gridgate::authz {

class RevocationEndpoint {
 public:
  RevocationEndpoint(AuthzContext ctx, std::shared_ptr<TokenLookup> lookup)
      : ctx_(std::move(ctx)), lookup_(std::move(lookup)) {}

  // Blocking: run on the blocking pool.
  net::Response handle(const net::Request& request);

 private:
  AuthzContext ctx_;
  std::shared_ptr<TokenLookup> lookup_;
};

}  // namespace gridgate::authz
