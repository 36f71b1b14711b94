// POST /permissions on the mTLS listener: the Perseus permission record (PERSEUS.md), the
// ib1_permission_endpoint of the metadata.
//
//   PermissionsEndpoint permissions(ctx, lookup);
//   router.post("/permissions", [&](const net::Request& r) { return permissions.handle(r); },
//               {.offload = true});
//
// Form `token=<refresh token>` from the client that holds the grant -> 200
// {"permission": {...}} (authz/evidence.h permissionRecord), also once the grant was revoked
// (the record then says `revoked`) or expired. An access token instead of a refresh token is
// refused (invalid_request); an unknown token, or one of another client, is invalid_grant (the
// same answer for both, so a client learns nothing about other clients' tokens).
#pragma once

#include <memory>

#include "authz/context.h"
#include "authz/token_lookup.h"
#include "net/http.h"

namespace gridgate::authz {

class PermissionsEndpoint {
 public:
  PermissionsEndpoint(AuthzContext ctx, std::shared_ptr<TokenLookup> lookup)
      : ctx_(std::move(ctx)), lookup_(std::move(lookup)) {}

  // Blocking: run on the blocking pool.
  net::Response handle(const net::Request& request);

 private:
  AuthzContext ctx_;
  std::shared_ptr<TokenLookup> lookup_;
};

}  // namespace gridgate::authz
