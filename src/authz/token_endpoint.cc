#include "authz/token_endpoint.h"

#include <algorithm>

#include "authz/request_form.h"
#include "authz/scope.h"
#include "core/base64.h"
#include "core/log.h"
#include "core/random.h"
#include "core/secure_compare.h"
#include "crypto/digest.h"

namespace gridgate::authz {

namespace {

constexpr std::size_t kRefreshTokenBytes = 32;  // 256 bits (FAPI-CHECKLIST 53)

tl::unexpected<OAuthError> invalidGrant(std::string log_detail) {
  return oauthFail(OAuthErrc::kInvalidGrant, "The grant is invalid, expired or revoked",
                   std::move(log_detail));
}

bool isVerifierChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

bool pkceMatches(std::string_view verifier, std::string_view challenge) {
  if (verifier.size() < 43 || verifier.size() > 128) return false;
  if (!std::all_of(verifier.begin(), verifier.end(), isVerifierChar)) return false;
  return secureEquals(crypto::sha256B64url(asBytes(verifier)), challenge);
}

net::Response TokenEndpoint::handle(const net::Request& request) {
  auto run = [&]() -> OAuthResult<Json> {
    GG_TRY(net::Form form, requestForm(request));
    GG_TRY(AuthenticatedClient who, ctx_.auth->authenticate(request, form));
    const std::string* grant_type = form.get("grant_type");
    if (grant_type == nullptr || grant_type->empty()) {
      return oauthFail(OAuthErrc::kInvalidRequest, "grant_type is required", "no grant_type");
    }
    if (*grant_type == "authorization_code") return authorizationCode(form, who);
    if (*grant_type == "refresh_token") return refreshToken(form, who);
    // FAPI-CHECKLIST 11: the password grant (and every other one) is not offered.
    return oauthFail(OAuthErrc::kUnsupportedGrantType, "Unsupported grant_type",
                     "grant_type not supported");
  };
  auto r = run();
  if (!r) return renderOAuthError(r.error(), request);
  net::Response resp = net::Response::json(200, *r);
  resp.noStore();
  return resp;
}

OAuthResult<Json> TokenEndpoint::authorizationCode(const net::Form& form,
                                                   const AuthenticatedClient& who) {
  GG_TRY(std::string code, requiredParam(form, "code"));
  GG_TRY(std::string redirect_uri, requiredParam(form, "redirect_uri"));
  const std::string* verifier = form.get("code_verifier");

  // Read first, checked, then redeemed together with the tokens' records (one commit). Every
  // refusal below uses the code up as a redemption would (refuse()).
  const std::string code_hash = crypto::sha256Hex(code);
  auto found = ctx_.store->codes().find(code_hash);
  if (!found) return failFrom(found.error(), OAuthErrc::kInvalidGrant, "The code is invalid");
  const store::CodeRecord& rec = found->record;
  if (!found->first_use) return replayed(rec.grant_id, who);

  const std::int64_t now = ctx_.clock->unixSeconds();
  if (now >= rec.expires_at) return refuse(code_hash, who, "code expired");  // FAPI-CHECKLIST 42
  // FAPI-CHECKLIST 41.
  if (rec.client_id != who.client->client_id) {
    return refuse(code_hash, who, "code of another client");
  }
  if (rec.redirect_uri != redirect_uri) return refuse(code_hash, who, "redirect_uri differs");
  if (verifier == nullptr || !pkceMatches(*verifier, rec.code_challenge)) {
    return refuse(code_hash, who, "PKCE verifier missing or wrong");
  }
  auto grant = ctx_.store->grants().find(rec.grant_id);
  if (!grant) return failFrom(grant.error(), OAuthErrc::kInvalidGrant, "The code is invalid");
  if (grant->revoked_at || now >= grant->expires_at)
    return refuse(code_hash, who, "grant not live");
  return issue(*grant, who, grant->scope, code_hash, rec.auth_time, rec.nonce);
}

OAuthResult<Json> TokenEndpoint::replayed(const std::string& grant_id,
                                          const AuthenticatedClient& who) {
  // FAPI-CHECKLIST 40: a replayed code revokes what its first redemption issued.
  auto grant = ctx_.store->grants().find(grant_id);
  if (grant) {
    if (auto revoked = ctx_.revoker->revokeGrant(*grant); !revoked) {
      return failFrom(revoked.error(), OAuthErrc::kInvalidGrant, "The code is invalid");
    }
  } else if (grant.error().code != Errc::kNotFound) {
    return failFrom(grant.error(), OAuthErrc::kInvalidGrant, "The code is invalid");
  }
  log::warn("authorization code replayed by {}: grant {} revoked", who.client->client_id, grant_id);
  return invalidGrant("code replayed");
}

OAuthResult<Json> TokenEndpoint::refuse(const std::string& code_hash,
                                        const AuthenticatedClient& who, std::string detail) {
  auto redeemed = ctx_.store->codes().redeem(code_hash);
  if (!redeemed) return failFrom(redeemed.error(), OAuthErrc::kInvalidGrant, "The code is invalid");
  // Redeemed meanwhile by a concurrent request: this presentation is a replay.
  if (!redeemed->first_use) return replayed(redeemed->record.grant_id, who);
  return invalidGrant(std::move(detail));
}

OAuthResult<Json> TokenEndpoint::refreshToken(const net::Form& form,
                                              const AuthenticatedClient& who) {
  const AuthzConfig& cfg = *ctx_.config;
  GG_TRY(std::string token, requiredParam(form, "refresh_token"));
  const std::string hash = crypto::sha256Hex(token);
  auto rec = ctx_.store->refreshTokens().find(hash);
  if (!rec) return failFrom(rec.error(), OAuthErrc::kInvalidGrant, "The refresh token is invalid");
  const std::int64_t now = ctx_.clock->unixSeconds();
  // FAPI-CHECKLIST 55: bound to the client, and to the certificate it was issued to.
  if (rec->client_id != who.client->client_id)
    return invalidGrant("refresh token of another client");
  if (cfg.refresh_token_cert_binding && !rec->cert_thumbprint.empty() &&
      !secureEquals(rec->cert_thumbprint, who.thumbprint())) {
    return invalidGrant("refresh token bound to another certificate");
  }
  if (now >= rec->expires_at) return invalidGrant("refresh token expired");
  if (rec->rotated_at && now > *rec->rotated_at + cfg.refresh_token_grace.count()) {
    return invalidGrant("rotated refresh token past its grace period");
  }
  auto grant = ctx_.store->grants().find(rec->grant_id);
  if (!grant)
    return failFrom(grant.error(), OAuthErrc::kInvalidGrant, "The refresh token is invalid");
  if (grant->revoked_at || now >= grant->expires_at) return invalidGrant("grant not live");

  std::string scope = rec->scope;
  if (const std::string* requested = form.get("scope"); requested != nullptr) {
    const std::vector<std::string> values = splitScope(*requested);
    // FAPI-CHECKLIST 57: never wider than granted.
    if (values.empty() || !isSubset(values, splitScope(rec->scope))) {
      return oauthFail(OAuthErrc::kInvalidScope, "The scope exceeds the granted scope",
                       "refresh scope widened");
    }
    scope = joinScope(values);
  }
  GG_TRY(Json response, issue(*grant, who, scope, {}, 0, {}));

  if (cfg.refresh_token_rotation) {
    const std::string fresh = randomToken(kRefreshTokenBytes);
    store::RefreshRecord next = *rec;
    next.cert_thumbprint = who.thumbprint();
    next.created_at = now;
    next.rotated_at.reset();
    Status st = rec->rotated_at
                    ? ctx_.store->refreshTokens().create(crypto::sha256Hex(fresh), next)
                    : ctx_.store->refreshTokens().rotate(hash, now, crypto::sha256Hex(fresh), next);
    if (!st && st.error().code == Errc::kAlreadyUsed) {
      // Rotated concurrently by another request: within the grace period, give this one a token
      // of its own.
      st = ctx_.store->refreshTokens().create(crypto::sha256Hex(fresh), next);
    }
    if (!st) return failFrom(st.error(), OAuthErrc::kInvalidGrant, "The refresh token is invalid");
    response["refresh_token"] = fresh;
  }
  return response;
}

OAuthResult<Json> TokenEndpoint::issue(const store::Grant& grant, const AuthenticatedClient& who,
                                       const std::string& scope, std::string_view code_hash,
                                       std::int64_t auth_time, std::string_view nonce) {
  const bool from_code = !code_hash.empty();
  auto at = ctx_.tokens->accessToken(AccessTokenRequest{.grant = grant,
                                                        .client_id = who.client->client_id,
                                                        .scope = scope,
                                                        .cnf_x5t = who.thumbprint(),
                                                        .auth_time = auth_time});
  if (!at) return failFrom(at.error(), OAuthErrc::kServerError, "Internal error");
  store::TokenIssue record;
  record.code_hash = std::string(code_hash);
  record.access_token = {at->jti,       grant.id,       who.client->client_id,
                         at->issued_at, at->expires_at, false};
  Json response = {
      {"access_token", at->jwt},
      {"token_type", "Bearer"},
      {"expires_in", at->expires_at - at->issued_at},
      {"scope", scope},
  };
  std::string refresh;
  if (from_code && hasScope(scope, kScopeOfflineAccess)) {
    // First issue from a code: the refresh token, bound to the client and this certificate.
    refresh = randomToken(kRefreshTokenBytes);
    record.refresh_hash = crypto::sha256Hex(refresh);
    record.refresh.grant_id = grant.id;
    record.refresh.client_id = who.client->client_id;
    record.refresh.cert_thumbprint = who.thumbprint();
    record.refresh.scope = grant.scope;
    record.refresh.created_at = at->issued_at;
    record.refresh.expires_at = grant.expires_at;
  }
  if (from_code && hasScope(scope, kScopeOpenid)) {
    auto id_token =
        ctx_.tokens->idToken(grant.subject, who.client->client_id, nonce, auth_time, at->jwt);
    if (!id_token) return failFrom(id_token.error(), OAuthErrc::kServerError, "Internal error");
    response["id_token"] = *id_token;
  }
  if (auto st = ctx_.store->issueTokens(record); !st) {
    // The code was redeemed by a concurrent request after find(): this one is a replay.
    if (from_code && st.error().code == Errc::kAlreadyUsed) return replayed(grant.id, who);
    // The code or the grant swept meanwhile: the client's grant is gone, not a server fault.
    if (st.error().code == Errc::kNotFound) return invalidGrant("code or grant gone");
    return failFrom(st.error(), OAuthErrc::kServerError, "Internal error");
  }
  if (!refresh.empty()) response["refresh_token"] = std::move(refresh);
  log::info("tokens issued to {} for grant {}", who.client->client_id, grant.id);
  return response;
}

}  // namespace gridgate::authz
