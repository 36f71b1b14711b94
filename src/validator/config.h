// Validator configuration as plain structs: the TOML loader fills them, tests and the CLI build
// them in code. Validator::create() checks them (validateConfig) and refuses anything unsafe.
//
//   validator::ValidatorConfig cfg;
//   cfg.realm = "perseus-demo-energy";
//   validator::IssuerConfig& as = cfg.issuers.emplace_back();
//   as.issuer = "https://auth.perseus.example";               // discovery finds jwks_uri, ...
//   as.audiences = {"https://api.perseus.example"};
//   as.mode = validator::TokenMode::kJwt;                      // RFC 9068 access tokens
//   as.tls.ca_file = "server-ca.pem";                          // trust for the AS's TLS server
//   cfg.client_cert.ca_file = "client-ca-bundle.pem";          // optional: re-check the chain
//
// Every duration and size has a safe default. Nothing here is read from a request: issuer URLs and
// endpoints come only from configuration or from the configured issuer's own metadata.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "jose/alg.h"

namespace gridgate::validator {

// How an issuer's access tokens are validated.
enum class TokenMode {
  kJwt,            // RFC 9068 JWT access tokens: signature with the issuer's JWKS, claims checked
  kIntrospection,  // RFC 7662 introspection call (cached), whatever the token looks like
  kAuto,           // JWT if the token is a JWS naming this issuer, otherwise introspection
};

// How the validator authenticates itself to the introspection endpoint.
enum class ClientAuth {
  kTlsClientAuth,      // RFC 8705 mTLS: tls.cert_chain_file + tls.key_file, client_id in the body
  kClientSecretBasic,  // RFC 6749 section 2.3.1: HTTP Basic with client_id and client_secret
};

// TLS settings for the validator's own outbound calls to one issuer (discovery, JWKS,
// introspection, userinfo). The Fetcher implementation turns them into a TLS client.
struct OutboundTls {
  std::string ca_file{};          // PEM trust anchors for the issuer's server; empty: system store
  std::string cert_chain_file{};  // the provider's own certificate (PEM, leaf first): mTLS
  std::string key_file{};         // and its private key

  bool operator==(const OutboundTls&) const = default;
};

struct IntrospectionCredentials {
  ClientAuth method = ClientAuth::kTlsClientAuth;
  std::string client_id{};      // the provider's own client_id at this issuer
  std::string client_secret{};  // kClientSecretBasic only
};

struct IssuerConfig {
  // The issuer identifier, compared exactly (no trailing-slash or case folding) with `iss` and
  // with the `issuer` of the discovered metadata.
  std::string issuer;
  // RFC 8414 /.well-known/oauth-authorization-server, then OIDC /.well-known/openid-configuration.
  // Endpoints set explicitly below win over discovered ones.
  bool discovery = true;
  std::string jwks_uri;
  std::string introspection_endpoint;
  std::string userinfo_endpoint;

  TokenMode mode = TokenMode::kJwt;
  // `aud` must contain one of these (JWT; introspection when the response carries `aud`).
  std::vector<std::string> audiences;
  // Only for `gridgate token check` without --audience: skips the audience check. validateConfig
  // refuses an empty `audiences` otherwise.
  bool skip_audience_check = false;
  // Introspection responses must carry `aud` too (otherwise a missing `aud` is accepted).
  bool introspection_requires_aud = false;
  // Signature algorithms accepted from this issuer (FAPI 2.0: PS256, ES256, EdDSA).
  std::vector<jose::Alg> algs{jose::Alg::kPS256, jose::Alg::kES256, jose::Alg::kEdDSA};
  // JWT header typ must be at+jwt (RFC 9068).
  bool require_typ_at_jwt = true;
  // Clock skew allowance for exp/nbf/iat, 0..60 s. iat/nbf up to 10 s ahead are always accepted.
  Seconds leeway{0};
  // A token without exp is refused (FAPI tokens always carry one). Userinfo answers never have
  // exp, so tokens accepted through the userinfo fallback are exempt.
  bool require_exp = true;
  // cnf.x5t#S256 must match the client certificate (RFC 8705). A route may relax it.
  bool require_binding = true;

  IntrospectionCredentials introspection;
  // Opaque tokens this issuer cannot introspect are tried at its userinfo endpoint (FLAAT). Such
  // tokens have no exp and no cnf: use only on routes that relax binding.
  bool userinfo_fallback = false;
  OutboundTls tls;

