#include "authz/revocation_endpoint.h"

#include "authz/request_form.h"
#include "core/log.h"

namespace gridgate::authz {

net::Response RevocationEndpoint::handle(const net::Request& request) {
  auto run = [&]() -> OAuthResult<void> {
    GG_TRY(net::Form form, requestForm(request));
    GG_TRY(AuthenticatedClient who, ctx_.auth->authenticate(request, form));
    GG_TRY(std::string token, requiredParam(form, "token"));
    TokenHint hint = TokenHint::kAny;
    if (const std::string* h = form.get("token_type_hint")) {
      if (*h == "refresh_token") hint = TokenHint::kRefreshToken;
      if (*h == "access_token") hint = TokenHint::kAccessToken;
    }
    auto found = lookup_->find(token, hint);
    if (!found) return failFrom(found.error(), OAuthErrc::kServerError, "Internal error");
    if (!*found) return {};  // unknown (or expired): nothing to do, 200
    const FoundToken& t = **found;
    if (t.clientId() != who.client->client_id) {
      return oauthFail(OAuthErrc::kUnauthorizedClient, "The token was not issued to this client",
                       "revoke of another client's");
    }
    if (t.kind == FoundToken::Kind::kRefresh) {
      auto revoked = ctx_.revoker->revokeGrant(t.grant);
      if (!revoked) return failFrom(revoked.error(), OAuthErrc::kServerError, "Internal error");
    } else if (!t.access.revoked) {
      if (auto st = ctx_.revoker->revokeAccessToken(t.access); !st) {
        return failFrom(st.error(), OAuthErrc::kServerError, "Internal error");
      }
      log::info("access token of grant {} revoked by {}", t.access.grant_id, who.client->client_id);
    }
    return {};
  };
  auto r = run();
  if (!r) return renderOAuthError(r.error(), request);
  net::Response resp = net::Response::empty(200);
  resp.noStore();
  return resp;
}

}  // namespace gridgate::authz
