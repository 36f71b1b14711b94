#include "authz/token_lookup.h"

#include "crypto/digest.h"

namespace gridgate::authz {

namespace {

constexpr std::size_t kVerifiedCacheMax = 50'000;
constexpr std::size_t kMaxTokenBytes = 16 * 1024;

// Our access tokens are compact JWS (two dots); refresh tokens are 43 base64url characters.
bool looksLikeJws(std::string_view token) {
  std::size_t dots = 0;
  for (char c : token) dots += c == '.' ? 1 : 0;
  return dots == 2;
}

}  // namespace

std::optional<Json> TokenLookup::verifiedClaims(std::string_view token) {
  if (token.size() > kMaxTokenBytes || !looksLikeJws(token)) return std::nullopt;
  const std::int64_t now = ctx_.clock->unixSeconds();
  const std::string key = crypto::sha256Hex(token);
  {
    std::lock_guard lock(mu_);
    if (auto it = verified_.find(key); it != verified_.end()) {
      if (now < it->second.exp) return it->second.claims;
      verified_.erase(it);
      return std::nullopt;
    }
  }
  auto jwt = ctx_.tokens->verifyAccessToken(token);
  if (!jwt) return std::nullopt;
  CachedClaims entry{jwt->claims.json(), *jwt->claims.exp()};
  std::lock_guard lock(mu_);
  if (verified_.size() >= kVerifiedCacheMax) {
    // Drop the expired ones first; if that frees nothing, start over (bounded memory).
    for (auto it = verified_.begin(); it != verified_.end();) {
      it = now >= it->second.exp ? verified_.erase(it) : std::next(it);
    }
    if (verified_.size() >= kVerifiedCacheMax) verified_.clear();
  }
  verified_.emplace(key, entry);
  return entry.claims;
}

Result<std::optional<FoundToken>> TokenLookup::find(std::string_view token, TokenHint hint) {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::optional<FoundToken>();
  // The hint only orders the attempts (RFC 7009 2.1, RFC 7662 2.1): a wrong hint still finds it.
  if (hint == TokenHint::kRefreshToken) {
    GG_TRY(auto found, findRefresh(token));
    if (found) return found;
    return findAccess(token);
  }
  GG_TRY(auto found, findAccess(token));
  if (found) return found;
  return findRefresh(token);
}

Result<std::optional<FoundToken>> TokenLookup::findAccess(std::string_view token) {
  std::optional<Json> claims = verifiedClaims(token);
  if (!claims) return std::optional<FoundToken>();
  // Our signature vouches for the claims; what can change after issue is read from the store.
  const std::string* jti = jsonString(*claims, "jti");
  const std::string* grant_id = jsonString(*claims, "grant_id");
  const std::string* client_id = jsonString(*claims, "client_id");
  const std::optional<std::int64_t> iat = jsonInt(*claims, "iat");
  const std::optional<std::int64_t> exp = jsonInt(*claims, "exp");
  if (jti == nullptr || grant_id == nullptr || client_id == nullptr || !iat || !exp) {
    return std::optional<FoundToken>();
  }
  FoundToken t;
  t.kind = FoundToken::Kind::kAccess;
  t.access = store::AccessTokenRecord{.jti = *jti,
                                      .grant_id = *grant_id,
                                      .client_id = *client_id,
                                      .issued_at = *iat,
                                      .expires_at = *exp};
  GG_TRY(t.access.revoked, ctx_.store->accessTokens().isRevoked(*jti));
  auto grant = ctx_.store->grants().find(*grant_id);
  if (!grant) {
    if (grant.error().code == Errc::kNotFound) return std::optional<FoundToken>();
    return fail(grant.error());
  }
  t.grant = std::move(*grant);
  const std::int64_t now = ctx_.clock->unixSeconds();
  t.active = now < *exp && !t.access.revoked && !t.grant.revoked_at && now < t.grant.expires_at;
  t.claims = std::move(*claims);
  return std::optional<FoundToken>(std::move(t));
}

Result<std::optional<FoundToken>> TokenLookup::findRefresh(std::string_view token) {
  if (looksLikeJws(token)) return std::optional<FoundToken>();
  FoundToken t;
  t.kind = FoundToken::Kind::kRefresh;
  t.refresh_hash = crypto::sha256Hex(token);
  auto rec = ctx_.store->refreshTokens().find(t.refresh_hash);
  if (!rec) {
    if (rec.error().code == Errc::kNotFound) return std::optional<FoundToken>();
    return fail(rec.error());
  }
  t.refresh = std::move(*rec);
  auto grant = ctx_.store->grants().find(t.refresh.grant_id);
  if (!grant) {
    if (grant.error().code == Errc::kNotFound) return std::optional<FoundToken>();
    return fail(grant.error());
  }
  t.grant = std::move(*grant);
  const std::int64_t now = ctx_.clock->unixSeconds();
  const AuthzConfig& cfg = *ctx_.config;
  const bool rotated_out =
      t.refresh.rotated_at && now > *t.refresh.rotated_at + cfg.refresh_token_grace.count();
  t.active =
      now < t.refresh.expires_at && !rotated_out && !t.grant.revoked_at && now < t.grant.expires_at;
  return std::optional<FoundToken>(std::move(t));
}

}  // namespace gridgate::authz
