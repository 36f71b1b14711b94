#include "validator/auth_error.h"

#include <string>

#include "core/json.h"

namespace gridgate::validator {

std::string_view reasonName(Reason reason) {
  switch (reason) {
    case Reason::kTokenInQuery:
      return "token_in_query";
    case Reason::kTokenInBody:
      return "token_in_body";
    case Reason::kDuplicateAuthorization:
      return "duplicate_authorization";
    case Reason::kMalformedAuthorization:
      return "malformed_authorization";
    case Reason::kBadCertificateHeader:
      return "bad_certificate_header";
    case Reason::kNoToken:
      return "no_token";
    case Reason::kNoCertificate:
      return "no_certificate";
    case Reason::kCertificateUntrusted:
      return "certificate_untrusted";
    case Reason::kCertificateRevoked:
      return "certificate_revoked";
    case Reason::kCertificateExpired:
      return "certificate_expired";
    case Reason::kMalformedToken:
      return "malformed_token";
    case Reason::kUnknownIssuer:
      return "unknown_issuer";
    case Reason::kAlgNotAllowed:
      return "alg_not_allowed";
    case Reason::kUnknownKey:
      return "unknown_key";
    case Reason::kBadSignature:
      return "bad_signature";
    case Reason::kWrongType:
      return "wrong_type";
    case Reason::kWrongIssuer:
      return "wrong_issuer";
    case Reason::kWrongAudience:
      return "wrong_audience";
    case Reason::kMissingClaim:
      return "missing_claim";
    case Reason::kExpired:
      return "expired";
    case Reason::kNotYetValid:
      return "not_yet_valid";
    case Reason::kInactive:
      return "inactive";
    case Reason::kRevoked:
      return "revoked";
    case Reason::kBindingMissing:
      return "binding_missing";
    case Reason::kBindingMismatch:
      return "binding_mismatch";
    case Reason::kClientMismatch:
      return "client_mismatch";
    case Reason::kInsufficientScope:
      return "insufficient_scope";
    case Reason::kClaimRequirement:
      return "claim_requirement";
    case Reason::kMissingRole:
      return "missing_role";
    case Reason::kIssuerUnavailable:
      return "issuer_unavailable";
    case Reason::kNeedsIo:
      return "needs_io";
  }
  return "unknown";
}

int httpStatus(Reason reason) {
  switch (reason) {
    case Reason::kTokenInQuery:
    case Reason::kTokenInBody:
    case Reason::kDuplicateAuthorization:
    case Reason::kMalformedAuthorization:
    case Reason::kBadCertificateHeader:
      return 400;
    case Reason::kNoToken:
    case Reason::kNoCertificate:
    case Reason::kCertificateUntrusted:
    case Reason::kCertificateRevoked:
    case Reason::kCertificateExpired:
    case Reason::kMalformedToken:
    case Reason::kUnknownIssuer:
    case Reason::kAlgNotAllowed:
    case Reason::kUnknownKey:
    case Reason::kBadSignature:
    case Reason::kWrongType:
    case Reason::kWrongIssuer:
    case Reason::kWrongAudience:
    case Reason::kMissingClaim:
    case Reason::kExpired:
    case Reason::kNotYetValid:
    case Reason::kInactive:
    case Reason::kRevoked:
    case Reason::kBindingMissing:
    case Reason::kBindingMismatch:
    case Reason::kClientMismatch:
      return 401;
    case Reason::kInsufficientScope:
    case Reason::kClaimRequirement:
    case Reason::kMissingRole:
      return 403;
    case Reason::kIssuerUnavailable:
      return 503;
    case Reason::kNeedsIo:
      return 500;
  }
  return 500;
}

std::string_view errorCode(Reason reason) {
  switch (httpStatus(reason)) {
    case 400:
      return "invalid_request";
    case 401:
      return reason == Reason::kNoToken ? "" : "invalid_token";
    case 403:
      return "insufficient_scope";
    default:
      return "";
  }
}

namespace {

// Fixed texts: they say which check failed in the client's terms, never with data from the
// token, the certificate or an issuer's answer.
std::string_view description(Reason reason) {
  switch (reason) {
    case Reason::kTokenInQuery:
    case Reason::kTokenInBody:
      return "the access token must be sent in the Authorization header only";
    case Reason::kDuplicateAuthorization:
      return "more than one Authorization header";
    case Reason::kMalformedAuthorization:
      return "malformed Authorization header";
    case Reason::kBadCertificateHeader:
      return "the forwarded client certificate is malformed";
    case Reason::kNoToken:
      return "";
    case Reason::kNoCertificate:
      return "a client certificate is required";
    case Reason::kCertificateUntrusted:
    case Reason::kCertificateRevoked:
    case Reason::kCertificateExpired:
      return "the client certificate is not accepted";
    case Reason::kMalformedToken:
    case Reason::kUnknownIssuer:
    case Reason::kAlgNotAllowed:
    case Reason::kUnknownKey:
    case Reason::kBadSignature:
    case Reason::kWrongType:
    case Reason::kWrongIssuer:
    case Reason::kWrongAudience:
    case Reason::kMissingClaim:
      return "the access token is invalid";
    case Reason::kExpired:
      return "the access token expired";
    case Reason::kNotYetValid:
      return "the access token is not yet valid";
    case Reason::kInactive:
    case Reason::kRevoked:
      return "the access token is not active";
    case Reason::kBindingMissing:
    case Reason::kBindingMismatch:
      return "the access token is not bound to the client certificate";
    case Reason::kClientMismatch:
      return "the access token was not issued to this client";
    case Reason::kInsufficientScope:
      return "the access token lacks a required scope";
    case Reason::kClaimRequirement:
      return "the access token lacks a required claim, group or entitlement";
    case Reason::kMissingRole:
      return "the client certificate lacks a required role";
    case Reason::kIssuerUnavailable:
      return "the authorization server is unreachable, retry later";
    case Reason::kNeedsIo:
      return "";
  }
  return "";
}

// RFC 6750 section 3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by spaces.
bool validScopeAttribute(std::string_view scope) {
  if (scope.empty() || scope.front() == ' ' || scope.back() == ' ') return false;
  char previous = 'x';
  for (const char ch : scope) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ') {
      if (previous == ' ') return false;
    } else if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') {
      return false;
    }
    previous = ch;
  }
  return true;
}

}  // namespace

