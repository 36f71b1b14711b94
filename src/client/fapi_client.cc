#include "client/fapi_client.h"

#include <fstream>
#include <sstream>

#include "client/url.h"
#include "core/base64.h"
#include "core/random.h"
#include "core/secure_compare.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "net/form.h"
#include "provenance/record.h"
#include "x509/certificate.h"

namespace gridgate::client {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

constexpr jose::Alg kIdTokenAlgs[] = {jose::Alg::kPS256, jose::Alg::kES256, jose::Alg::kEdDSA};
constexpr std::string_view kAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

Result<std::string> readFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read the " + std::string(what) + " " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::int64_t elapsedMs(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

// The `error` attribute of a WWW-Authenticate: Bearer challenge, or "".
std::string bearerError(const net::ClientResponse& res) {
  const auto h = res.headers.get("www-authenticate");
  if (!h) return {};
  const std::size_t at = h->find("error=\"");
  if (at == std::string_view::npos) return std::string(*h);
  const std::size_t start = at + 7;
  const std::size_t end = h->find('"', start);
  return std::string(h->substr(start, end == std::string_view::npos ? end : end - start));
}

Errc statusCode(int status) {
  if (status == 401) return Errc::kUnauthenticated;
  if (status == 403) return Errc::kForbidden;
  if (status == 404) return Errc::kNotFound;
  if (status == 429 || status >= 500) return Errc::kUnavailable;
  return Errc::kInvalidArgument;
}

Result<Json> jsonBody(std::string_view what, const net::ClientResponse& res) {
  auto j = parseJsonObject(res.body);
  if (!j) return fail(Errc::kMalformed, std::string(what) + ": the response is not a JSON object");
  return std::move(*j);
}

}  // namespace

Error oauthError(std::string_view what, const net::ClientResponse& res) {
  std::string error;
  std::string description;
  if (auto j = parseJsonObject(res.body, JsonLimits{.max_bytes = 64 * 1024, .max_depth = 4})) {
    if (const std::string* e = jsonString(*j, "error")) error = *e;
    if (const std::string* d = jsonString(*j, "error_description")) description = *d;
  }
  Errc code = statusCode(res.status);
  if (error == "invalid_client" || error == "unauthorized_client") code = Errc::kUnauthenticated;
  if (error == "access_denied") code = Errc::kForbidden;
  if (error == "invalid_grant") code = Errc::kInvalidClaim;
  std::string detail = std::string(what) + ": HTTP " + std::to_string(res.status);
  if (!error.empty()) detail += " " + error;
  if (!description.empty()) detail += " (" + description + ")";
  if (error.empty() && res.status == 401) {
    const std::string b = bearerError(res);
    if (!b.empty()) detail += " " + b;
  }
  return Error{code, std::move(detail)};
}

Result<DecodedJwt> decodeJwtUnverified(std::string_view jwt) {
  const std::size_t a = jwt.find('.');
  const std::size_t b = a == std::string_view::npos ? a : jwt.find('.', a + 1);
  if (b == std::string_view::npos) return fail(Errc::kMalformed, "not a JWT (three segments)");
  GG_TRY(const Bytes header, base64urlDecode(jwt.substr(0, a)));
  GG_TRY(const Bytes claims, base64urlDecode(jwt.substr(a + 1, b - a - 1)));
  DecodedJwt d;
  GG_TRY(d.header, parseJsonObject(asChars(header)));
  GG_TRY(d.claims, parseJsonObject(asChars(claims)));
  return d;
}

Json AuthorizationRequest::toJson() const {
  return {{"authorization_url", authorization_url},
          {"request_uri", request_uri},
          {"expires_in", expires_in},
          {"client_id", client_id},
          {"redirect_uri", redirect_uri},
          {"scope", scope},
          {"state", state},
          {"nonce", nonce},
          {"code_verifier", pkce.verifier},
          {"code_challenge", pkce.challenge},
          {"par_response", par_response}};
}