  // JWKS: refreshed this often; an unknown kid refetches at most once per min_refetch_interval;
  // while the issuer is down the last good set is served for at most max_stale.
  Seconds jwks_refresh_interval{300};
  Seconds jwks_min_refetch_interval{30};
  Seconds jwks_max_stale{24 * 3600};
  // After a failed discovery or JWKS fetch, the next attempt waits this long (no hammering).
  Seconds fetch_retry_interval{5};
};

struct CacheConfig {
  // Lifetime of a cached validation (introspection answer, verified JWT, userinfo answer), never
  // beyond the token's exp: > 0 seconds; 0: until exp; -1: no cache.
  std::int64_t ttl_seconds = 60;
  // All shards together (LRU eviction beyond). A cached JWT costs about 1.5 KB (its payload, and
  // its JSON tree once a handler asked for claims()): 10,000 entries stay under ~15 MB.
  std::size_t max_entries = 10'000;
  std::size_t shards = 16;
  // Inactive / rejected answers from introspection or userinfo are remembered this long.
  Seconds negative_ttl{10};
  // A purged token, jti or grant stays refused this long: longer than any access token lives.
  Seconds revocation_retention{15 * 60};
};

struct ClientCertConfig {
  // Optional second check of the client certificate chain (the TLS layer checks it already when
  // it terminates mTLS; this matters for certificates from a proxy header or a custom source).
  std::string ca_file{};   // PEM anchors (+ intermediates); empty: no chain check here
  std::string crl_file{};  // PEM CRLs; when set, every certificate of the chain needs a current CRL
  // A verified certificate is not re-verified for this long (keyed by its thumbprint).
  Seconds verified_ttl{300};
};

// How a claim's values are compared with the required ones.
enum class ValueSyntax {
  kPlain,     // exact string equality
  kAarcG002,  // AARC-G002 entitlements (urn:...:group:...[:role=...]#authority)
  kAarcG069,  // AARC-G069 entitlements (normalised, authority optional)
};

enum class Match {
  kAll,      // every required value
  kAny,      // at least one
  kAtLeast,  // at least `at_least`
};

// A requirement on one claim's values (a string or an array of strings).
struct ClaimRule {
  std::string claim{};
  std::vector<std::string> values{};
  Match match = Match::kAll;
  std::size_t at_least = 1;
  ValueSyntax syntax = ValueSyntax::kPlain;
};

// A named access level: what a route asks for by name ("meter-data-reader").
struct AccessLevel {
  std::string name{};
  std::vector<std::string> scopes{};             // all required
  std::vector<ClaimRule> claims{};               // all required
  std::vector<std::string> certificate_roles{};  // IB1 roles, all required
  bool client_id_is_certificate_uri = false;     // token client_id == certificate SAN URI
};

struct ValidatorConfig {
  // WWW-Authenticate realm (printable ASCII, no quote or backslash).
  std::string realm = "gridgate";
  std::vector<IssuerConfig> issuers;
  CacheConfig cache;
  ClientCertConfig client_cert;
  std::vector<AccessLevel> access_levels;
  // Userinfo fallback: only issuers whose URL contains this text are asked (FLAAT's op_hint).
  std::string userinfo_issuer_hint;
  // Retry-After of a 503 when an issuer is unreachable.
  Seconds retry_after{10};
};

// Checks a configuration: at least one issuer, https URLs (http only for loopback), audiences
// present, leeway within 0..60 s, algorithms from the FAPI set or explicitly allowed, credentials
// complete for the mode, unique access-level names. kInvalidArgument naming the field.
[[nodiscard]] Status validateConfig(const ValidatorConfig& config);

// Configuration names: "jwt", "introspection", "auto"; "tls_client_auth", "client_secret_basic";
// "plain", "aarc-g002", "aarc-g069"; "all", "any", "at-least".
[[nodiscard]] Result<TokenMode> parseTokenMode(std::string_view name);
[[nodiscard]] Result<ClientAuth> parseClientAuth(std::string_view name);
[[nodiscard]] Result<ValueSyntax> parseValueSyntax(std::string_view name);
[[nodiscard]] Result<Match> parseMatch(std::string_view name);
std::string_view tokenModeName(TokenMode mode);

}  // namespace gridgate::validator