WireError render(const AuthError& error, std::string_view realm, std::chrono::seconds retry_after) {
  WireError out;
  out.status = httpStatus(error.reason);
  out.headers.emplace_back("Cache-Control", "no-store");
  const std::string_view code = errorCode(error.reason);

  if (out.status == 503) {
    out.headers.emplace_back(
        "Retry-After",
        std::to_string(std::max<std::int64_t>(1, static_cast<std::int64_t>(retry_after.count()))));
    out.content_type = "application/json";
    out.body = dumpJson(Json{{"error", "temporarily_unavailable"},
                             {"error_description", std::string(description(error.reason))}});
    return out;
  }

  std::string challenge = "Bearer realm=\"";
  challenge += realm;
  challenge += '"';
  if (!code.empty()) {
    challenge += ", error=\"";
    challenge += code;
    challenge += "\", error_description=\"";
    challenge += description(error.reason);
    challenge += '"';
    if (out.status == 403 && validScopeAttribute(error.scope)) {
      challenge += ", scope=\"";
      challenge += error.scope;
      challenge += '"';
    }
  }
  out.headers.emplace_back("WWW-Authenticate", std::move(challenge));
  if (!code.empty()) {
    out.content_type = "application/json";
    out.body = dumpJson(Json{{"error", std::string(code)},
                             {"error_description", std::string(description(error.reason))}});
  }
  return out;
}

}  // namespace gridgate::validator