Result<AuthorizationRequest> AuthorizationRequest::fromJson(const Json& j) {
  AuthorizationRequest r;
  const auto str = [&](std::string_view key, std::string& out) -> Status {
    const std::string* v = jsonString(j, key);
    if (v == nullptr)
      return fail(Errc::kMalformed, "authorization request without " + std::string(key));
    out = *v;
    return ok();
  };
  GG_TRY(str("authorization_url", r.authorization_url));
  GG_TRY(str("request_uri", r.request_uri));
  GG_TRY(str("client_id", r.client_id));
  GG_TRY(str("redirect_uri", r.redirect_uri));
  GG_TRY(str("scope", r.scope));
  GG_TRY(str("state", r.state));
  GG_TRY(str("nonce", r.nonce));
  std::string verifier;
  GG_TRY(str("code_verifier", verifier));
  GG_TRY(r.pkce, Pkce::fromVerifier(verifier));
  r.expires_in = jsonInt(j, "expires_in").value_or(0);
  if (const Json* p = jsonMember(j, "par_response")) r.par_response = *p;
  return r;
}

FapiClient::FapiClient(ClientOptions options, std::unique_ptr<net::HttpClient> mtls,
                       std::unique_ptr<net::HttpClient> browser)
    : options_(std::move(options)), mtls_(std::move(mtls)), browser_(std::move(browser)) {}

FapiClient::~FapiClient() = default;

Result<std::unique_ptr<FapiClient>> FapiClient::create(ClientOptions o) {
  if (o.clock == nullptr) o.clock = &SystemClock::instance();
  GG_TRY(const Url issuer, Url::parse(o.issuer));
  if (!issuer.https()) return fail(Errc::kInvalidArgument, "the issuer must be an https URL");
  if (o.cert_chain_file.empty() || o.key_file.empty()) {
    return fail(Errc::kInvalidArgument,
                "a client certificate and key are required (mTLS: tls_client_auth and "
                "certificate-bound tokens)");
  }
  GG_TRY(const std::string chain_pem, readFile(o.cert_chain_file, "client certificate"));
  auto chain = x509::parsePemBundle(chain_pem);
  if (!chain) {
    return fail(Errc::kInvalidArgument,
                "client certificate " + o.cert_chain_file + ": " + chain.error().detail);
  }
  if (o.client_id.empty()) {
    auto uri = chain->front().applicationUri();
    if (!uri) {
      return fail(Errc::kInvalidArgument,
                  "cannot take client_id from the certificate (it needs exactly one SAN URI); "
                  "give it explicitly");
    }
    o.client_id = std::move(*uri);
  }
  if (o.auth == AuthMethod::kPrivateKeyJwt) {
    if (!o.assertion_key || !o.assertion_key->hasPrivate()) {
      return fail(Errc::kInvalidArgument, "private_key_jwt needs a private signing key");
    }
  }
  if (!o.resource_base_url.empty()) {
    GG_TRY(const Url rs, Url::parse(o.resource_base_url));
    if (!rs.https()) return fail(Errc::kInvalidArgument, "the resource URL must be https");
  }
  std::optional<provenance::Verifier> prov;
  if (!o.signing_ca_pem.empty()) {
    auto v = provenance::Verifier::fromPem(o.signing_ca_pem);
    if (!v) return fail(Errc::kInvalidArgument, "signing CA: " + v.error().detail);
    prov = std::move(*v);
  }

  net::ClientConfig mtls_cfg;
  mtls_cfg.tls.ca_file = o.ca_file;
  mtls_cfg.tls.cert_chain_file = o.cert_chain_file;
  mtls_cfg.tls.key_file = o.key_file;
  mtls_cfg.connect_timeout = o.connect_timeout;
  mtls_cfg.request_timeout = o.request_timeout;
  mtls_cfg.user_agent = "gridgate-client";
  auto mtls = net::HttpClient::create(mtls_cfg);
  if (!mtls) return fail(mtls.error().code, "TLS client: " + mtls.error().detail);
  net::ClientConfig browser_cfg;
  browser_cfg.tls.ca_file = o.ca_file;
  browser_cfg.connect_timeout = o.connect_timeout;
  browser_cfg.request_timeout = o.request_timeout;
  browser_cfg.user_agent = "gridgate-client (user agent)";
  auto browser = net::HttpClient::create(browser_cfg);
  if (!browser) return fail(browser.error().code, "TLS client: " + browser.error().detail);

  auto client = std::unique_ptr<FapiClient>(
      new FapiClient(std::move(o), std::move(*mtls), std::move(*browser)));
  client->provenance_ = std::move(prov);
  return client;
}

