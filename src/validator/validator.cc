#include "validator/validator.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "core/log.h"
#include "core/secure_compare.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "validator/bearer.h"
#include "validator/issuer.h"
#include "validator/liveness.h"
#include "validator/revocation_list.h"
#include "validator/single_flight.h"
#include "validator/token_cache.h"

namespace gridgate::validator {

namespace {

using RecordResult = tl::expected<std::shared_ptr<const TokenRecord>, AuthError>;

MetricsSink& noMetrics() {
  static MetricsSink sink;
  return sink;
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// RFC 7515 section 4.1.9: compared case-insensitively, "application/" may be omitted.
bool isAtJwt(std::string_view typ) {
  std::string t(typ);
  std::transform(t.begin(), t.end(), t.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return t == "at+jwt" || t == "application/at+jwt";
}

bool intersects(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  return std::any_of(a.begin(), a.end(), [&](const std::string& x) {
    return std::find(b.begin(), b.end(), x) != b.end();
  });
}

// An introspection token_type that is not an access token (a refresh token introspects active
// too) or is DPoP-bound (FAPI-CHECKLIST 80: a DPoP token presented as Bearer is refused).
bool acceptableTokenType(const Json& answer) {
  const std::string* type = jsonString(answer, "token_type");
  if (type == nullptr) return jsonMember(answer, "token_type") == nullptr;
  std::string t(*type);
  std::transform(t.begin(), t.end(), t.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return t == "bearer" || t == "access_token" ||
         t == "urn:ietf:params:oauth:token-type:access_token";
}

bool canIntrospect(const IssuerConfig& c) {
  return c.mode != TokenMode::kJwt && !c.introspection.client_id.empty();
}

}  // namespace

struct Validator::Flights {
  SingleFlight<TokenHash, RecordResult, TokenHashHash> sf;
};

Validator::Validator(ValidatorConfig config, ValidatorDeps deps)
    : config_(std::move(config)),
      fetcher_(std::move(deps.fetcher)),
      clock_(deps.clock != nullptr ? deps.clock : &SystemClock::instance()),
      metrics_(std::move(deps.metrics)),
      revoked_(std::make_unique<RevocationList>()),
      flights_(std::make_unique<Flights>()) {
  if (!metrics_) metrics_ = std::shared_ptr<MetricsSink>(&noMetrics(), [](MetricsSink*) {});
  for (std::size_t i = 0; i < config_.issuers.size(); ++i) {
    issuers_.push_back(
        std::make_unique<IssuerClient>(config_.issuers[i], i, *fetcher_, *clock_, *metrics_));
  }
  if (config_.cache.ttl_seconds != -1) {
    cache_ = std::make_unique<TokenCache>(config_.cache.max_entries, config_.cache.shards);
  }
}

Validator::~Validator() = default;

Result<std::shared_ptr<Validator>> Validator::create(ValidatorConfig config, ValidatorDeps deps) {
  GG_TRY(validateConfig(config));
  if (!deps.fetcher) return fail(Errc::kInvalidArgument, "validator: a Fetcher is required");
  std::optional<x509::TrustStore> trust;
  if (!config.client_cert.ca_file.empty()) {
    GG_TRY(const std::string anchors, readFile(config.client_cert.ca_file));
    std::string crls;
    if (!config.client_cert.crl_file.empty()) {
      GG_TRY(crls, readFile(config.client_cert.crl_file));
    }
    GG_TRY(trust, x509::TrustStore::fromPem(anchors, crls));
  }
  std::unordered_map<std::string, Requirement> levels;
  for (const AccessLevel& level : config.access_levels) {
    GG_TRY(Requirement r, Requirement::fromAccessLevel(level));
    levels.emplace(level.name, std::move(r));
  }
  std::shared_ptr<Validator> v(new Validator(std::move(config), std::move(deps)));
  v->trust_ = std::move(trust);
  v->access_levels_ = std::move(levels);
  return v;
}

std::int64_t Validator::nowMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(clock_->now().time_since_epoch())
      .count();
}

std::size_t Validator::cacheSize() const { return cache_ ? cache_->size() : 0; }
std::size_t Validator::cacheCapacity() const { return cache_ ? cache_->capacity() : 0; }
std::size_t Validator::issuerCount() const { return issuers_.size(); }

std::uint64_t Validator::introspectionCalls() const {
  std::uint64_t n = 0;
  for (const auto& is : issuers_) n += is->introspectionCalls();
  return n;
}

std::uint64_t Validator::jwksFetches() const {
  std::uint64_t n = 0;
  for (const auto& is : issuers_) n += is->jwks().fetchCount();
  return n;
}

std::size_t Validator::flightWaiters() const { return flights_->sf.waiting(); }

Result<Requirement> Validator::accessLevel(std::string_view name) const {
  const auto it = access_levels_.find(std::string(name));
  if (it == access_levels_.end()) {
    return fail(Errc::kNotFound, "no access level named '" + std::string(name) + "'");
  }
  return it->second;
}

Status Validator::warmUp() const {
  std::string errors;
  for (const auto& is : issuers_) {
    auto ep = is->endpoints(IoPolicy::kAllow);
    if (!ep) {
      errors += ep.error().detail + "; ";
      continue;
    }
    if (is->config().mode != TokenMode::kIntrospection) {
      if (auto keys = is->jwks().get(IoPolicy::kAllow); !keys) errors += keys.error().detail + "; ";
    }
  }
  if (!errors.empty()) return fail(Errc::kUnavailable, errors);
  return ok();
}

// ---------------------------------------------------------------------------------------------
// Purge

std::size_t Validator::purgeToken(const TokenHash& hash) const {
  const std::int64_t now = clock_->unixSeconds();
  revoked_->addHash(hash, now, now + config_.cache.revocation_retention.count());
  return cache_ && cache_->erase(hash) ? 1 : 0;
}

std::size_t Validator::purgeJti(std::string_view jti) const {
  if (jti.empty()) return 0;
  const std::int64_t now = clock_->unixSeconds();
  revoked_->add(RevocationList::Kind::kJti, jti, now,
                now + config_.cache.revocation_retention.count());
  if (!cache_) return 0;
  return cache_->eraseIf([&](const TokenRecord& r) { return r.jti == jti; });
}

std::size_t Validator::purgeGrant(std::string_view grant_id) const {
  if (grant_id.empty()) return 0;
  const std::int64_t now = clock_->unixSeconds();
  revoked_->add(RevocationList::Kind::kGrant, grant_id, now,
                now + config_.cache.revocation_retention.count());
  if (!cache_) return 0;
  return cache_->eraseIf([&](const TokenRecord& r) { return r.grant_id == grant_id; });
}

// ---------------------------------------------------------------------------------------------
// Pipeline

CheckResult Validator::check(const RequestView& request, const RouteRequirements& route,
                             IoPolicy io) const {
  CheckResult r = checkPipeline(request, route, io);
  if (r) {
    metrics_->decision(std::nullopt);
  } else if (r.error().reason != Reason::kNeedsIo) {
    metrics_->decision(r.error().reason);
  }
  return r;
}

CheckResult Validator::validateToken(std::string_view token, IoPolicy io) const {
  auto rec = validate(token, io);
  if (!rec) return tl::unexpected(std::move(rec.error()));
  return TokenInfo(std::move(*rec));
}

tl::expected<void, AuthError> Validator::checkCertificate(
    const x509::Certificate& cert, std::span<const x509::Certificate> chain) const {
  if (!trust_) return {};
  const std::int64_t now = clock_->unixSeconds();
  {
    std::lock_guard lock(verified_mu_);
    const auto it = verified_certs_.find(cert.thumbprint());
    if (it != verified_certs_.end() && now < it->second) return {};
  }
  std::vector<x509::Certificate> untrusted;
  for (const x509::Certificate& c : chain) {
    if (!(c == cert)) untrusted.push_back(c);
  }
  const x509::VerifyOptions options{.at_time = now,
                                    .check_crl = !config_.client_cert.crl_file.empty(),
                                    .purpose = x509::Purpose::kClientAuth};
  if (auto st = x509::verifyChain(cert, untrusted, *trust_, options); !st) {
    switch (st.error().code) {
      case Errc::kRevoked:
        return deny(Reason::kCertificateRevoked, st.error().detail);
      case Errc::kExpired:
      case Errc::kNotYetValid:
        return deny(Reason::kCertificateExpired, st.error().detail);
      default:
        return deny(Reason::kCertificateUntrusted, st.error().detail);
    }
  }
  std::lock_guard lock(verified_mu_);
  if (verified_certs_.size() >= 10'000) verified_certs_.clear();  // bound; refills on demand
  verified_certs_[cert.thumbprint()] =
      std::min(now + config_.client_cert.verified_ttl.count(), cert.notAfter());
  return {};
}

CheckResult Validator::checkPipeline(const RequestView& request, const RouteRequirements& route,
                                     IoPolicy io) const {
  // 1. Client certificate.
  const x509::Certificate* cert = request.client_cert;
  if (cert == nullptr) {
    if (route.require_certificate) return deny(Reason::kNoCertificate, "no client certificate");
  } else if (auto c = checkCertificate(*cert, request.chain); !c) {
    return tl::unexpected(std::move(c.error()));
  }

  // 2. Bearer token.
  auto token = extractBearer(request);
  if (!token) return tl::unexpected(std::move(token.error()));

  // 3. Validity, liveness, purge list.
  auto rec = validate(*token, io);
  if (!rec) return tl::unexpected(std::move(rec.error()));
  const TokenRecord& r = **rec;

  // 4. Binding. A token that carries cnf is bound whatever the route says (RFC 8705 section 3).
  const bool binding =
      route.require_binding.value_or(config_.issuers[r.issuer_index].require_binding);
  if (binding || !r.cnf_x5t.empty()) {
    if (r.cnf_x5t.empty()) return deny(Reason::kBindingMissing, "token has no cnf.x5t#S256");
    if (cert == nullptr) return deny(Reason::kNoCertificate, "bound token without a certificate");
    if (!secureEquals(r.cnf_x5t, cert->thumbprint())) {
      return deny(Reason::kBindingMismatch, "cnf.x5t#S256 differs from the certificate");
    }
  }

  // 5. The route's requirements.
  for (const Requirement& requirement : route.all) {
    if (auto reason = requirement.evaluate(r, cert)) {
      AuthError e{*reason, "route requirement not met", {}};
      if (httpStatus(*reason) == 403) e.scope = route.scopeAttribute();
      return tl::unexpected(std::move(e));
    }
  }
  return TokenInfo(std::move(*rec));
}

tl::expected<void, AuthError> Validator::live(const TokenRecord& record) const {
  const IssuerConfig& ic = config_.issuers[record.issuer_index];
  const LivenessRules rules{
      .leeway = ic.leeway,
      .require_exp = record.source != TokenSource::kUserinfo && ic.require_exp};
  if (auto reason = checkLiveness(record, clock_->unixSeconds(), rules)) {
    return deny(*reason, "token not live");
  }
  return {};
}

RecordResult Validator::validate(std::string_view token, IoPolicy io) const {
  const TokenHash hash = hashToken(token);
  if (cache_) {
    if (auto e = cache_->get(hash, nowMicros())) {
      metrics_->cacheLookup(true);
      if (!e->record) return deny(Reason::kInactive, "cached: inactive");
      const TokenRecord& rec = *e->record;
      if (rec.source == TokenSource::kJwt &&
          rec.key_generation != issuers_[rec.issuer_index]->jwks().generation()) {
        cache_->erase(hash);  // a key was withdrawn since: verify again
      } else {
        if (auto l = live(rec); !l) return tl::unexpected(std::move(l.error()));
        return std::move(e->record);
      }
    } else {
      metrics_->cacheLookup(false);
    }
  }
  return validateUncached(token, hash, io);
}

RecordResult Validator::validateUncached(std::string_view token, const TokenHash& hash,
                                         IoPolicy io) const {
  if (revoked_->matchesHash(hash, clock_->unixSeconds())) {
    return deny(Reason::kRevoked, "token purged");
  }

  std::vector<IssuerClient*> opaque_candidates;
  if (auto jws = jose::Jws::parse(token)) {
    // The payload is read (bounded, strict, duplicates refused) before the signature is checked,
    // only to learn which issuer's keys to check it with; nothing else in it counts until then.
    if (auto rec = recordFromPayload(jws->payload(), TokenSource::kJwt)) {
      IssuerClient* issuer = nullptr;
      for (const auto& is : issuers_) {
        if (is->config().issuer == rec->issuer) issuer = is.get();
      }
      if (!rec->issuer.empty() && issuer == nullptr) {
        return deny(Reason::kUnknownIssuer, "iss names no configured issuer");
      }
      if (issuer != nullptr) {
        if (issuer->config().mode != TokenMode::kIntrospection) {
          return validateJwt(*issuer, *jws, std::move(*rec), hash, io);
        }
        opaque_candidates.push_back(issuer);  // a JWT-format token this issuer introspects
      }
    } else if (rec.error().code == Errc::kMalformed) {
      // A JWS whose claims break the rules (wrong types, duplicates) is no opaque token either.
      bool only_jwt = std::all_of(issuers_.begin(), issuers_.end(), [](const auto& is) {
        return is->config().mode == TokenMode::kJwt;
      });
      if (only_jwt) return deny(Reason::kMalformedToken, rec.error().detail);
    }
  }
  if (opaque_candidates.empty()) {
    for (const auto& is : issuers_) {
      if (is->config().mode != TokenMode::kJwt) opaque_candidates.push_back(is.get());
    }
  }
  if (opaque_candidates.empty()) {
    return deny(Reason::kMalformedToken, "not a JWT of a configured issuer");
  }
  if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "opaque token needs an issuer call");

  return flights_->sf.run(hash, [&]() -> RecordResult {
    // The flight before this one may have answered for this token already.
    if (cache_) {
      if (auto e = cache_->get(hash, nowMicros())) {
        if (!e->record) return deny(Reason::kInactive, "cached: inactive");
        if (auto l = live(*e->record); !l) return tl::unexpected(std::move(l.error()));
        return std::move(e->record);
      }
    }
    return resolveOpaque(token, hash, opaque_candidates);
  });
}

RecordResult Validator::validateJwt(IssuerClient& issuer, const jose::Jws& jws, TokenRecord record,
                                    const TokenHash& hash, IoPolicy io) const {
  const IssuerConfig& ic = issuer.config();
  if (std::find(ic.algs.begin(), ic.algs.end(), jws.alg()) == ic.algs.end()) {
    return deny(Reason::kAlgNotAllowed, "alg " + std::string(jose::algName(jws.alg())));
  }
  auto keys = issuer.jwks().get(io);
  if (!keys) return tl::unexpected(std::move(keys.error()));
  Status st = (*keys)->verifier.verify(jws);
  if (!st && st.error().code == Errc::kKeyNotFound && jws.kid()) {
    keys = issuer.jwks().refetchForUnknownKid(*jws.kid(), io);
    if (!keys) return tl::unexpected(std::move(keys.error()));
    st = (*keys)->verifier.verify(jws);
  }
  if (!st) {
    switch (st.error().code) {
      case Errc::kKeyNotFound:
        return deny(Reason::kUnknownKey, st.error().detail);
      case Errc::kBadSignature:
        return deny(Reason::kBadSignature, st.error().detail);
      case Errc::kUnsupported:
        return deny(Reason::kAlgNotAllowed, st.error().detail);
      default:
        return deny(Reason::kMalformedToken, st.error().detail);
    }
  }
  // Signature holds: now the claims count.
  if (ic.require_typ_at_jwt && !isAtJwt(jws.typ())) {
    return deny(Reason::kWrongType, "typ is not at+jwt");
  }
  if (record.issuer != ic.issuer) return deny(Reason::kWrongIssuer, "iss");
  if (!ic.skip_audience_check && !intersects(record.audiences, ic.audiences)) {
    return deny(Reason::kWrongAudience, "aud does not name this resource server");
  }
  if (record.cnf_jkt) return deny(Reason::kBindingMismatch, "DPoP-bound token presented as Bearer");
  record.issuer_index = issuer.index();
  record.token_hash = hash;
  record.key_generation = (*keys)->generation;
  return admit(std::make_shared<TokenRecord>(std::move(record)));
}

RecordResult Validator::resolveOpaque(std::string_view token, const TokenHash& hash,
                                      const std::vector<IssuerClient*>& candidates) const {
  std::optional<AuthError> unavailable;
  bool refused = false;
  for (IssuerClient* is : candidates) {
    const IssuerConfig& ic = is->config();
    auto ep = is->endpoints(IoPolicy::kAllow);
    if (!ep) {
      unavailable = ep.error();
      continue;
    }
    tl::expected<IssuerAnswer, AuthError> answer;
    TokenSource source = TokenSource::kIntrospection;
    if (canIntrospect(ic) && !(*ep)->introspection_endpoint.empty()) {
      answer = is->introspect(token);
    } else if (ic.userinfo_fallback && !(*ep)->userinfo_endpoint.empty() &&
               ic.issuer.find(config_.userinfo_issuer_hint) != std::string::npos) {
      source = TokenSource::kUserinfo;
      answer = is->userinfo(token);
    } else {
      if (ic.mode == TokenMode::kIntrospection) {
        unavailable =
            AuthError{Reason::kIssuerUnavailable, ic.issuer + " has no introspection endpoint", {}};
      }
      continue;
    }
    if (!answer) {
      unavailable = answer.error();
      continue;
    }
    if (!answer->active) {
      refused = true;
      continue;
    }
    return acceptAnswer(*is, std::move(answer->body), source, hash);
  }
  // An issuer that could not answer might have known the token: fail closed.
  if (unavailable) return tl::unexpected(std::move(*unavailable));
  if (refused) {
    if (cache_ && config_.cache.negative_ttl > Seconds(0)) {
      cache_->put(
          hash,
          CacheEntry{nullptr, nowMicros() + std::chrono::duration_cast<std::chrono::microseconds>(
                                                config_.cache.negative_ttl)
                                                .count()});
    }
    return deny(Reason::kInactive, "no issuer knows the token as active");
  }
  return deny(Reason::kMalformedToken, "no configured issuer can validate this opaque token");
}

RecordResult Validator::acceptAnswer(IssuerClient& issuer, Json answer, TokenSource source,
                                     const TokenHash& hash) const {
  const IssuerConfig& ic = issuer.config();
  if (source == TokenSource::kIntrospection && !acceptableTokenType(answer)) {
    return deny(Reason::kMalformedToken, "introspection: token_type is not an access token");
  }
  auto rec = recordFromClaims(std::move(answer), source);
  if (!rec) return deny(Reason::kMalformedToken, "answer: " + rec.error().detail);
  if (!rec->issuer.empty() && rec->issuer != ic.issuer) {
    return deny(Reason::kWrongIssuer, "answer names another issuer");
  }
  rec->issuer = ic.issuer;
  if (source == TokenSource::kIntrospection && !ic.skip_audience_check) {
    if (rec->audiences.empty() ? ic.introspection_requires_aud
                               : !intersects(rec->audiences, ic.audiences)) {
      return deny(Reason::kWrongAudience, "introspection: aud does not name this resource server");
    }
  }
  if (rec->cnf_jkt) return deny(Reason::kBindingMismatch, "DPoP-bound token presented as Bearer");
  rec->issuer_index = issuer.index();
  rec->token_hash = hash;
  return admit(std::make_shared<TokenRecord>(std::move(*rec)));
}

RecordResult Validator::admit(std::shared_ptr<TokenRecord> record) const {
  const std::int64_t now = clock_->unixSeconds();
  if (revoked_->matches(*record, now)) return deny(Reason::kRevoked, "token, jti or grant purged");
  if (auto l = live(*record); !l) return tl::unexpected(std::move(l.error()));
  if (!cache_) return record;

  // Until when this validation may be reused: the TTL, never beyond exp.
  const std::int64_t ttl = config_.cache.ttl_seconds;
  std::optional<std::int64_t> until;
  if (ttl > 0) until = now + ttl;
  if (record->exp && (!until || *record->exp < *until)) until = *record->exp;
  if (!until || *until <= now) return record;

  const TokenHash hash = record->token_hash;
  cache_->put(hash, CacheEntry{record, *until * 1'000'000});
  // A purge that raced with this validation: it either sees the entry (and removes it) or has
  // listed the token before this second look (and the entry goes here).
  if (revoked_->matches(*record, now)) {
    cache_->erase(hash);
    return deny(Reason::kRevoked, "token, jti or grant purged");
  }
  return record;
}

}  // namespace gridgate::validator
