#include "authz/permissions_endpoint.h"

#include "authz/evidence.h"
#include "authz/request_form.h"

namespace gridgate::authz {

net::Response PermissionsEndpoint::handle(const net::Request& request) {
  auto run = [&]() -> OAuthResult<Json> {
    GG_TRY(net::Form form, requestForm(request));
    GG_TRY(AuthenticatedClient who, ctx_.auth->authenticate(request, form));
    GG_TRY(std::string token, requiredParam(form, "token"));
    const auto unknown = [] {
      return oauthFail(OAuthErrc::kInvalidGrant, "Unknown refresh token",
                       "permissions: unknown token or another client's");
    };
    if (lookup_->verifiedClaims(token)) {
      return oauthFail(OAuthErrc::kInvalidRequest,
                       "The permission endpoint takes a refresh token, not an access token",
                       "permissions: access token presented");
    }
    auto found = lookup_->find(token, TokenHint::kRefreshToken);
    if (!found) return failFrom(found.error(), OAuthErrc::kServerError, "Internal error");
    if (!*found || (*found)->kind != FoundToken::Kind::kRefresh) return unknown();
    if ((*found)->refresh.client_id != who.client->client_id) return unknown();
    return Json{{"permission", permissionRecord((*found)->grant, *ctx_.config)}};
  };
  auto r = run();
  if (!r) return renderOAuthError(r.error(), request);
  net::Response resp = net::Response::json(200, *r);
  resp.noStore();
  return resp;
}

}  // namespace gridgate::authz