Result<net::ClientResponse> FapiClient::send(net::ClientRequest request, Trace* trace,
                                             const std::vector<std::string>& secret_fields) {
  const auto started = std::chrono::steady_clock::now();
  const net::ClientRequest copy = trace != nullptr ? request : net::ClientRequest{};
  const std::string url = request.url;
  Result<net::ClientResponse> res = mtls_->send(std::move(request));
  if (trace != nullptr)
    trace->push_back(recordExchange(copy, res, elapsedMs(started), secret_fields));
  if (!res) return fail(res.error().code, url + ": " + res.error().detail);
  return res;
}

Result<ServerMetadata> FapiClient::discover(Trace* trace) {
  {
    const std::lock_guard lock(mu_);
    if (metadata_) return *metadata_;
  }
  return rediscover(trace);
}

Result<ServerMetadata> FapiClient::rediscover(Trace* trace) {
  std::string last;
  for (const std::string& url : wellKnownUrls(options_.issuer)) {
    net::ClientRequest req;
    req.method = net::Method::kGet;
    req.url = url;
    req.headers.add("Accept", "application/json");
    GG_TRY(const net::ClientResponse res, send(std::move(req), trace));
    if (res.status == 404) {
      last = url + ": HTTP 404";
      continue;
    }
    if (res.status != 200) {
      return fail(statusCode(res.status),
                  "discovery " + url + ": HTTP " + std::to_string(res.status));
    }
    auto md = ServerMetadata::parse(res.body, options_.issuer);
    if (!md) return fail(md.error().code, "discovery " + url + ": " + md.error().detail);
    const std::lock_guard lock(mu_);
    metadata_ = *md;
    return std::move(*md);
  }
  return fail(Errc::kNotFound,
              "no authorization server metadata for " + options_.issuer + " (" + last + ")");
}

Result<std::string> FapiClient::clientAssertion(const std::string& audience) const {
  const jose::Jwk& key = *options_.assertion_key;
  jose::Alg alg = jose::Alg::kES256;
  if (key.alg()) {
    alg = *key.alg();
  } else if (key.type() == crypto::KeyType::kRsa) {
    alg = jose::Alg::kPS256;
  } else if (key.type() == crypto::KeyType::kEd25519) {
    alg = jose::Alg::kEdDSA;
  }
  GG_TRY(const jose::Signer signer, jose::Signer::create(alg, key));
  const std::int64_t now = options_.clock->unixSeconds();
  // FAPI-CHECKLIST 89: aud is the issuer as a string; a unique jti; a short life.
  const Json claims = {{"iss", options_.client_id}, {"sub", options_.client_id},
                       {"aud", audience},           {"iat", now},
                       {"exp", now + 60},           {"jti", randomToken(24)}};
  return jose::signJwt(signer, claims, "");
}

Result<net::ClientResponse> FapiClient::postAuthenticated(Endpoint endpoint, Pairs form,
                                                          Trace* trace) {
  GG_TRY(const ServerMetadata md, discover(trace));
  GG_TRY(const std::string url, md.require(endpoint));
  // RFC 8705 2: tls_client_auth sends client_id; harmless (and expected) with an assertion too.
  form.insert(form.begin(), {"client_id", options_.client_id});
  if (options_.auth == AuthMethod::kPrivateKeyJwt) {
    GG_TRY(std::string assertion, clientAssertion(md.issuer()));
    form.emplace_back("client_assertion_type", std::string(kAssertionType));
    form.emplace_back("client_assertion", std::move(assertion));
  }
  net::ClientRequest req;
  req.method = net::Method::kPost;
  req.url = url;
  req.body = net::encodeForm(form);
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  req.headers.add("Accept", "application/json");
  return send(std::move(req), trace);
}

