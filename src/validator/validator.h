// The AccessTokenValidator: decides, before any other processing, whether a request carries a
// valid, live, certificate-bound token that satisfies the route's requirements. Framework-free:
// any C++ HTTP server can call it (validator/http wraps gridgate's router; examples/ cpp-httplib).
//
//   GG_TRY(auto v, validator::Validator::create(config, {.fetcher = my_fetcher}));
//   validator::RouteRequirements route;
//   route.require(validator::Requirement::scopes({kLicence}));
//
//   validator::CheckResult r = v->check(view, route);       // view: validator/request_view.h
//   if (!r) {
//     validator::WireError w = validator::render(r.error(), v->config().realm,
//                                                v->config().retry_after);
//     return reply(w.status, w.headers, w.body);           // 400/401/403/503, nothing internal
//   }
//   serve(request, *r);                                    // r->clientId(), r->claims(), ...
//
// Pipeline, in this order (each step refuses before the next runs):
//   1. client certificate present (route.require_certificate), optionally its chain re-verified
//      against ClientCertConfig's anchors and CRLs;
//   2. exactly one Authorization: Bearer header, no access_token in query or body (bearer.h);
//   3. token validity: the cache (SHA-256 of the token), else by the issuer's mode -
//      JWT: signature with the issuer's JWKS (allowed algs, kid first), typ at+jwt, iss, aud,
//      exp/nbf/iat; introspection: RFC 7662 (single-flight per token), active must be true,
//      iss/aud when present; userinfo fallback for opaque tokens of issuers without
//      introspection - then liveness (exp/nbf/iat) on every call, cached or not, and the purge
//      list (revocation);
//   4. binding: cnf.x5t#S256 == the certificate's thumbprint when required (issuer default, route
//      override), and always when the token carries one;
//   5. the route's requirements (requirements.h).
//
// Thread-safe: one Validator serves every thread. check() with IoPolicy::kForbid never blocks on
// the network (kNeedsIo instead): what the HTTP adapter runs on the I/O thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "validator/auth_error.h"
#include "validator/config.h"
#include "validator/fetcher.h"
#include "validator/metrics.h"
#include "validator/request_view.h"
#include "validator/requirements.h"
#include "validator/token_info.h"
#include "x509/trust_store.h"

namespace gridgate::jose {
class Jws;
}  // namespace gridgate::jose

namespace gridgate::validator {

class IssuerClient;
class TokenCache;
class RevocationList;

using CheckResult = tl::expected<TokenInfo, AuthError>;

struct ValidatorDeps {
  std::shared_ptr<Fetcher> fetcher{};      // required
  const Clock* clock = nullptr;            // null: SystemClock; must outlive the validator
  std::shared_ptr<MetricsSink> metrics{};  // null: nothing reported
};

class Validator {
 public:
  // Checks the configuration (validateConfig), loads the optional client CA bundle and CRLs, and
  // compiles the access levels. Does no network I/O (see warmUp()).
  [[nodiscard]] static Result<std::shared_ptr<Validator>> create(ValidatorConfig config,
                                                                 ValidatorDeps deps);
  ~Validator();
  Validator(const Validator&) = delete;
  Validator& operator=(const Validator&) = delete;

  // The pipeline above.
  [[nodiscard]] CheckResult check(const RequestView& request, const RouteRequirements& route,
                                  IoPolicy io = IoPolicy::kAllow) const;

  // Step 3 alone, for a token without a request (`gridgate token check`, tests): validity,
  // liveness and purge list; no certificate, binding or requirements.
  [[nodiscard]] CheckResult validateToken(std::string_view token,
                                          IoPolicy io = IoPolicy::kAllow) const;

  // Discovery and JWKS of every issuer that needs them, now (blocking). Errors are returned but
  // not fatal: checks retry on their own.
  [[nodiscard]] Status warmUp() const;

  // A named access level from the configuration as a requirement; kNotFound if there is none.
  [[nodiscard]] Result<Requirement> accessLevel(std::string_view name) const;

  // Purge: the cached validation goes, and the token / jti / grant stays refused for
  // CacheConfig::revocation_retention (a self-contained JWT would otherwise validate again).
  // Return the number of cache entries removed.
  std::size_t purgeToken(const TokenHash& hash) const;
  std::size_t purgeToken(std::string_view token) const { return purgeToken(hashToken(token)); }
  std::size_t purgeJti(std::string_view jti) const;
  std::size_t purgeGrant(std::string_view grant_id) const;

  const ValidatorConfig& config() const { return config_; }
  const Clock& clock() const { return *clock_; }
  std::size_t cacheSize() const;
  std::size_t cacheCapacity() const;
  std::size_t issuerCount() const;
  // Outbound introspection calls so far, all issuers (tests, benchmarks).
  std::uint64_t introspectionCalls() const;
  // JWKS fetches (successful or not) so far, all issuers.
  std::uint64_t jwksFetches() const;
  // Checks waiting for another check's issuer call for the same token (single-flight).
  std::size_t flightWaiters() const;

 private:
  Validator(ValidatorConfig config, ValidatorDeps deps);

  using RecordResult = tl::expected<std::shared_ptr<const TokenRecord>, AuthError>;

  CheckResult checkPipeline(const RequestView& request, const RouteRequirements& route,
                            IoPolicy io) const;
  tl::expected<void, AuthError> checkCertificate(const x509::Certificate& cert,
                                                 std::span<const x509::Certificate> chain) const;
  RecordResult validate(std::string_view token, IoPolicy io) const;
  RecordResult validateUncached(std::string_view token, const TokenHash& hash, IoPolicy io) const;
  RecordResult validateJwt(IssuerClient& issuer, const jose::Jws& jws, TokenRecord record,
                           const TokenHash& hash, IoPolicy io) const;
  RecordResult resolveOpaque(std::string_view token, const TokenHash& hash,
                             const std::vector<IssuerClient*>& candidates) const;
  RecordResult acceptAnswer(IssuerClient& issuer, Json answer, TokenSource source,
                            const TokenHash& hash) const;
  RecordResult admit(std::shared_ptr<TokenRecord> record) const;
  tl::expected<void, AuthError> live(const TokenRecord& record) const;
  std::int64_t nowMicros() const;

  ValidatorConfig config_;
  std::shared_ptr<Fetcher> fetcher_;
  const Clock* clock_;
  std::shared_ptr<MetricsSink> metrics_;
  std::vector<std::unique_ptr<IssuerClient>> issuers_;
  std::unique_ptr<TokenCache> cache_;  // null when CacheConfig::ttl_seconds == -1
  std::unique_ptr<RevocationList> revoked_;
  struct Flights;
  std::unique_ptr<Flights> flights_;
  std::unordered_map<std::string, Requirement> access_levels_;

  std::optional<x509::TrustStore> trust_;
  mutable std::mutex verified_mu_;
  mutable std::unordered_map<std::string, std::int64_t> verified_certs_;  // thumbprint -> until
};

}  // namespace gridgate::validator
