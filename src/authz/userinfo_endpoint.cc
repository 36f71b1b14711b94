#include "authz/userinfo_endpoint.h"

#include <cctype>

#include "authz/scope.h"
#include "core/log.h"
#include "core/secure_compare.h"
#include "net/form.h"

namespace gridgate::authz {

namespace {

constexpr std::string_view kRealm = "userinfo";

bool hasAccessTokenParam(std::string_view text) {
  if (text.find("access_token") == std::string_view::npos) return false;
  auto form = net::parseForm(text);
  return !form || form->has("access_token");
}

// RFC 6750 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool isB64Token(std::string_view t) {
  if (t.empty()) return false;
  std::size_t i = 0;
  for (; i < t.size() && t[i] != '='; ++i) {
    const char c = t[i];
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' && c != '_' &&
        c != '~' && c != '+' && c != '/') {
      return false;
    }
  }
  if (i == 0) return false;
  for (; i < t.size(); ++i) {
    if (t[i] != '=') return false;
  }
  return true;
}

net::Response bearerError(int status, std::string_view error, std::string_view description) {
  std::string challenge = "Bearer realm=\"" + std::string(kRealm) + "\"";
  Json body = Json::object();
  if (!error.empty()) {
    challenge += ", error=\"" + std::string(error) + "\"";
    body["error"] = error;
    body["error_description"] = description;
  }
  if (error == "insufficient_scope") challenge += ", scope=\"openid\"";
  net::Response r =
      error.empty() ? net::Response::empty(status) : net::Response::json(status, body);
  r.header("WWW-Authenticate", std::move(challenge));
  r.noStore();
  return r;
}

}  // namespace

net::Response UserinfoEndpoint::handle(const net::Request& request) {
  // RFC 6750 2.2/2.3 are not allowed here (FAPI-CHECKLIST 68).
  if (hasAccessTokenParam(request.query) ||
      (request.isForm() && hasAccessTokenParam(request.body))) {
    return bearerError(400, "invalid_request",
                       "The token is accepted only in the Authorization header");
  }
  const std::vector<std::string_view> auth = request.headers.getAll("authorization");
  if (auth.empty()) return bearerError(401, "", "");  // FAPI-CHECKLIST 69: no error attribute
  if (auth.size() > 1) return bearerError(400, "invalid_request", "Repeated Authorization header");
  const std::string_view value = auth.front();
  const std::size_t sp = value.find(' ');
  std::string scheme(value.substr(0, sp));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "bearer" || sp == std::string_view::npos) {
    return bearerError(401, "", "");
  }
  std::string_view token = value.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (!isB64Token(token)) return bearerError(400, "invalid_request", "Malformed token");

  auto found = lookup_->find(token, TokenHint::kAccessToken);
  if (!found) {
    log::warn("userinfo: store: {}", found.error().detail);
    net::Response r = net::Response::json(503, Json{{"error", "temporarily_unavailable"}});
    r.header("Retry-After", "5");
    return r;
  }
  if (!*found || (*found)->kind != FoundToken::Kind::kAccess || !(*found)->active) {
    return bearerError(401, "invalid_token", "The access token is invalid, expired or revoked");
  }
  const FoundToken& t = **found;
  // FAPI-CHECKLIST 77: the token is bound to the certificate of this connection.
  const Json* cnf = jsonMember(t.claims, "cnf");
  const std::string* x5t =
      cnf != nullptr && cnf->is_object() ? jsonString(*cnf, "x5t#S256") : nullptr;
  if (x5t == nullptr || !request.peer.client_cert ||
      !secureEquals(*x5t, request.peer.client_cert->thumbprint())) {
    return bearerError(401, "invalid_token", "The access token is bound to another certificate");
  }
  const std::string* scope = jsonString(t.claims, "scope");
  if (scope == nullptr || !hasScope(*scope, kScopeOpenid)) {
    return bearerError(403, "insufficient_scope", "The openid scope is required");
  }
  Json body = {{"sub", t.grant.subject}};
  auto user = ctx_.store->users().findBySubject(t.grant.subject);
  if (user && !user->display_name.empty()) body["name"] = user->display_name;
  net::Response r = net::Response::json(200, body);
  r.noStore();
  return r;
}

}  // namespace gridgate::authz