Result<AuthorizationRequest> FapiClient::pushAuthorizationRequest(const ParOptions& par,
                                                                  Trace* trace) {
  GG_TRY(const ServerMetadata md, discover(trace));
  GG_TRY(const std::string authorization_endpoint, md.require(Endpoint::kAuthorization));
  AuthorizationRequest r;
  r.client_id = options_.client_id;
  r.redirect_uri = par.redirect_uri.empty() ? options_.redirect_uri : par.redirect_uri;
  r.scope = par.scope.empty() ? options_.scope : par.scope;
  if (r.redirect_uri.empty()) return fail(Errc::kInvalidArgument, "no redirect URI configured");
  r.pkce = Pkce::generate();  // fresh per request (87)
  r.state = randomToken(32);
  r.nonce = randomToken(32);
  Pairs form = {{"response_type", "code"},
                {"redirect_uri", r.redirect_uri},
                {"scope", r.scope},
                {"state", r.state},
                {"nonce", r.nonce},
                {"code_challenge", r.pkce.challenge},
                {"code_challenge_method", "S256"}};
  for (const auto& [k, v] : par.extra) {
    for (const auto& [own, unused] : form) {
      if (k == own)
        return fail(Errc::kInvalidArgument, "PAR parameter " + k + " is the client's own");
    }
    if (k == "client_id" || k == "request_uri" || k == "request" ||
        k.starts_with("client_assertion")) {
      return fail(Errc::kInvalidArgument, "PAR parameter " + k + " is the client's own");
    }
    form.emplace_back(k, v);
  }
  GG_TRY(const net::ClientResponse res, postAuthenticated(Endpoint::kPar, std::move(form), trace));
  if (res.status != 201 && res.status != 200) return fail(oauthError("PAR", res));
  GG_TRY(r.par_response, jsonBody("PAR", res));
  const std::string* uri = jsonString(r.par_response, "request_uri");
  if (uri == nullptr || uri->empty()) return fail(Errc::kMalformed, "PAR: no request_uri");
  r.request_uri = *uri;
  r.expires_in = jsonInt(r.par_response, "expires_in").value_or(0);
  // FAPI-CHECKLIST 86: the front channel carries nothing but client_id and request_uri.
  r.authorization_url = appendQuery(authorization_endpoint,
                                    {{"client_id", r.client_id}, {"request_uri", r.request_uri}});
  return r;
}

Result<AuthorizationResponse> FapiClient::checkCallback(std::string_view callback_url,
                                                        const AuthorizationRequest& request,
                                                        Trace* trace) {
  GG_TRY(const ServerMetadata md, discover(trace));
  return parseCallback(
      callback_url,
      {.redirect_uri = request.redirect_uri, .state = request.state, .issuer = md.issuer()});
}

Result<TokenResponse> FapiClient::exchangeCode(std::string_view code,
                                               const AuthorizationRequest& request, Trace* trace) {
  return exchangeCode(code, request.pkce.verifier, request.redirect_uri, trace);
}

Result<TokenResponse> FapiClient::exchangeCode(std::string_view code,
                                               std::string_view code_verifier,
                                               std::string_view redirect_uri, Trace* trace) {
  if (code.empty()) return fail(Errc::kInvalidArgument, "no authorization code");
  if (!isValidVerifier(code_verifier)) {
    return fail(Errc::kInvalidArgument, "the code verifier is not a PKCE verifier");
  }
  if (redirect_uri.empty()) return fail(Errc::kInvalidArgument, "no redirect URI");
  GG_TRY(const net::ClientResponse res,
         postAuthenticated(Endpoint::kToken,
                           {{"grant_type", "authorization_code"},
                            {"code", std::string(code)},
                            {"redirect_uri", std::string(redirect_uri)},
                            {"code_verifier", std::string(code_verifier)}},
                           trace));
  if (res.status != 200) return fail(oauthError("token", res));
  auto t = TokenResponse::parse(res.body, options_.clock->unixSeconds());
  if (!t) return fail(t.error().code, "token: " + t.error().detail);
  return t;
}

Result<TokenResponse> FapiClient::refresh(std::string_view refresh_token, std::string_view scope,
                                          Trace* trace) {
  if (refresh_token.empty()) return fail(Errc::kInvalidArgument, "no refresh token");
  Pairs form = {{"grant_type", "refresh_token"}, {"refresh_token", std::string(refresh_token)}};
  if (!scope.empty()) form.emplace_back("scope", std::string(scope));
  GG_TRY(const net::ClientResponse res,
         postAuthenticated(Endpoint::kToken, std::move(form), trace));
  if (res.status != 200) return fail(oauthError("refresh", res));
  auto t = TokenResponse::parse(res.body, options_.clock->unixSeconds());
  if (!t) return fail(t.error().code, "refresh: " + t.error().detail);
  return t;
}

