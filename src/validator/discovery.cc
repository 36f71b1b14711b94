#include "validator/discovery.h"

#include <algorithm>

#include "core/json.h"

namespace gridgate::validator {

namespace {

struct UrlParts {
  std::string_view scheme;     // "https"
  std::string_view authority;  // "as.example:8443"
  std::string_view path;       // "" or "/tenant"
};

Result<UrlParts> splitUrl(std::string_view url) {
  UrlParts p;
  const std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return fail(Errc::kInvalidArgument, "not an absolute URL");
  p.scheme = url.substr(0, colon);
  if (p.scheme != "https" && p.scheme != "http") {
    return fail(Errc::kInvalidArgument, "URL scheme is not http(s)");
  }
  const std::string_view rest = url.substr(colon + 3);
  const std::size_t slash = rest.find('/');
  p.authority = rest.substr(0, slash);
  p.path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (p.authority.empty() || p.authority.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "URL without a host, or with user info");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "URL with a query or fragment");
  }
  for (const char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7f) return fail(Errc::kInvalidArgument, "URL with a control or space");
  }
  return p;
}

std::string_view hostOf(std::string_view authority) {
  if (authority.starts_with('[')) {
    const std::size_t close = authority.find(']');
    return close == std::string_view::npos ? authority : authority.substr(1, close - 1);
  }
  return authority.substr(0, authority.find(':'));
}

bool isLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  // 127.0.0.0/8 as a dotted-quad literal (not a name such as "127.example").
  return host.starts_with("127.") && std::count(host.begin(), host.end(), '.') == 3 &&
         std::all_of(host.begin(), host.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

Status endpointMember(const Json& doc, std::string_view name, std::string& out) {
  const Json* v = jsonMember(doc, name);
  if (v == nullptr || v->is_null()) return ok();
  if (!v->is_string())
    return fail(Errc::kMalformed, "metadata: " + std::string(name) + " is not a string");
  const std::string& url = v->get_ref<const std::string&>();
  if (!acceptableEndpointUrl(url)) {
    return fail(Errc::kInvalidArgument, "metadata: " + std::string(name) + " is not an https URL");
  }
  out = url;
  return ok();
}

}  // namespace

bool acceptableEndpointUrl(std::string_view url) {
  // Endpoints may carry a query (rare, but legal); the checks of splitUrl apply to the rest.
  const std::string_view base = url.substr(0, url.find('?'));
  auto parts = splitUrl(base);
  if (!parts) return false;
  if (parts->scheme == "https") return true;
  return isLoopbackHost(hostOf(parts->authority));
}

Result<std::vector<std::string>> discoveryUrls(std::string_view issuer) {
  GG_TRY(const UrlParts p, splitUrl(issuer));
  std::string_view path = p.path;
  while (path.ends_with('/')) path.remove_suffix(1);
  const std::string origin = std::string(p.scheme) + "://" + std::string(p.authority);
  return std::vector<std::string>{
      origin + "/.well-known/oauth-authorization-server" + std::string(path),
      origin + std::string(path) + "/.well-known/openid-configuration",
  };
}

Result<Metadata> parseMetadata(std::string_view body, std::string_view expected_issuer) {
  GG_TRY(const Json doc, parseJsonObject(body, JsonLimits{.max_bytes = kMaxMetadataBytes}));
  const std::string* issuer = jsonString(doc, "issuer");
  if (issuer == nullptr) return fail(Errc::kMalformed, "metadata: issuer missing");
  if (*issuer != expected_issuer) {
    return fail(Errc::kInvalidClaim,
                "metadata: issuer '" + *issuer + "' is not the configured one");
  }
  Metadata m;
  m.issuer = *issuer;
  GG_TRY(endpointMember(doc, "jwks_uri", m.jwks_uri));
  GG_TRY(endpointMember(doc, "introspection_endpoint", m.introspection_endpoint));
  GG_TRY(endpointMember(doc, "userinfo_endpoint", m.userinfo_endpoint));
  if (const Json* aliases = jsonMember(doc, "mtls_endpoint_aliases");
      aliases != nullptr && !aliases->is_null()) {
    if (!aliases->is_object()) return fail(Errc::kMalformed, "metadata: mtls_endpoint_aliases");
    GG_TRY(endpointMember(*aliases, "introspection_endpoint", m.mtls_introspection_endpoint));
    GG_TRY(endpointMember(*aliases, "userinfo_endpoint", m.mtls_userinfo_endpoint));
  }
  return m;
}

}  // namespace gridgate::validator
