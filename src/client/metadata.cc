#include "client/metadata.h"

#include "client/url.h"

namespace gridgate::client {
namespace {

constexpr Endpoint kAll[] = {Endpoint::kAuthorization, Endpoint::kPar,        Endpoint::kToken,
                             Endpoint::kIntrospection, Endpoint::kRevocation, Endpoint::kUserinfo,
                             Endpoint::kPermission,    Endpoint::kJwks};

std::size_t indexOf(Endpoint e) { return static_cast<std::size_t>(e); }

bool aliasable(Endpoint e) { return e != Endpoint::kAuthorization && e != Endpoint::kJwks; }

Status checkEndpoint(std::string_view member, const std::string& url) {
  auto parsed = Url::parse(url);
  if (!parsed || !parsed->https()) {
    return fail(Errc::kInvalidArgument, "metadata " + std::string(member) + " is not an https URL");
  }
  return ok();
}

}  // namespace

std::string_view endpointMember(Endpoint e) {
  switch (e) {
    case Endpoint::kAuthorization:
      return "authorization_endpoint";
    case Endpoint::kPar:
      return "pushed_authorization_request_endpoint";
    case Endpoint::kToken:
      return "token_endpoint";
    case Endpoint::kIntrospection:
      return "introspection_endpoint";
    case Endpoint::kRevocation:
      return "revocation_endpoint";
    case Endpoint::kUserinfo:
      return "userinfo_endpoint";
    case Endpoint::kPermission:
      return "ib1_permission_endpoint";
    case Endpoint::kJwks:
      return "jwks_uri";
  }
  return "unknown";
}

std::vector<std::string> wellKnownUrls(std::string_view issuer) {
  std::string base(issuer);
  // RFC 8414 3.1: "https://as.example/tenant" ->
  // "https://as.example/.well-known/...-server/tenant".
  const std::size_t scheme_end = base.find("://");
  const std::size_t path_start =
      scheme_end == std::string::npos ? std::string::npos : base.find('/', scheme_end + 3);
  std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "" : base.substr(path_start);
  if (path == "/") path.clear();
  std::string oidc_base = base;
  while (oidc_base.ends_with('/')) oidc_base.pop_back();
  return {origin + "/.well-known/oauth-authorization-server" + path,
          oidc_base + "/.well-known/openid-configuration"};
}

Result<ServerMetadata> ServerMetadata::parse(std::string_view text,
                                             std::string_view expected_issuer) {
  GG_TRY(Json doc, parseJsonObject(text, JsonLimits{.max_bytes = 256 * 1024, .max_depth = 8}));
  ServerMetadata m;
  const std::string* issuer = jsonString(doc, "issuer");
  if (issuer == nullptr) return fail(Errc::kMalformed, "metadata without issuer");
  if (*issuer != expected_issuer) {
    return fail(Errc::kInvalidClaim, "metadata issuer " + *issuer +
                                         " is not the configured issuer " +
                                         std::string(expected_issuer));
  }
  m.issuer_ = *issuer;
  const Json* aliases = jsonMember(doc, "mtls_endpoint_aliases");
  if (aliases != nullptr && !aliases->is_object()) {
    return fail(Errc::kMalformed, "mtls_endpoint_aliases is not an object");
  }
  for (const Endpoint e : kAll) {
    const std::string_view member = endpointMember(e);
    if (const Json* v = jsonMember(doc, member)) {
      if (!v->is_string()) {
        return fail(Errc::kMalformed, "metadata " + std::string(member) + " is not a string");
      }
      GG_TRY(checkEndpoint(member, v->get<std::string>()));
      m.plain_[indexOf(e)] = v->get<std::string>();
    }
    if (aliases != nullptr && aliasable(e)) {
      if (const Json* v = jsonMember(*aliases, member)) {
        if (!v->is_string()) {
          return fail(Errc::kMalformed, "mtls alias " + std::string(member) + " is not a string");
        }
        GG_TRY(checkEndpoint(member, v->get<std::string>()));
        m.alias_[indexOf(e)] = v->get<std::string>();
        m.has_aliases_ = true;
      }
    }
  }
  m.require_par_ = jsonBool(doc, "require_pushed_authorization_requests").value_or(false);
  m.iss_parameter_ =
      jsonBool(doc, "authorization_response_iss_parameter_supported").value_or(false);
  if (const Json* methods = jsonMember(doc, "code_challenge_methods_supported");
      methods != nullptr && methods->is_array()) {
    for (const Json& v : *methods) m.s256_ = m.s256_ || (v.is_string() && v == "S256");
  }
  if (const Json* scopes = jsonMember(doc, "scopes_supported");
      scopes != nullptr && scopes->is_array()) {
    for (const Json& v : *scopes) {
      if (v.is_string()) m.scopes_.push_back(v.get<std::string>());
    }
  }
  m.json_ = std::move(doc);
  return m;
}

const std::string& ServerMetadata::endpoint(Endpoint e) const {
  const std::string& alias = alias_[indexOf(e)];
  return alias.empty() ? plain_[indexOf(e)] : alias;
}

Result<std::string> ServerMetadata::require(Endpoint e) const {
  const std::string& url = endpoint(e);
  if (url.empty()) {
    return fail(Errc::kNotFound, "the server's metadata has no " + std::string(endpointMember(e)));
  }
  return url;
}

bool ServerMetadata::usesAlias(Endpoint e) const { return !alias_[indexOf(e)].empty(); }

}  // namespace gridgate::client