Result<Json> FapiClient::introspect(std::string_view token, std::string_view type_hint,
                                    Trace* trace) {
  if (token.empty()) return fail(Errc::kInvalidArgument, "no token to introspect");
  Pairs form = {{"token", std::string(token)}};
  if (!type_hint.empty()) form.emplace_back("token_type_hint", std::string(type_hint));
  GG_TRY(const net::ClientResponse res,
         postAuthenticated(Endpoint::kIntrospection, std::move(form), trace));
  if (res.status != 200) return fail(oauthError("introspection", res));
  GG_TRY(Json body, jsonBody("introspection", res));
  if (!jsonBool(body, "active")) return fail(Errc::kMalformed, "introspection: no boolean active");
  return body;
}

Status FapiClient::revoke(std::string_view token, std::string_view type_hint, Trace* trace) {
  if (token.empty()) return fail(Errc::kInvalidArgument, "no token to revoke");
  Pairs form = {{"token", std::string(token)}};
  if (!type_hint.empty()) form.emplace_back("token_type_hint", std::string(type_hint));
  GG_TRY(const net::ClientResponse res,
         postAuthenticated(Endpoint::kRevocation, std::move(form), trace));
  if (res.status != 200) return fail(oauthError("revocation", res));
  return ok();
}

Result<Json> FapiClient::permissions(std::string_view refresh_token, Trace* trace) {
  if (refresh_token.empty()) {
    return fail(Errc::kInvalidArgument, "the permission record needs a refresh token");
  }
  GG_TRY(const net::ClientResponse res,
         postAuthenticated(Endpoint::kPermission, {{"token", std::string(refresh_token)}}, trace));
  if (res.status != 200) return fail(oauthError("permissions", res));
  GG_TRY(Json body, jsonBody("permissions", res));
  const Json* record = jsonMember(body, "permission");
  if (record == nullptr || !record->is_object()) {
    return fail(Errc::kMalformed, "permissions: no permission object");
  }
  return body;
}

Result<Json> FapiClient::userinfo(std::string_view access_token, Trace* trace) {
  if (access_token.empty()) return fail(Errc::kInvalidArgument, "no access token");
  GG_TRY(const ServerMetadata md, discover(trace));
  GG_TRY(const std::string url, md.require(Endpoint::kUserinfo));
  net::ClientRequest req;
  req.method = net::Method::kGet;
  req.url = url;
  req.headers.add("Authorization", "Bearer " + std::string(access_token));
  req.headers.add("Accept", "application/json");
  GG_TRY(const net::ClientResponse res, send(std::move(req), trace));
  if (res.status != 200) return fail(oauthError("userinfo", res));
  return jsonBody("userinfo", res);
}

Result<jose::Jwks> FapiClient::jwks(bool refetch, Trace* trace) {
  const std::int64_t now = options_.clock->unixSeconds();
  {
    const std::lock_guard lock(mu_);
    // An unknown kid refetches, but at most once a minute.
    if (jwks_ && (!refetch || now - jwks_fetched_at_ < 60)) return *jwks_;
  }
  GG_TRY(const ServerMetadata md, discover(trace));
  GG_TRY(const std::string url, md.require(Endpoint::kJwks));
  net::ClientRequest req;
  req.method = net::Method::kGet;
  req.url = url;
  req.headers.add("Accept", "application/json");
  GG_TRY(const net::ClientResponse res, send(std::move(req), trace));
  if (res.status != 200) {
    return fail(statusCode(res.status), "jwks " + url + ": HTTP " + std::to_string(res.status));
  }
  auto set = jose::Jwks::parse(res.body);
  if (!set) return fail(set.error().code, "jwks " + url + ": " + set.error().detail);
  const std::lock_guard lock(mu_);
  jwks_ = *set;
  jwks_fetched_at_ = now;
  return std::move(*set);
}

