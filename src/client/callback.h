// The authorization response at the client's redirect URI (RFC 6749 4.1.2, RFC 9207), checked
// before anything in it is used (FAPI-CHECKLIST 88).
//
//   GG_TRY(AuthorizationResponse r, parseCallback(callback_url, {.redirect_uri = req.redirect_uri,
//                                                               .state = req.state,
//                                                               .issuer = metadata.issuer}));
//   if (!r.ok()) show(r.error, r.error_description);   // access_denied: the user said no
//   else GG_TRY(TokenResponse t, client.exchangeCode(r.code, req));
//
// Order: the URL must be the redirect URI that was pushed (same origin and path); `iss` must be
// present and equal the issuer exactly (mix-up defence, also on error responses); `state` must be
// present and equal, compared in constant time; then either `code` or `error`. A response that
// fails a check is an error value (kInvalidClaim naming the parameter, kMalformed for a broken
// query); a checked error response (error=access_denied...) is a normal result.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::client {

struct CallbackExpectations {
  std::string redirect_uri{};  // as pushed; empty: not compared (a bare query string was given)
  std::string state{};         // as pushed (never empty: the client always sends one)
  std::string issuer{};        // the discovered issuer
};

struct AuthorizationResponse {
  std::string code{};               // set on success
  std::string error{};              // set on an error response ("access_denied", ...)
  std::string error_description{};  // optional, from the server: display only
  std::string iss{};
  std::string state{};

  bool ok() const { return !code.empty(); }
};

// `callback` is the full redirect URL, or just its query string ("code=...&state=...&iss=...",
// with or without a leading '?'), as a user may paste it.
[[nodiscard]] Result<AuthorizationResponse> parseCallback(std::string_view callback,
                                                          const CallbackExpectations& expect);

}  // namespace gridgate::client
