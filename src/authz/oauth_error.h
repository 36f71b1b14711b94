// OAuth errors of the authorization server's back-channel endpoints, and their one mapping to the
// wire (RFC 6749 section 5.2, RFC 7009, RFC 9126, RFC 6750 for userinfo).
//
//   OAuthResult<Grant> g = ...;
//   if (!g) return renderOAuthError(g.error(), req);
//   return oauthFail(OAuthErrc::kInvalidGrant, "code expired", "code past expires_at");
//   // a store call: an outage is 503 temporarily_unavailable, a bug 500, anything else as given
//   if (!r) return fromError(r.error(), OAuthErrc::kInvalidGrant, "unknown code");
//
// The description is public and chosen by the code path (a fixed sentence, never Error::detail or
// a request value); the log detail stays in the logs. A client mistake is always a 4xx; an
// unavailable store is 503 with Retry-After; only a bug (kInternal, kCrypto) is a 500.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "net/http.h"

namespace gridgate::authz {

enum class OAuthErrc {
  kInvalidRequest,               // 400: malformed, missing or repeated parameter
  kInvalidClient,                // 401: client authentication failed
  kInvalidGrant,                 // 400: code / refresh token invalid, expired, revoked, not yours
  kUnauthorizedClient,           // 400: this client may not do this
  kUnsupportedGrantType,         // 400
  kInvalidScope,                 // 400
  kUnsupportedResponseType,      // 400 (PAR)
  kInvalidAuthorizationDetails,  // 400 (RFC 9396)
  kUnsupportedTokenType,         // 400 (RFC 7009)
  kInvalidToken,                 // 401 (RFC 6750, userinfo)
  kInsufficientScope,            // 403 (RFC 6750, userinfo)
  kTemporarilyUnavailable,       // 503 + Retry-After: the store is down
  kServerError,                  // 500: a bug
};

std::string_view oauthErrorName(OAuthErrc code);
int oauthErrorStatus(OAuthErrc code);

struct OAuthError {
  OAuthErrc code = OAuthErrc::kInvalidRequest;
  std::string description;  // public
  std::string log_detail;   // logs only
};

template <class T>
using OAuthResult = tl::expected<T, OAuthError>;

[[nodiscard]] inline tl::unexpected<OAuthError> oauthFail(OAuthErrc code, std::string description,
                                                          std::string log_detail = {}) {
  return tl::unexpected<OAuthError>(
      OAuthError{code, std::move(description), std::move(log_detail)});
}

// From an internal Error: kUnavailable, kTimeout and kIo -> temporarily_unavailable; kInternal
// and kCrypto -> server_error; every other code -> `otherwise` with `description`.
[[nodiscard]] OAuthError fromError(const Error& error, OAuthErrc otherwise,
                                   std::string description);
[[nodiscard]] inline tl::unexpected<OAuthError> failFrom(const Error& error, OAuthErrc otherwise,
                                                         std::string description) {
  return tl::unexpected<OAuthError>(fromError(error, otherwise, std::move(description)));
}

// The error response: JSON {"error", "error_description"}, Cache-Control: no-store. 401
// invalid_client carries WWW-Authenticate with the scheme the client tried (RFC 6749 5.2) or
// "mutual-TLS"-free `Basic realm` when it tried none; 401 invalid_token / 403 insufficient_scope
// carry `WWW-Authenticate: Bearer realm=..., error=...`; 503 carries Retry-After. Logs the
// error and its detail (never a token) with the route.
net::Response renderOAuthError(const OAuthError& error, const net::Request& request,
                               std::string_view realm = "gridgate");

}  // namespace gridgate::authz
