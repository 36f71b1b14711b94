#include "authz/introspection_endpoint.h"

#include <cctype>

#include "authz/request_form.h"

namespace gridgate::authz {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Json activeResponse(const FoundToken& t, const AuthzConfig& cfg) {
  Json r = Json::object();
  r["active"] = true;
  r["iss"] = cfg.issuer;
  r["sub"] = t.grant.subject;
  r["client_id"] = t.clientId();
  r["grant_id"] = t.grant.id;
  if (t.kind == FoundToken::Kind::kAccess) {
    for (const char* name :
         {"aud", "scope", "exp", "iat", "jti", "cnf", "auth_time", "authorization_details"}) {
      if (const Json* v = jsonMember(t.claims, name)) r[name] = *v;
    }
    r["token_type"] = "Bearer";
  } else {
    r["scope"] = t.refresh.scope;
    r["exp"] = t.refresh.expires_at;
    r["iat"] = t.refresh.created_at;
    r["token_type"] = "refresh_token";
    if (!t.refresh.cert_thumbprint.empty()) {
      r["cnf"] = Json{{"x5t#S256", t.refresh.cert_thumbprint}};
    }
    if (!t.grant.authorization_details.empty()) {
      if (auto details = parseJson(t.grant.authorization_details)) {
        r["authorization_details"] = std::move(*details);
      }
    }
  }
  return r;
}

}  // namespace

bool acceptsIntrospectionJwt(const net::Request& request) {
  for (std::string_view accept : request.headers.getAll("accept")) {
    const std::string a = lower(accept);
    std::size_t pos = 0;
    while (pos <= a.size()) {
      const std::size_t comma = a.find(',', pos);
      std::string_view item = std::string_view(a).substr(
          pos, comma == std::string::npos ? std::string::npos : comma - pos);
      const std::size_t semi = item.find(';');
      item = item.substr(0, semi);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item == kIntrospectionJwtType) return true;
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return false;
}

net::Response IntrospectionEndpoint::handle(const net::Request& request) {
  const AuthzConfig& cfg = *ctx_.config;
  auto run = [&]() -> OAuthResult<net::Response> {
    GG_TRY(net::Form form, requestForm(request));
    GG_TRY(AuthenticatedClient who, ctx_.auth->authenticate(request, form));
    GG_TRY(std::string token, requiredParam(form, "token"));
    TokenHint hint = TokenHint::kAny;
    if (const std::string* h = form.get("token_type_hint")) {
      if (*h == "refresh_token") hint = TokenHint::kRefreshToken;
      if (*h == "access_token") hint = TokenHint::kAccessToken;
    }
    auto found = lookup_->find(token, hint);
    if (!found) return failFrom(found.error(), OAuthErrc::kServerError, "Internal error");
    Json body = Json{{"active", false}};
    const bool visible =
        *found && (*found)->active &&
        (who.client->introspect_any_token || (*found)->clientId() == who.client->client_id);
    if (visible) body = activeResponse(**found, cfg);
    if (acceptsIntrospectionJwt(request)) {
      auto jwt = ctx_.tokens->introspectionJwt(who.client->client_id, body);
      if (!jwt) return failFrom(jwt.error(), OAuthErrc::kServerError, "Internal error");
      net::Response resp;
      resp.status = 200;
      resp.body = std::move(*jwt);
      resp.header("Content-Type", std::string(kIntrospectionJwtType));
      resp.noStore();
      return resp;
    }
    net::Response resp = visible ? net::Response::json(200, body)
                                 : net::Response::jsonText(200, R"({"active":false})");
    resp.noStore();
    return resp;
  };
  auto r = run();
  if (!r) return renderOAuthError(r.error(), request);
  return std::move(*r);
}

}  // namespace gridgate::authz
