#include "validator/config.h"

#include <algorithm>
#include <set>

#include "validator/discovery.h"

namespace gridgate::validator {

namespace {

Status bad(const std::string& what) {
  return fail(Errc::kInvalidArgument, "validator config: " + what);
}

bool quotedStringSafe(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
}

Status checkIssuer(const IssuerConfig& is) {
  const std::string at = "issuer '" + is.issuer + "': ";
  if (is.issuer.empty()) return bad("an issuer has an empty issuer URL");
  if (!acceptableEndpointUrl(is.issuer) || is.issuer.find('?') != std::string::npos) {
    return bad(at + "issuer must be an https URL without query (http only on loopback)");
  }
  for (const auto* url : {&is.jwks_uri, &is.introspection_endpoint, &is.userinfo_endpoint}) {
    if (!url->empty() && !acceptableEndpointUrl(*url)) {
      return bad(at + "endpoint '" + *url + "' is not an https URL");
    }
  }
  if (!is.discovery) {
    if (is.mode != TokenMode::kIntrospection && is.jwks_uri.empty()) {
      return bad(at + "jwks_uri is required without discovery");
    }
    if (is.mode == TokenMode::kIntrospection && is.introspection_endpoint.empty() &&
        !(is.userinfo_fallback && !is.userinfo_endpoint.empty())) {
      return bad(at + "introspection_endpoint is required without discovery");
    }
  }
  if (is.audiences.empty() && !is.skip_audience_check) {
    return bad(at + "audiences must name this resource server");
  }
  if (is.algs.empty()) return bad(at + "no signature algorithm allowed");
  if (is.leeway < Seconds(0) || is.leeway > Seconds(60)) {
    return bad(at + "leeway must be within 0..60 s");
  }
  const IntrospectionCredentials& c = is.introspection;
  const bool introspects =
      is.mode == TokenMode::kIntrospection || (is.mode == TokenMode::kAuto && !c.client_id.empty());
  if (is.mode == TokenMode::kIntrospection && c.client_id.empty() && !is.userinfo_fallback) {
    return bad(at + "introspection needs the provider's client_id");
  }
  if (is.mode == TokenMode::kAuto && c.client_id.empty() && !is.userinfo_fallback) {
    return bad(at + "auto mode needs introspection credentials or userinfo_fallback");
  }
  if (introspects && !c.client_id.empty()) {
    if (c.method == ClientAuth::kTlsClientAuth &&
        (is.tls.cert_chain_file.empty() || is.tls.key_file.empty())) {
      return bad(at + "tls_client_auth needs tls.cert_chain_file and tls.key_file");
    }
    if (c.method == ClientAuth::kClientSecretBasic && c.client_secret.empty()) {
      return bad(at + "client_secret_basic needs a client_secret");
    }
  }
  if (is.jwks_refresh_interval <= Seconds(0) || is.jwks_min_refetch_interval < Seconds(0) ||
      is.jwks_max_stale < Seconds(0) || is.fetch_retry_interval < Seconds(0)) {
    return bad(at + "JWKS intervals must not be negative (refresh > 0)");
  }
  return ok();
}

}  // namespace

Status validateConfig(const ValidatorConfig& config) {
  if (config.realm.empty() || !quotedStringSafe(config.realm)) {
    return bad("realm must be printable ASCII without quotes or backslashes");
  }
  if (config.issuers.empty()) return bad("no trusted issuer");
  std::set<std::string> seen;
  for (const IssuerConfig& is : config.issuers) {
    GG_TRY(checkIssuer(is));
    if (!seen.insert(is.issuer).second) return bad("issuer '" + is.issuer + "' listed twice");
  }
  const CacheConfig& c = config.cache;
  if (c.ttl_seconds < -1) return bad("cache ttl must be > 0, 0 (until exp) or -1 (off)");
  if (c.max_entries == 0) return bad("cache max_entries must be positive");
  if (c.shards == 0 || c.shards > 256) return bad("cache shards must be 1..256");
  if (c.negative_ttl < Seconds(0) || c.revocation_retention <= Seconds(0)) {
    return bad("cache negative_ttl must not be negative, revocation_retention must be positive");
  }
  if (config.client_cert.crl_file.size() > 0 && config.client_cert.ca_file.empty()) {
    return bad("client_cert.crl_file needs client_cert.ca_file");
  }
  if (config.client_cert.verified_ttl < Seconds(0)) return bad("client_cert.verified_ttl < 0");
  std::set<std::string> levels;
  for (const AccessLevel& level : config.access_levels) {
    if (level.name.empty()) return bad("an access level has no name");
    if (!levels.insert(level.name).second) return bad("access level '" + level.name + "' twice");
  }
  if (config.retry_after < Seconds(1)) return bad("retry_after must be at least 1 s");
  return ok();
}

Result<TokenMode> parseTokenMode(std::string_view name) {
  if (name == "jwt") return TokenMode::kJwt;
  if (name == "introspection") return TokenMode::kIntrospection;
  if (name == "auto") return TokenMode::kAuto;
  return fail(Errc::kInvalidArgument, "token mode must be jwt, introspection or auto");
}

std::string_view tokenModeName(TokenMode mode) {
  switch (mode) {
    case TokenMode::kJwt:
      return "jwt";
    case TokenMode::kIntrospection:
      return "introspection";
    case TokenMode::kAuto:
      return "auto";
  }
  return "jwt";
}

Result<ClientAuth> parseClientAuth(std::string_view name) {
  if (name == "tls_client_auth") return ClientAuth::kTlsClientAuth;
  if (name == "client_secret_basic") return ClientAuth::kClientSecretBasic;
  return fail(Errc::kInvalidArgument,
              "introspection auth must be tls_client_auth or client_secret_basic");
}

Result<ValueSyntax> parseValueSyntax(std::string_view name) {
  if (name == "plain") return ValueSyntax::kPlain;
  if (name == "aarc-g002") return ValueSyntax::kAarcG002;
  if (name == "aarc-g069") return ValueSyntax::kAarcG069;
  return fail(Errc::kInvalidArgument, "value syntax must be plain, aarc-g002 or aarc-g069");
}

Result<Match> parseMatch(std::string_view name) {
  if (name == "all") return Match::kAll;
  if (name == "any") return Match::kAny;
  if (name == "at-least") return Match::kAtLeast;
  return fail(Errc::kInvalidArgument, "match must be all, any or at-least");
}

}  // namespace gridgate::validator
