// Why a request was refused, and the one place that turns that into HTTP (RFC 6750).
//
//   CheckResult r = validator->check(view, route);
//   if (!r) {
//     log::info("denied: {} ({})", reasonName(r.error().reason), r.error().detail);
//     WireError w = render(r.error(), config.realm, config.retry_after);
//     // w.status: 400 / 401 / 403 / 503; w.headers: WWW-Authenticate, Cache-Control: no-store,
//     // Retry-After (503); w.body: {"error": "...", "error_description": "..."}
//   }
//
// The detail is for logs only. What reaches the client is the RFC 6750 error code and a fixed,
// generic description per reason: never a claim value, an issuer's answer or a key id.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>
#include <vector>

namespace gridgate::validator {

enum class Reason : std::uint8_t {
  // 400 invalid_request
  kTokenInQuery,            // access_token in the query string (RFC 6750 2.3 is not allowed)
  kTokenInBody,             // access_token in a form body (RFC 6750 2.2 is not allowed)
  kDuplicateAuthorization,  // more than one Authorization header
  kMalformedAuthorization,  // Bearer scheme without a well-formed b64token
  kBadCertificateHeader,    // the application's certificate source could not decode its input

  // 401 without an error attribute (RFC 6750 3.1: the request carried no credentials)
  kNoToken,  // no Authorization header, or one with another scheme

  // 401 invalid_token
  kNoCertificate,         // no client certificate presented
  kCertificateUntrusted,  // the certificate does not chain to the configured anchors
  kCertificateRevoked,    // the certificate is on a CRL
  kCertificateExpired,    // the certificate (or one of its chain) is outside its validity
  kMalformedToken,        // not a JWS / claims of the wrong type / not a token of any issuer
  kUnknownIssuer,         // iss names no configured issuer
  kAlgNotAllowed,         // the JWS alg is not allowed for the issuer
  kUnknownKey,            // no key of the issuer's JWKS matches (after the one refetch)
  kBadSignature,          // the signature does not verify
  kWrongType,             // typ is not at+jwt
  kWrongIssuer,           // iss (or the introspection answer's iss) is not the issuer's
  kWrongAudience,         // aud does not name this resource server (or the route's audience)
  kMissingClaim,          // a required claim (exp...) is absent
  kExpired,               // exp has passed (leeway included)
  kNotYetValid,           // nbf / iat too far in the future
  kInactive,              // introspection answered active=false, or userinfo refused it
  kRevoked,               // purged: token hash, jti or grant revoked
  kBindingMissing,        // the token has no cnf.x5t#S256 but the route requires binding
  kBindingMismatch,       // cnf.x5t#S256 differs from the certificate's thumbprint
  kClientMismatch,        // client_id differs from the certificate's SAN URI

  // 403 insufficient_scope
  kInsufficientScope,  // a required scope is missing
  kClaimRequirement,   // a required claim value, group or entitlement is missing
  kMissingRole,        // the certificate lacks a required IB1 role

  // 503 + Retry-After (fail closed)
  kIssuerUnavailable,  // discovery, JWKS, introspection or userinfo unreachable or broken

  // Never rendered: the check needs network I/O and was asked not to do it (IoPolicy::kForbid).
  // The HTTP adapter runs the check again off the I/O thread.
  kNeedsIo,
};

inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::kNeedsIo) + 1;

// Stable lowercase name ("expired", "binding_mismatch"), for logs and metrics labels.
std::string_view reasonName(Reason reason);

struct AuthError {
  Reason reason = Reason::kMalformedToken;
  std::string detail;  // for logs only
  std::string scope;   // 403: the scopes the route requires (the `scope` attribute)
};

// Builds an AuthError (the detail is for logs).
[[nodiscard]] inline tl::unexpected<AuthError> deny(Reason reason, std::string detail = {}) {
  return tl::unexpected<AuthError>(AuthError{reason, std::move(detail), {}});
}

// The HTTP status for a reason (400, 401, 403, 503; 500 for kNeedsIo, which is never rendered).
int httpStatus(Reason reason);
// The RFC 6750 error code, or empty (kNoToken, kIssuerUnavailable, kNeedsIo).
std::string_view errorCode(Reason reason);

struct WireError {
  int status = 401;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;                                          // JSON, or empty
  std::string content_type;                                  // of body, empty if none
};

// The response for a refused request. `realm` must be a valid quoted-string body (validateConfig
// checks it); a scope containing characters outside RFC 6750's scope syntax is left out.
WireError render(const AuthError& error, std::string_view realm, std::chrono::seconds retry_after);

}  // namespace gridgate::validator
