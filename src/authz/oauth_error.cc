#include "authz/oauth_error.h"

#include "core/log.h"

namespace gridgate::authz {

std::string_view oauthErrorName(OAuthErrc code) {
  switch (code) {
    case OAuthErrc::kInvalidRequest:
      return "invalid_request";
    case OAuthErrc::kInvalidClient:
      return "invalid_client";
    case OAuthErrc::kInvalidGrant:
      return "invalid_grant";
    case OAuthErrc::kUnauthorizedClient:
      return "unauthorized_client";
    case OAuthErrc::kUnsupportedGrantType:
      return "unsupported_grant_type";
    case OAuthErrc::kInvalidScope:
      return "invalid_scope";
    case OAuthErrc::kUnsupportedResponseType:
      return "unsupported_response_type";
    case OAuthErrc::kInvalidAuthorizationDetails:
      return "invalid_authorization_details";
    case OAuthErrc::kUnsupportedTokenType:
      return "unsupported_token_type";
    case OAuthErrc::kInvalidToken:
      return "invalid_token";
    case OAuthErrc::kInsufficientScope:
      return "insufficient_scope";
    case OAuthErrc::kTemporarilyUnavailable:
      return "temporarily_unavailable";
    case OAuthErrc::kServerError:
      return "server_error";
  }
  return "server_error";
}

int oauthErrorStatus(OAuthErrc code) {
  switch (code) {
    case OAuthErrc::kInvalidClient:
    case OAuthErrc::kInvalidToken:
      return 401;
    case OAuthErrc::kInsufficientScope:
      return 403;
    case OAuthErrc::kTemporarilyUnavailable:
      return 503;
    case OAuthErrc::kServerError:
      return 500;
    case OAuthErrc::kInvalidRequest:
    case OAuthErrc::kInvalidGrant:
    case OAuthErrc::kUnauthorizedClient:
    case OAuthErrc::kUnsupportedGrantType:
    case OAuthErrc::kInvalidScope:
    case OAuthErrc::kUnsupportedResponseType:
    case OAuthErrc::kInvalidAuthorizationDetails:
    case OAuthErrc::kUnsupportedTokenType:
      return 400;
  }
  return 500;
}

OAuthError fromError(const Error& error, OAuthErrc otherwise, std::string description) {
  switch (error.code) {
    case Errc::kUnavailable:
    case Errc::kTimeout:
    case Errc::kIo:
      return OAuthError{OAuthErrc::kTemporarilyUnavailable,
                        "The service is temporarily unavailable",
                        std::string(errcName(error.code)) + ": " + error.detail};
    case Errc::kInternal:
    case Errc::kCrypto:
      return OAuthError{OAuthErrc::kServerError, "Internal error",
                        std::string(errcName(error.code)) + ": " + error.detail};
    default:
      return OAuthError{otherwise, std::move(description),
                        std::string(errcName(error.code)) + ": " + error.detail};
  }
}

net::Response renderOAuthError(const OAuthError& error, const net::Request& request,
                               std::string_view realm) {
  const std::string_view name = oauthErrorName(error.code);
  const int status = oauthErrorStatus(error.code);
  Json body = {{"error", name}};
  if (!error.description.empty()) body["error_description"] = error.description;
  net::Response resp = net::Response::json(status, body);
  resp.noStore();
  const std::string quoted_realm = "realm=\"" + std::string(realm) + "\"";
  switch (error.code) {
    case OAuthErrc::kInvalidClient: {
      // RFC 6749 5.2: answer in the scheme the client tried; mTLS clients tried none.
      std::string scheme = "Basic";
      if (auto auth = request.headers.get("authorization")) {
        const std::size_t sp = auth->find(' ');
        const std::string_view s = auth->substr(0, sp);
        if (!s.empty() && s.size() <= 32 &&
            s.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") ==
                std::string_view::npos) {
          scheme = std::string(s);
        }
        resp.header("WWW-Authenticate", scheme + " " + quoted_realm);
      }
      break;
    }
    case OAuthErrc::kInvalidToken:
    case OAuthErrc::kInsufficientScope:
      resp.header("WWW-Authenticate",
                  "Bearer " + quoted_realm + ", error=\"" + std::string(name) + "\"");
      break;
    case OAuthErrc::kTemporarilyUnavailable:
      resp.header("Retry-After", "5");
      break;
    default:
      break;
  }
  if (status >= 500) {
    log::warn("{} {}: {} ({})", request.route, status, name, error.log_detail);
  } else {
    log::info("{} {}: {} ({})", request.route, status, name, error.log_detail);
  }
  return resp;
}

}  // namespace gridgate::authz
