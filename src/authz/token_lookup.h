// Finding what a presented token is, for introspection, revocation, permissions and userinfo.
//
//   TokenLookup lookup(ctx);
//   GG_TRY(std::optional<FoundToken> t, lookup.find(token, TokenHint::kAny));   // blocking
//   if (!t || !t->active) return inactive();
//   t->kind;  t->grant;  t->claims (access tokens);  t->refresh (refresh tokens)
//
// Access tokens are our JWTs: the signature must verify with one of our published keys, typ
// at+jwt, iss ours, exp in the future; then whether its jti was revoked and its grant (named in
// the token) are read from the store on every call, so a revocation shows at once. Issuing a
// token stores nothing per token (store::AccessTokenStore). A verified signature is remembered (by
// SHA-256 of the token, until the token's exp) so that a token introspected again costs no ECDSA
// verify (TARGETS.md: introspection within 3x nginx's CPU per request); liveness is never cached.
// Refresh tokens are looked up by their SHA-256.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "authz/context.h"
#include "core/json.h"
#include "core/result.h"

namespace gridgate::authz {

enum class TokenHint { kAny, kAccessToken, kRefreshToken };

struct FoundToken {
  enum class Kind { kAccess, kRefresh };
  Kind kind = Kind::kAccess;
  // Access tokens: the verified claims, and the record they make (revoked: from the store).
  Json claims;
  store::AccessTokenRecord access;
  // Refresh tokens.
  store::RefreshRecord refresh;
  std::string refresh_hash;
  store::Grant grant;
  // Every liveness check passed: unexpired, not revoked, grant live, rotation grace.
  bool active = false;
  // The client the token was issued to.
  const std::string& clientId() const {
    return kind == Kind::kAccess ? access.client_id : refresh.client_id;
  }
};

class TokenLookup {
 public:
  explicit TokenLookup(AuthzContext ctx) : ctx_(std::move(ctx)) {}

  // nullopt: not a token of this server (unknown, malformed, bad signature, expired JWT).
  // Errors only for store failures (kUnavailable...).
  [[nodiscard]] Result<std::optional<FoundToken>> find(std::string_view token, TokenHint hint);

  // The verified claims of one of our access tokens (signature checked once, then cached until
  // exp), or nullopt.
  std::optional<Json> verifiedClaims(std::string_view token);

 private:
  [[nodiscard]] Result<std::optional<FoundToken>> findAccess(std::string_view token);
  [[nodiscard]] Result<std::optional<FoundToken>> findRefresh(std::string_view token);

  AuthzContext ctx_;
  struct CachedClaims {
    Json claims;
    std::int64_t exp = 0;
  };
  std::mutex mu_;
  std::unordered_map<std::string, CachedClaims> verified_;  // by sha256Hex(token)
};

}  // namespace gridgate::authz