Result<IdToken> FapiClient::verifyIdToken(std::string_view id_token, std::string_view nonce,
                                          Trace* trace) {
  if (id_token.empty()) return fail(Errc::kInvalidArgument, "no ID token");
  GG_TRY(const ServerMetadata md, discover(trace));
  jose::ClaimRules rules;
  rules.issuers = {md.issuer()};
  rules.audiences = {options_.client_id};
  rules.require_exp = true;
  rules.require_iat = true;
  rules.leeway = Seconds(30);
  Result<jose::VerifiedJwt> verified = fail(Errc::kInternal);
  for (const bool refetch : {false, true}) {
    GG_TRY(const jose::Jwks set, jwks(refetch, trace));
    auto verifier = jose::Verifier::fromJwks(set, kIdTokenAlgs);
    if (!verifier) return fail(verifier.error().code, "ID token: " + verifier.error().detail);
    verified = jose::verifyJwt(id_token, *verifier, rules, *options_.clock);
    if (verified || verified.error().code != Errc::kKeyNotFound) break;
  }
  if (!verified) return fail(verified.error().code, "ID token: " + verified.error().detail);
  const Json& claims = verified->claims.json();
  if (!nonce.empty()) {
    const std::string* got = jsonString(claims, "nonce");
    if (got == nullptr) return fail(Errc::kInvalidClaim, "ID token: no nonce");
    if (!secureEquals(*got, nonce)) return fail(Errc::kInvalidClaim, "ID token: nonce mismatch");
  }
  // OIDC Core 3.1.3.7: with several audiences, azp must be this client.
  if (verified->claims.aud().size() > 1) {
    const std::string* azp = jsonString(claims, "azp");
    if (azp == nullptr || *azp != options_.client_id) {
      return fail(Errc::kInvalidClaim, "ID token: several audiences and azp is not this client");
    }
  }
  return IdToken{verified->jws.header(), claims};
}

Result<ResourceResponse> FapiClient::getResource(std::string_view path_or_url,
                                                 std::string_view access_token, Trace* trace) {
  if (access_token.empty()) return fail(Errc::kInvalidArgument, "no access token");
  std::string url;
  if (path_or_url.starts_with("https://") || path_or_url.starts_with("http://")) {
    url = std::string(path_or_url);
  } else {
    if (options_.resource_base_url.empty()) {
      return fail(Errc::kInvalidArgument, "no resource server URL configured (RESOURCE_API)");
    }
    if (!path_or_url.starts_with('/')) {
      return fail(Errc::kInvalidArgument, "a resource path starts with '/'");
    }
    std::string base = options_.resource_base_url;
    while (base.ends_with('/')) base.pop_back();
    url = base + std::string(path_or_url);
  }
  GG_TRY(const Url parsed, Url::parse(url));
  // The token is a bearer credential: never over plain HTTP.
  if (!parsed.https()) return fail(Errc::kInvalidArgument, "a resource URL must be https");

  ResourceResponse out;
  out.url = url;
  out.interaction_id = uuidV4();
  net::ClientRequest req;
  req.method = net::Method::kGet;
  req.url = url;
  // FAPI-CHECKLIST 92: the token only in the Authorization header.
  req.headers.add("Authorization", "Bearer " + std::string(access_token));
  req.headers.add("x-fapi-interaction-id", out.interaction_id);
  req.headers.add("Accept", "application/json");
  GG_TRY(const net::ClientResponse res, send(std::move(req), trace));
  out.status = res.status;
  if (res.status < 200 || res.status > 299) {
    std::string detail =
        "resource " + parsed.withoutQuery() + ": HTTP " + std::to_string(res.status);
    if (const std::string b = bearerError(res); !b.empty()) detail += " " + b;
    return fail(statusCode(res.status), std::move(detail));
  }
  const auto echoed = res.headers.get("x-fapi-interaction-id");
  if (!echoed) {
    return fail(Errc::kInvalidClaim, "resource: the response has no x-fapi-interaction-id");
  }
  if (!net::iequals(*echoed, out.interaction_id)) {
    return fail(Errc::kInvalidClaim, "resource: x-fapi-interaction-id " + std::string(*echoed) +
                                         " is not the one sent (" + out.interaction_id + ")");
  }
  out.content_type = std::string(res.headers.get("content-type").value_or(""));
  out.body = res.body;
  if (out.content_type.find("json") != std::string::npos) {
    auto j = parseJson(out.body, JsonLimits{.max_bytes = 16 * 1024 * 1024, .max_depth = 64});
    if (!j) return fail(Errc::kMalformed, "resource: the JSON body does not parse");
    out.json = std::move(*j);
  }
  return out;
}

