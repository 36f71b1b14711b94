#include "authz/tokens.h"

#include "core/base64.h"
#include "core/random.h"
#include "crypto/digest.h"

namespace gridgate::authz {

namespace {

constexpr std::size_t kJtiBytes = 24;  // 192 bits (FAPI-CHECKLIST 53: >= 128)

Result<std::shared_ptr<const KeySet>> keySet(SigningKeys& keys) {
  auto set = keys.current();
  if (!set) return fail(Errc::kInternal, "no signing key");
  return set;
}

Json audienceClaim(const std::vector<std::string>& audiences) {
  if (audiences.size() == 1) return audiences.front();
  return Json(audiences);
}

}  // namespace

Result<IssuedAccessToken> TokenIssuer::accessToken(const AccessTokenRequest& r) const {
  GG_TRY(auto set, keySet(*keys_));
  IssuedAccessToken out;
  out.issued_at = clock_.unixSeconds();
  out.expires_at = out.issued_at + config_->access_token_lifetime.count();
  out.jti = randomToken(kJtiBytes);
  Json claims = {
      {"iss", config_->issuer},
      {"sub", r.grant.subject},
      {"aud", audienceClaim(config_->resource_audiences)},
      {"client_id", r.client_id},
      {"scope", r.scope},
      {"iat", out.issued_at},
      {"exp", out.expires_at},
      {"jti", out.jti},
      {"cnf", {{"x5t#S256", r.cnf_x5t}}},
      {"grant_id", r.grant.id},
  };
  if (r.auth_time != 0) claims["auth_time"] = r.auth_time;
  if (!r.grant.authorization_details.empty()) {
    auto details = parseJson(r.grant.authorization_details);
    if (details) claims["authorization_details"] = std::move(*details);
  }
  GG_TRY(out.jwt, jose::signJwt(set->signer, claims, "at+jwt"));
  return out;
}

Result<std::string> TokenIssuer::idToken(std::string_view subject, std::string_view client_id,
                                         std::string_view nonce, std::int64_t auth_time,
                                         std::string_view access_token) const {
  GG_TRY(auto set, keySet(*keys_));
  const std::int64_t now = clock_.unixSeconds();
  // at_hash: left half of the hash of the access token (SHA-256 for ES256 and PS256).
  const crypto::Sha256 h = crypto::sha256(access_token);
  Json claims = {
      {"iss", config_->issuer},
      {"sub", subject},
      {"aud", client_id},
      {"iat", now},
      {"exp", now + config_->id_token_lifetime.count()},
      {"auth_time", auth_time},
      {"at_hash", base64urlEncode(ByteView(h.data(), h.size() / 2))},
  };
  if (!nonce.empty()) claims["nonce"] = nonce;
  return jose::signJwt(set->signer, claims, "JWT");
}

Result<std::string> TokenIssuer::introspectionJwt(std::string_view audience,
                                                  const Json& introspection) const {
  GG_TRY(auto set, keySet(*keys_));
  Json claims = {
      {"iss", config_->issuer},
      {"aud", audience},
      {"iat", clock_.unixSeconds()},
      {"token_introspection", introspection},
  };
  return jose::signJwt(set->signer, claims, "token-introspection+jwt");
}

Result<jose::VerifiedJwt> TokenIssuer::verifyAccessToken(std::string_view token) const {
  GG_TRY(auto set, keySet(*keys_));
  jose::ClaimRules rules;
  rules.issuers = {config_->issuer};
  rules.typ = "at+jwt";
  rules.require_exp = true;
  rules.require_iat = true;
  rules.require_jti = true;
  return jose::verifyJwt(token, set->verifier, rules, clock_);
}

}  // namespace gridgate::authz
