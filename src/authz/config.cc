#include "authz/config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "authz/redirect_uri.h"
#include "authz/subject_rules.h"
#include "core/base64.h"
#include "core/json.h"
#include "x509/certificate.h"

namespace gridgate::authz {

namespace {

constexpr std::string_view kDefaultRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";

tl::unexpected<Error> bad(const config::Section& s, std::string_view key, std::string_view why) {
  return fail(Errc::kInvalidArgument, s.keyPath(key) + ": " + std::string(why));
}

// An https URL without query or fragment; trailing '/' removed (base URLs get paths appended).
Result<std::string> httpsUrl(const config::Section& s, std::string_view key, bool required,
                             bool strip_slash) {
  GG_TRY(std::string v, s.string(key, ""));
  if (v.empty()) {
    if (required) return bad(s, key, "is required (or set " + s.envName(key) + ")");
    return v;
  }
  if (auto st = checkClientId(v); !st) {
    // Same URL rules as a client_id: https, host, no userinfo/query/fragment/whitespace.
    return fail(Errc::kInvalidArgument, s.keyPath(key) + ": " + st.error().detail);
  }
  if (strip_slash) {
    while (v.size() > std::string_view("https://x").size() && v.back() == '/') v.pop_back();
  }
  return v;
}

Result<Seconds> boundedDuration(const config::Section& s, std::string_view key, Seconds fallback,
                                Seconds min, Seconds max) {
  GG_TRY(Seconds d, s.duration(key, fallback));
  if (d < min || d > max) {
    return fail(Errc::kInvalidArgument, s.keyPath(key) + " must be between " +
                                            std::to_string(min.count()) + " and " +
                                            std::to_string(max.count()) + " seconds");
  }
  return d;
}

Result<std::string> readText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Result<ClientAuthMethod> parseAuthMethod(const config::Section& s, std::string_view name) {
  if (name == "tls_client_auth") return ClientAuthMethod::kTlsClientAuth;
  if (name == "self_signed_tls_client_auth") return ClientAuthMethod::kSelfSignedTlsClientAuth;
  if (name == "private_key_jwt") return ClientAuthMethod::kPrivateKeyJwt;
  if (name == "none" || name == "client_secret_basic" || name == "client_secret_post" ||
      name == "client_secret_jwt") {
    // FAPI-CHECKLIST 10 and 13: public clients and shared secrets are not FAPI 2.0 clients.
    return bad(s, "auth_method",
               "\"" + std::string(name) +
                   "\" is refused: FAPI 2.0 allows tls_client_auth, "
                   "self_signed_tls_client_auth and private_key_jwt only");
  }
  return bad(s, "auth_method", "unknown method \"" + std::string(name) + "\"");
}

// x5c members of a JWKS (base64 DER, RFC 7517 4.7), as PEM: self-signed client certificates.
Result<std::vector<std::string>> x5cCertificates(std::string_view jwks_text) {
  std::vector<std::string> out;
  GG_TRY(Json doc, parseJsonObject(jwks_text, JsonLimits{.max_bytes = 64 * 1024}));
  const Json* keys = jsonMember(doc, "keys");
  if (keys == nullptr || !keys->is_array()) return out;
  for (const Json& key : *keys) {
    const Json* x5c = key.is_object() ? jsonMember(key, "x5c") : nullptr;
    if (x5c == nullptr || !x5c->is_array() || x5c->empty() || !(*x5c)[0].is_string()) continue;
    GG_TRY(Bytes der, base64Decode((*x5c)[0].get<std::string>()));
    GG_TRY(x509::Certificate cert, x509::Certificate::fromDer(der));
    if (cert.subjectDn() != cert.issuerDn() || !cert.isCa()) {
      // The mTLS listener completes a handshake only with a certificate that chains to one of
      // its trust anchors, and an anchor must be a CA certificate: a self-signed client
      // certificate is accepted at the handshake when it is its own anchor (basicConstraints
      // CA:TRUE). Which client it authenticates is then decided per request.
      return fail(Errc::kInvalidArgument,
                  "x5c certificate must be self-signed with basicConstraints CA:TRUE");
    }
    out.push_back(cert.toPem());
  }
  return out;
}

Result<ClientConfig> parseClient(const config::Section& s, std::string_view default_role) {
  ClientConfig c;
  GG_TRY(c.client_id, s.requiredString("client_id"));
  if (auto st = checkClientId(c.client_id); !st) {
    // FAPI-CHECKLIST 12: client ids are application URLs, so they can never look like a `sub`.
    return bad(s, "client_id", st.error().detail);
  }
  GG_TRY(c.display_name, s.requiredString("display_name"));
  GG_TRY(std::string method, s.string("auth_method", "tls_client_auth"));
  GG_TRY(c.auth_method, parseAuthMethod(s, method));
  GG_TRY(c.required_role, s.string("required_role", std::string(default_role)));
  GG_TRY(c.subject_dn, s.string("subject_dn", ""));
  if (!c.subject_dn.empty() && c.auth_method != ClientAuthMethod::kTlsClientAuth) {
    return bad(s, "subject_dn", "only applies to tls_client_auth");
  }

  GG_TRY(std::optional<std::string> jwks_inline, s.optString("jwks"));
  GG_TRY(std::filesystem::path jwks_file, s.filePath("jwks_file"));
  std::string jwks_text;
  if (jwks_inline && !jwks_file.empty()) {
    return bad(s, "jwks", "give jwks or jwks_file, not both");
  }
  if (jwks_inline) jwks_text = *jwks_inline;
  if (!jwks_file.empty()) {
    GG_TRY(jwks_text, readText(jwks_file));
  }
  const bool needs_jwks = c.auth_method != ClientAuthMethod::kTlsClientAuth;
  if (needs_jwks && jwks_text.empty()) {
    return bad(s, "jwks", "is required for " + std::string(authMethodName(c.auth_method)));
  }
  if (!jwks_text.empty()) {
    auto jwks = jose::Jwks::parse(jwks_text);
    if (!jwks) return bad(s, "jwks", jwks.error().detail);
    if (jwks->empty()) return bad(s, "jwks", "has no usable key");
    c.jwks = std::move(*jwks);
    if (c.auth_method == ClientAuthMethod::kSelfSignedTlsClientAuth) {
      auto certs = x5cCertificates(jwks_text);
      if (!certs) return bad(s, "jwks", "x5c: " + certs.error().detail);
      c.self_signed_certificates_pem = std::move(*certs);
      if (c.self_signed_certificates_pem.empty()) {
        return bad(s, "jwks", "a self_signed_tls_client_auth client needs its certificate as x5c");
      }
    }
  }

  GG_TRY(c.scopes, s.stringList("scopes"));
  if (c.scopes.empty()) return bad(s, "scopes", "must list at least one scope");
  for (const std::string& scope : c.scopes) {
    if (scope.empty() || scope.find_first_of(" \t\"\\") != std::string::npos) {
      return bad(s, "scopes", "a scope may not be empty or contain spaces, quotes or '\\'");
    }
  }
  GG_TRY(c.redirect_uris, s.stringList("redirect_uris"));
  for (const std::string& uri : c.redirect_uris) {
    if (auto r = RedirectUri::parse(uri); !r) return bad(s, "redirect_uris", r.error().detail);
  }
  GG_TRY(c.allow_any_https_redirect_uri, s.boolean("allow_any_https_redirect_uri", false));
  if (c.redirect_uris.empty() && !c.allow_any_https_redirect_uri) {
    return bad(s, "redirect_uris", "is empty and allow_any_https_redirect_uri is false");
  }
  GG_TRY(c.message_delivery_url, httpsUrl(s, "message_delivery_url", false, false));
  GG_TRY(c.introspect_any_token, s.boolean("introspect_any_token", false));
  GG_TRY(c.authorization_details_types, s.stringList("authorization_details_types"));
  return c;
}

}  // namespace

std::string_view authMethodName(ClientAuthMethod m) {
  switch (m) {
    case ClientAuthMethod::kTlsClientAuth:
      return "tls_client_auth";
    case ClientAuthMethod::kSelfSignedTlsClientAuth:
      return "self_signed_tls_client_auth";
    case ClientAuthMethod::kPrivateKeyJwt:
      return "private_key_jwt";
  }
  return "tls_client_auth";
}

bool ClientConfig::allowsScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

ClientRegistry::ClientRegistry(std::vector<ClientConfig> clients) : clients_(std::move(clients)) {
  for (std::size_t i = 0; i < clients_.size(); ++i) index_.emplace(clients_[i].client_id, i);
}

const ClientConfig* ClientRegistry::find(std::string_view client_id) const {
  auto it = index_.find(client_id);
  return it == index_.end() ? nullptr : &clients_[it->second];
}

Result<std::shared_ptr<const AuthzConfig>> parseAuthzConfig(const config::Document& doc) {
  auto cfg = std::make_shared<AuthzConfig>();
  const config::Section s = doc.section("authz");

  GG_TRY(cfg->issuer, httpsUrl(s, "issuer", true, false));
  GG_TRY(cfg->public_base_url, httpsUrl(s, "public_base_url", false, true));
  if (cfg->public_base_url.empty()) {
    cfg->public_base_url = cfg->issuer;
    while (cfg->public_base_url.back() == '/') cfg->public_base_url.pop_back();
  }
  GG_TRY(cfg->mtls_base_url, httpsUrl(s, "mtls_base_url", true, true));
  GG_TRY(cfg->resource_audiences, s.stringList("resource_audiences"));
  if (cfg->resource_audiences.empty()) {
    return bad(s, "resource_audiences", "must name at least one resource server");
  }
  GG_TRY(cfg->trust_framework, s.string("trust_framework", cfg->trust_framework));
  GG_TRY(cfg->provider_name, s.string("provider_name", cfg->provider_name));

  // FAPI-CHECKLIST 54 (access tokens), 39 (codes), 22 (request URIs).
  GG_TRY(cfg->access_token_lifetime,
         boundedDuration(s, "access_token_lifetime", Seconds(300), Seconds(10), Seconds(600)));
  GG_TRY(cfg->id_token_lifetime,
         boundedDuration(s, "id_token_lifetime", Seconds(300), Seconds(10), Seconds(3600)));
  GG_TRY(cfg->code_lifetime,
         boundedDuration(s, "code_lifetime", Seconds(60), Seconds(5), Seconds(60)));
  GG_TRY(cfg->par_lifetime,
         boundedDuration(s, "par_lifetime", Seconds(90), Seconds(30), Seconds(599)));
  GG_TRY(cfg->grant_lifetime, boundedDuration(s, "grant_lifetime", Seconds(365 * 24 * 3600),
                                              Seconds(3600), Seconds(5LL * 365 * 24 * 3600)));
  GG_TRY(cfg->data_history, boundedDuration(s, "data_history", Seconds(365 * 24 * 3600), Seconds(0),
                                            Seconds(20LL * 365 * 24 * 3600)));
  GG_TRY(cfg->refresh_token_rotation, s.boolean("refresh_token_rotation", false));
  GG_TRY(cfg->refresh_token_grace,
         boundedDuration(s, "refresh_token_grace", Seconds(60), Seconds(0), Seconds(3600)));
  GG_TRY(cfg->refresh_token_cert_binding, s.boolean("refresh_token_cert_binding", true));

  GG_TRY(cfg->client_ca, s.filePath("client_ca"));
  GG_TRY(cfg->client_crl, s.filePath("client_crl"));
  GG_TRY(cfg->required_role, s.string("required_role", std::string(kDefaultRole)));

  const config::Section signing = s.child("signing");
  GG_TRY(std::string alg, signing.string("alg", "ES256"));
  if (alg == "ES256") {
    cfg->signing.alg = jose::Alg::kES256;
  } else if (alg == "PS256") {
    cfg->signing.alg = jose::Alg::kPS256;
  } else {
    // FAPI-CHECKLIST 58: the AS signs with ES256 or PS256 (EdDSA keys are not in the key store).
    return bad(signing, "alg", "must be ES256 or PS256");
  }
  GG_TRY(cfg->signing.key_file, signing.filePath("key_file"));
  GG_TRY(cfg->signing.rotation_delay, boundedDuration(signing, "rotation_delay", Seconds(24 * 3600),
                                                      Seconds(0), Seconds(365LL * 24 * 3600)));

  const config::Section messages = s.child("messages");
  GG_TRY(cfg->messages.cert_chain, messages.filePath("cert_chain"));
  GG_TRY(cfg->messages.key, messages.filePath("key"));
  GG_TRY(cfg->messages.ca_file, messages.filePath("ca_file"));
  GG_TRY(cfg->messages.retry_base,
         boundedDuration(messages, "retry_base", Seconds(5), Seconds(1), Seconds(3600)));
  GG_TRY(cfg->messages.retry_max,
         boundedDuration(messages, "retry_max", Seconds(3600), Seconds(1), Seconds(7 * 86400)));
  GG_TRY(cfg->messages.poll_interval,
         boundedDuration(messages, "poll_interval", Seconds(2), Seconds(1), Seconds(3600)));
  if (cfg->messages.cert_chain.empty() != cfg->messages.key.empty()) {
    return bad(messages, "cert_chain", "cert_chain and key go together");
  }

  const config::Section listeners = s.child("listeners");
  GG_TRY(cfg->public_listener,
         config::parseListenerSection(listeners.child("public"),
                                      {.address = "127.0.0.1",
                                       .default_port = 8000,
                                       .client_cert = config::ClientCertPolicy::kNone}));
  GG_TRY(cfg->mtls_listener,
         config::parseListenerSection(listeners.child("mtls"),
                                      {.address = "127.0.0.1",
                                       .default_port = 8001,
                                       .client_cert = config::ClientCertPolicy::kRequire}));
  if (cfg->client_ca.empty()) cfg->client_ca = cfg->mtls_listener.client_ca;
  if (cfg->client_crl.empty()) cfg->client_crl = cfg->mtls_listener.crl;

  GG_TRY(std::vector<config::Section> client_sections, s.tableArray("clients"));
  std::vector<ClientConfig> clients;
  std::set<std::string> seen;
  for (const config::Section& cs : client_sections) {
    GG_TRY(ClientConfig c, parseClient(cs, cfg->required_role));
    if (!seen.insert(c.client_id).second) {
      return bad(cs, "client_id", "registered twice");
    }
    if (c.auth_method == ClientAuthMethod::kTlsClientAuth && cfg->client_ca.empty()) {
      return bad(s, "client_ca", "is required for tls_client_auth clients");
    }
    clients.push_back(std::move(c));
  }
  cfg->clients = ClientRegistry(std::move(clients));
  return std::shared_ptr<const AuthzConfig>(std::move(cfg));
}

}  // namespace gridgate::authz