Result<ProvenanceReport> FapiClient::verifyProvenance(std::string_view body,
                                                      const ProvenanceExpectations& expect) const {
  if (!provenance_) {
    return fail(Errc::kInvalidArgument, "no signing CA configured: provenance cannot be verified");
  }
  GG_TRY(const provenance::Record record, provenance::Record::parse(body));
  auto verified = provenance_->verify(record);
  if (!verified) return fail(verified.error().code, "provenance: " + verified.error().detail);
  if (auto st = provenance::requireRole(*verified, provenance::kEnergyDataProviderRole); !st) {
    return fail(st.error().code, "provenance: " + st.error().detail);
  }
  const std::int64_t now = options_.clock->unixSeconds();
  for (const provenance::SignerInfo& s : verified->signatures) {
    auto at = parseUtc(s.signed_at);
    if (!at || *at > now + 60) {
      return fail(Errc::kNotYetValid, "provenance: signed in the future (" + s.signed_at + ")");
    }
  }
  // The transfer this provider signed (outermost signature) must be to us, for this request.
  const OrderedJson* transfer = nullptr;
  for (const provenance::VerifiedStep& s : verified->steps) {
    const auto type = s.step.find("type");
    if (s.signed_by == 0 && type != s.step.end() && *type == "transfer") transfer = &s.step;
  }
  if (transfer == nullptr) return fail(Errc::kInvalidClaim, "provenance: no transfer step");
  const auto field = [&](const OrderedJson& obj, std::string_view key) -> std::string {
    const auto it = obj.find(std::string(key));
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (field(*transfer, "to") != options_.client_id) {
    return fail(Errc::kInvalidClaim, "provenance: the transfer is to " + field(*transfer, "to") +
                                         ", not to this client");
  }
  if (!expect.interaction_id.empty() &&
      !net::iequals(field(*transfer, "transaction"), expect.interaction_id)) {
    return fail(Errc::kInvalidClaim,
                "provenance: the transfer's transaction is not this request's interaction id");
  }
  const auto params_it = transfer->find("parameters");
  const OrderedJson params =
      params_it != transfer->end() && params_it->is_object() ? *params_it : OrderedJson::object();
  const std::pair<std::string_view, const std::string*> asked[] = {
      {"measure", &expect.measure}, {"from", &expect.from}, {"to", &expect.to}};
  for (const auto& [key, want] : asked) {
    if (!want->empty() && field(params, key) != *want) {
      return fail(Errc::kInvalidClaim, "provenance: the transfer's " + std::string(key) + " is " +
                                           field(params, key) + ", not " + *want);
    }
  }

  ProvenanceReport report;
  Json signers = Json::array();
  for (const provenance::SignerInfo& s : verified->signatures) {
    signers.push_back({{"member", s.identity.member},
                       {"organisation", s.identity.organisation},
                       {"application", s.identity.application},
                       {"roles", s.identity.roles},
                       {"serial", s.serial},
                       {"signed_at", s.signed_at},
                       {"depth", s.depth}});
  }
  Json steps = Json::array();
  for (const provenance::VerifiedStep& s : verified->steps) {
    // Steps are ASCII-only JSON (verified above), so the dump cannot meet invalid UTF-8.
    auto step = parseJson(s.step.dump());
    if (!step) return fail(Errc::kInternal, "provenance: a verified step does not re-parse");
    steps.push_back(std::move(*step));
  }
  report.summary = {{"verified", true},
                    {"trust_framework", verified->trust_framework},
                    {"origins", verified->origins},
                    {"signers", std::move(signers)},
                    {"steps", std::move(steps)}};
  report.record = std::move(*verified);
  return report;
}

}  // namespace gridgate::client
