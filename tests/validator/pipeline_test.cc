// Every step of the validator pipeline against a real issuer (gridgate's net::Server on
// 127.0.0.1 with TLS and mTLS), reached through the real NetFetcher. Time is a FakeClock.
#include <gtest/gtest.h>

#include <thread>

#include "support.h"
#include "validator/http/net_fetcher.h"

namespace gridgate::validator {
namespace {

using testing::kAudience;
using testing::kLicence;
using testing::TestIssuer;
using testing::TestIssuerOptions;
using testing::TestRequest;

class CountingMetrics final : public MetricsSink {
 public:
  void decision(std::optional<Reason> r) override { r ? ++denied : ++allowed; }
  void cacheLookup(bool hit) override { hit ? ++hits : ++misses; }
  void upstreamCall(Upstream, double, bool ok) override { ok ? ++calls_ok : ++calls_failed; }
  void staleJwksServed() override { ++stale; }
  std::atomic<int> allowed{0}, denied{0}, hits{0}, misses{0}, calls_ok{0}, calls_failed{0},
      stale{0};
};

class PipelineTest : public ::testing::Test {
 protected:
  FakeClock clock{SystemClock::instance().unixSeconds()};
  const testing::TestPki& pki = testing::testPki();
  std::unique_ptr<TestIssuer> as = std::make_unique<TestIssuer>(clock);
  x509::Certificate demo = pki.cert("demo");
  RouteRequirements route;

  std::shared_ptr<Validator> validator(TokenMode mode,
                                       const std::function<void(ValidatorConfig&)>& tweak = {},
                                       std::shared_ptr<MetricsSink> metrics = nullptr) {
    return testing::makeValidator(*as, mode, clock, tweak, std::move(metrics));
  }
  CheckResult check(const Validator& v, const std::string& token,
                    std::optional<x509::Certificate> cert) {
    TestRequest req = TestRequest::bearer(token, std::move(cert));
    return v.check(req.view(), route);
  }
  CheckResult check(const Validator& v, const std::string& token) { return check(v, token, demo); }
};

void expectDenied(const CheckResult& r, Reason reason) {
  ASSERT_FALSE(r.has_value()) << "expected " << reasonName(reason);
  EXPECT_EQ(r.error().reason, reason)
      << "got " << reasonName(r.error().reason) << ": " << r.error().detail;
}

void expectAllowed(const CheckResult& r) {
  ASSERT_TRUE(r.has_value()) << reasonName(r.error().reason) << ": " << r.error().detail;
}

// ---- JWT mode ------------------------------------------------------------------------------

TEST_F(PipelineTest, JwtBoundTokenIsAccepted) {
  auto v = validator(TokenMode::kJwt);
  const std::string token = as->jwt({}, demo);
  const CheckResult r = check(*v, token);
  expectAllowed(r);
  EXPECT_EQ(r->source(), TokenSource::kJwt);
  EXPECT_EQ(r->issuer(), as->issuer());
  EXPECT_EQ(r->clientId(), pki.ids.demo_application);
  EXPECT_TRUE(r->hasScope(kLicence));
  EXPECT_EQ(r->certThumbprint(), demo.thumbprint());
  EXPECT_FALSE(r->grantId().empty());
  EXPECT_EQ(r->tokenHash(), hashToken(token));
  EXPECT_EQ(as->discoveryCalls(), 1);
  EXPECT_EQ(as->jwksCalls(), 1);
  EXPECT_EQ(as->introspectionCalls(), 0);
}

TEST_F(PipelineTest, CertificateIsCheckedFirst) {
  auto v = validator(TokenMode::kJwt);
  expectDenied(check(*v, as->jwt({}, demo), std::nullopt), Reason::kNoCertificate);
  // Even a request without any token is refused for the missing certificate first.
  TestRequest empty;
  expectDenied(v->check(empty.view(), route), Reason::kNoCertificate);
  EXPECT_EQ(as->jwksCalls(), 0);
}

TEST_F(PipelineTest, ChainIsCheckedAgainstBundleAndCrl) {
  auto v = validator(TokenMode::kJwt, [&](ValidatorConfig& c) {
    c.client_cert.ca_file = pki.client_verify_bundle;
    c.client_cert.crl_file = pki.client_crl;
  });
  expectAllowed(check(*v, as->jwt({}, demo)));
  const x509::Certificate rogue = pki.cert("rogue");
  expectDenied(check(*v, as->jwt({}, rogue), rogue), Reason::kCertificateUntrusted);
  const x509::Certificate revoked = pki.cert("revoked");
  expectDenied(check(*v, as->jwt({}, revoked), revoked), Reason::kCertificateRevoked);
  // A certificate expired by the validator's clock (no CRLs here: they would be stale too).
  auto no_crl = validator(TokenMode::kJwt, [&](ValidatorConfig& c) {
    c.client_cert.ca_file = pki.client_verify_bundle;
  });
  clock.advance(std::chrono::hours(24 * 400));
  expectDenied(check(*no_crl, as->jwt({}, pki.cert("other")), pki.cert("other")),
               Reason::kCertificateExpired);
}

TEST_F(PipelineTest, AuthorizationHeaderRules) {
  auto v = validator(TokenMode::kJwt);
  const std::string token = as->jwt({}, demo);

  TestRequest two = TestRequest::bearer(token, demo);
  two.authorization.push_back("Bearer " + token);
  expectDenied(v->check(two.view(), route), Reason::kDuplicateAuthorization);

  TestRequest basic = TestRequest::bearer(token, demo);
  basic.authorization = {"Basic dXNlcjpwYXNz"};
  expectDenied(v->check(basic.view(), route), Reason::kNoToken);

  TestRequest lower = TestRequest::bearer(token, demo);
  lower.authorization = {"bEaReR " + token};
  expectAllowed(v->check(lower.view(), route));

  TestRequest query = TestRequest::bearer(token, demo);
  query.token_in_query = true;
  expectDenied(v->check(query.view(), route), Reason::kTokenInQuery);
  TestRequest body = TestRequest::bearer(token, demo);
  body.token_in_body = true;
  expectDenied(v->check(body.view(), route), Reason::kTokenInBody);

  TestRequest none;
  none.cert = demo;
  const CheckResult missing = v->check(none.view(), route);
  expectDenied(missing, Reason::kNoToken);
  const WireError w = render(missing.error(), "test-provider", Seconds(10));
  EXPECT_EQ(w.status, 401);
  EXPECT_EQ(w.headers.back().second, "Bearer realm=\"test-provider\"");
}

TEST_F(PipelineTest, SignatureAndAlgorithm) {
  auto v = validator(TokenMode::kJwt);
  std::string token = as->jwt({}, demo);
  std::string flipped = token;
  const std::size_t sig = flipped.rfind('.') + 10;
  flipped[sig] = flipped[sig] == 'A' ? 'B' : 'A';
  expectDenied(check(*v, flipped), Reason::kBadSignature);

  // A key the issuer never published, with a kid it does not have.
  const jose::Signer stranger = *jose::Signer::create(
      jose::Alg::kES256, *jose::Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256),
                                             "key-1", jose::Alg::kES256));
  expectDenied(check(*v, as->jwtSignedBy(stranger, {}, demo)), Reason::kBadSignature);

  // ES256 is not allowed for this issuer.
  auto ps_only = validator(TokenMode::kJwt,
                           [](ValidatorConfig& c) { c.issuers[0].algs = {jose::Alg::kPS256}; });
  expectDenied(check(*ps_only, token), Reason::kAlgNotAllowed);

  // HS256 never parses as a JWS here: with no introspecting issuer it is not a token at all.
  const std::string hs = "eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJpc3MiOiJ4In0.c2ln";
  expectDenied(check(*v, hs), Reason::kMalformedToken);
  expectDenied(check(*v, "opaque-garbage"), Reason::kMalformedToken);
}

TEST_F(PipelineTest, TypIssAud) {
  auto v = validator(TokenMode::kJwt);
  expectDenied(check(*v, as->jwt({}, demo, Json::object())), Reason::kWrongType);
  expectDenied(check(*v, as->jwt({}, demo, Json{{"typ", "JWT"}})), Reason::kWrongType);
  expectAllowed(check(*v, as->jwt({}, demo, Json{{"typ", "application/AT+JWT"}})));
  expectDenied(check(*v, as->jwt({{"iss", "https://evil.example"}}, demo)), Reason::kUnknownIssuer);
  expectDenied(check(*v, as->jwt({{"aud", "https://other-rs.example"}}, demo)),
               Reason::kWrongAudience);
  expectDenied(check(*v, as->jwt({{"aud", nullptr}}, demo)), Reason::kWrongAudience);
  expectAllowed(check(
      *v, as->jwt({{"aud", Json::array({"https://x.example", std::string(kAudience)})}}, demo)));
  expectDenied(check(*v, as->jwt({{"scope", 42}}, demo)), Reason::kMalformedToken);

  auto relaxed_typ = validator(TokenMode::kJwt,
                               [](ValidatorConfig& c) { c.issuers[0].require_typ_at_jwt = false; });
  expectAllowed(check(*relaxed_typ, as->jwt({}, demo, Json::object())));
}

TEST_F(PipelineTest, ClockRules) {
  auto v = validator(TokenMode::kJwt);
  const std::int64_t now = clock.unixSeconds();
  expectDenied(check(*v, as->jwt({{"exp", now}}, demo)), Reason::kExpired);
  expectAllowed(check(*v, as->jwt({{"exp", now + 1}}, demo)));
  expectDenied(check(*v, as->jwt({{"exp", nullptr}}, demo)), Reason::kMissingClaim);
  // iat/nbf up to 10 s ahead always, beyond only within the leeway, beyond 60 s never.
  expectAllowed(check(*v, as->jwt({{"iat", now + 10}, {"nbf", now + 10}}, demo)));
  expectDenied(check(*v, as->jwt({{"nbf", now + 30}}, demo)), Reason::kNotYetValid);
  expectDenied(check(*v, as->jwt({{"iat", now + 30}}, demo)), Reason::kNotYetValid);

  auto lenient =
      validator(TokenMode::kJwt, [](ValidatorConfig& c) { c.issuers[0].leeway = Seconds(60); });
  expectAllowed(check(*lenient, as->jwt({{"exp", now - 59}}, demo)));
  expectDenied(check(*lenient, as->jwt({{"exp", now - 60}}, demo)), Reason::kExpired);
  expectAllowed(check(*lenient, as->jwt({{"iat", now + 60}}, demo)));
  expectDenied(check(*lenient, as->jwt({{"iat", now + 61}}, demo)), Reason::kNotYetValid);
}

TEST_F(PipelineTest, CertificateBinding) {
  auto v = validator(TokenMode::kJwt);
  const x509::Certificate other = pki.cert("other");
  expectDenied(check(*v, as->jwt({}, demo), other), Reason::kBindingMismatch);
  expectDenied(check(*v, as->jwt({}, std::nullopt)), Reason::kBindingMissing);
  expectDenied(check(*v, as->jwt({{"cnf", Json{{"jkt", "abc"}}}}, std::nullopt)),
               Reason::kBindingMismatch);  // DPoP-bound token as Bearer

  route.require_binding = false;
  expectAllowed(check(*v, as->jwt({}, std::nullopt)));
  // A bound token stays bound on a relaxed route.
  expectDenied(check(*v, as->jwt({}, demo), other), Reason::kBindingMismatch);
  route.require_certificate = false;
  expectAllowed(check(*v, as->jwt({}, std::nullopt), std::nullopt));
  expectDenied(check(*v, as->jwt({}, demo), std::nullopt), Reason::kNoCertificate);
}

TEST_F(PipelineTest, RouteRequirements) {
  auto v = validator(TokenMode::kJwt);
  route.require(Requirement::scopes({std::string(kLicence), "offline_access"}));
  const CheckResult r = check(*v, as->jwt({}, demo));
  expectDenied(r, Reason::kInsufficientScope);
  EXPECT_EQ(r.error().scope, std::string(kLicence) + " offline_access");
  const WireError w = render(r.error(), "test-provider", Seconds(10));
  EXPECT_EQ(w.status, 403);
  EXPECT_NE(w.headers.back().second.find("error=\"insufficient_scope\""), std::string::npos);
  EXPECT_NE(w.headers.back().second.find("scope=\"" + std::string(kLicence) + " offline_access\""),
            std::string::npos);
  // scp (array) counts like scope.
  expectAllowed(check(*v, as->jwt({{"scope", nullptr},
                                   {"scp", Json::array({std::string(kLicence), "offline_access"})}},
                                  demo)));

  route = {};
  route.require(Requirement::certificateRole(pki.ids.client_role))
      .require(Requirement::clientIdIsCertificateUri());
  expectAllowed(check(*v, as->jwt({}, demo)));
  const x509::Certificate provider = pki.cert("provider");  // energy-data-provider only
  expectDenied(check(*v, as->jwt({}, provider), provider), Reason::kMissingRole);
  expectDenied(check(*v, as->jwt({{"client_id", pki.ids.other_application}}, demo)),
               Reason::kClientMismatch);

  route = {};
  route.require(*Requirement::claimValues({.claim = "entitlements",
                                           .values = {"urn:geant:h-df.de:group:aai-admin"},
                                           .syntax = ValueSyntax::kAarcG002}));
  expectAllowed(check(
      *v, as->jwt({{"entitlements",
                    Json::array({"urn:geant:h-df.de:group:aai-admin:role=member#unity.example"})}},
                  demo)));
  expectDenied(
      check(*v, as->jwt({{"entitlements", Json::array({"urn:geant:h-df.de:group:other"})}}, demo)),
      Reason::kClaimRequirement);
}

TEST_F(PipelineTest, NamedAccessLevel) {
  auto v = validator(TokenMode::kJwt, [&](ValidatorConfig& c) {
    c.access_levels.push_back(AccessLevel{.name = "meter-reader",
                                          .scopes = {std::string(kLicence)},
                                          .claims = {},
                                          .certificate_roles = {pki.ids.client_role},
                                          .client_id_is_certificate_uri = true});
  });
  auto level = v->accessLevel("meter-reader");
  ASSERT_TRUE(level.has_value());
  EXPECT_FALSE(v->accessLevel("nope").has_value());
  route.require(*level);
  expectAllowed(check(*v, as->jwt({}, demo)));
  expectDenied(check(*v, as->jwt({{"scope", "other"}}, demo)), Reason::kInsufficientScope);
}

TEST_F(PipelineTest, CachedJwtStillChecksLiveness) {
  auto metrics = std::make_shared<CountingMetrics>();
  auto v = validator(
      TokenMode::kJwt, [](ValidatorConfig& c) { c.cache.ttl_seconds = 0; }, metrics);
  const std::string token = as->jwt({{"exp", clock.unixSeconds() + 100}}, demo);
  expectAllowed(check(*v, token));
  expectAllowed(check(*v, token));
  EXPECT_EQ(metrics->hits, 1);
  EXPECT_EQ(metrics->misses, 1);
  clock.advance(std::chrono::seconds(100));
  expectDenied(check(*v, token), Reason::kExpired);
  EXPECT_EQ(metrics->allowed, 2);
  EXPECT_EQ(metrics->denied, 1);
}

TEST_F(PipelineTest, KeyRotationRefetchesOnce) {
  auto v = validator(TokenMode::kJwt);
  expectAllowed(check(*v, as->jwt({}, demo)));
  EXPECT_EQ(as->jwksCalls(), 1);

  as->rotateKey(/*keep_old=*/true);
  expectAllowed(check(*v, as->jwt({}, demo)));  // kid key-2: one refetch
  EXPECT_EQ(as->jwksCalls(), 2);
  expectAllowed(check(*v, as->jwt({}, demo)));
  EXPECT_EQ(as->jwksCalls(), 2);

  // Made-up kids: refused without another fetch within the refetch interval (which the key-2
  // refetch started)...
  const jose::Signer stranger = *jose::Signer::create(
      jose::Alg::kES256, *jose::Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256),
                                             "key-9", jose::Alg::kES256));
  for (int i = 0; i < 5; ++i) {
    expectDenied(check(*v, as->jwtSignedBy(stranger, {}, demo)), Reason::kUnknownKey);
  }
  EXPECT_EQ(as->jwksCalls(), 2);
  // ...and one more after it, then none again.
  clock.advance(std::chrono::seconds(31));
  for (int i = 0; i < 5; ++i) {
    expectDenied(check(*v, as->jwtSignedBy(stranger, {}, demo)), Reason::kUnknownKey);
  }
  EXPECT_EQ(as->jwksCalls(), 3);
}

TEST_F(PipelineTest, WithdrawnKeyInvalidatesCachedVerifications) {
  auto v = validator(TokenMode::kJwt, [](ValidatorConfig& c) { c.cache.ttl_seconds = 0; });
  const std::string old_token = as->jwt({}, demo);
  expectAllowed(check(*v, old_token));
  as->rotateKey(/*keep_old=*/false);
  expectAllowed(check(*v, as->jwt({}, demo)));  // refetch: key-1 is gone
  expectDenied(check(*v, old_token), Reason::kUnknownKey);
}

TEST_F(PipelineTest, IssuerDownFailsClosedWith503) {
  auto v = validator(TokenMode::kJwt);
  as->setDown(true);
  const CheckResult r = check(*v, as->jwt({}, demo));
  expectDenied(r, Reason::kIssuerUnavailable);
  const WireError w = render(r.error(), "test-provider", Seconds(7));
  EXPECT_EQ(w.status, 503);
  bool retry_after = false;
  for (const auto& [name, value] : w.headers) retry_after |= name == "Retry-After" && value == "7";
  EXPECT_TRUE(retry_after);
  EXPECT_EQ(w.body.find("issuer"), std::string::npos) << "nothing internal: " << w.body;

  // No hammering: within fetch_retry_interval nobody asks again.
  const int calls = as->discoveryCalls();
  expectDenied(check(*v, as->jwt({}, demo)), Reason::kIssuerUnavailable);
  EXPECT_EQ(as->discoveryCalls(), calls);
  as->setDown(false);
  clock.advance(std::chrono::seconds(6));
  expectAllowed(check(*v, as->jwt({}, demo)));
}

TEST_F(PipelineTest, StaleJwksIsServedWhileIssuerIsDown) {
  auto metrics = std::make_shared<CountingMetrics>();
  auto v = validator(
      TokenMode::kJwt, [](ValidatorConfig& c) { c.issuers[0].jwks_max_stale = Seconds(3600); },
      metrics);
  expectAllowed(check(*v, as->jwt({}, demo)));
  as->stop();                                // connections refused from now on
  clock.advance(std::chrono::seconds(301));  // refresh due
  expectAllowed(check(*v, as->jwt({}, demo)));
  EXPECT_GE(metrics->stale, 1);
  EXPECT_GE(metrics->calls_failed, 1);
  clock.advance(std::chrono::seconds(3600));
  expectDenied(check(*v, as->jwt({}, demo)), Reason::kIssuerUnavailable);
}

TEST_F(PipelineTest, DiscoveryFallsBackToOidcAndChecksIssuer) {
  as = std::make_unique<TestIssuer>(clock, TestIssuerOptions{.rfc8414 = false});
  auto v = validator(TokenMode::kJwt);
  expectAllowed(check(*v, as->jwt({}, demo)));
  EXPECT_EQ(as->discoveryCalls(), 2);

  as = std::make_unique<TestIssuer>(clock,
                                    TestIssuerOptions{.metadata_issuer = "https://evil.example"});
  auto w = validator(TokenMode::kJwt);
  expectDenied(check(*w, as->jwt({}, demo)), Reason::kIssuerUnavailable);
  EXPECT_EQ(as->discoveryCalls(), 1);  // a wrong document is not second-guessed
  EXPECT_EQ(as->jwksCalls(), 0);
}

TEST_F(PipelineTest, PurgeByGrantJtiAndHash) {
  auto v = validator(TokenMode::kJwt);
  const std::string a = as->jwt({{"grant_id", "grant-a"}}, demo);
  const std::string b = as->jwt({{"jti", "jti-b"}}, demo);
  const std::string c = as->jwt({}, demo);
  for (const auto* t : {&a, &b, &c}) expectAllowed(check(*v, *t));
  EXPECT_EQ(v->purgeGrant("grant-a"), 1u);
  EXPECT_EQ(v->purgeJti("jti-b"), 1u);
  EXPECT_EQ(v->purgeToken(c), 1u);
  for (const auto* t : {&a, &b, &c}) expectDenied(check(*v, *t), Reason::kRevoked);
  // A new token of the revoked grant is refused too.
  expectDenied(check(*v, as->jwt({{"grant_id", "grant-a"}}, demo)), Reason::kRevoked);
  clock.advance(std::chrono::minutes(16));  // past revocation_retention
  expectAllowed(check(*v, as->jwt({{"grant_id", "grant-a"}}, demo)));
}

// ---- introspection mode --------------------------------------------------------------------

TEST_F(PipelineTest, IntrospectionOverMtlsIsCachedAndLivenessRechecked) {
  auto v = validator(TokenMode::kIntrospection);
  const std::string token = as->opaque({}, demo);
  const CheckResult r = check(*v, token);
  expectAllowed(r);
  EXPECT_EQ(r->source(), TokenSource::kIntrospection);
  EXPECT_EQ(r->claims().value("active", false), true);
  EXPECT_EQ(as->lastIntrospectionAuth(), "mtls:" + pki.leaves.at("provider").application);
  EXPECT_EQ(as->introspectionCalls(), 1);

  expectAllowed(check(*v, token));
  EXPECT_EQ(as->introspectionCalls(), 1);  // cached
  // Revocation at the AS shows within the TTL (60 s), not before.
  as->deactivate(token);
  clock.advance(std::chrono::seconds(59));
  expectAllowed(check(*v, token));
  EXPECT_EQ(as->introspectionCalls(), 1);
  clock.advance(std::chrono::seconds(1));
  expectDenied(check(*v, token), Reason::kInactive);
  EXPECT_EQ(as->introspectionCalls(), 2);
  // Inactive answers are remembered briefly (negative cache).
  expectDenied(check(*v, token), Reason::kInactive);
  EXPECT_EQ(as->introspectionCalls(), 2);
  clock.advance(std::chrono::seconds(10));
  expectDenied(check(*v, token), Reason::kInactive);
  EXPECT_EQ(as->introspectionCalls(), 3);
}

TEST_F(PipelineTest, IntrospectionCacheNeverOutlivesExp) {
  auto v = validator(TokenMode::kIntrospection);
  const std::string token = as->opaque({{"exp", clock.unixSeconds() + 20}}, demo);
  expectAllowed(check(*v, token));
  clock.advance(std::chrono::seconds(19));
  expectAllowed(check(*v, token));
  EXPECT_EQ(as->introspectionCalls(), 1);
  clock.advance(std::chrono::seconds(1));
  // The AS (which does not expire tokens here) still says active; liveness refuses.
  expectDenied(check(*v, token), Reason::kExpired);
}

TEST_F(PipelineTest, IntrospectionTtlSettings) {
  auto off =
      validator(TokenMode::kIntrospection, [](ValidatorConfig& c) { c.cache.ttl_seconds = -1; });
  const std::string token = as->opaque({}, demo);
  expectAllowed(check(*off, token));
  expectAllowed(check(*off, token));
  EXPECT_EQ(as->introspectionCalls(), 2);

  auto until_exp =
      validator(TokenMode::kIntrospection, [](ValidatorConfig& c) { c.cache.ttl_seconds = 0; });
  expectAllowed(check(*until_exp, token));
  clock.advance(std::chrono::seconds(599));
  expectAllowed(check(*until_exp, token));
  EXPECT_EQ(as->introspectionCalls(), 3);
}

TEST_F(PipelineTest, IntrospectionWithClientSecretBasic) {
  auto v = validator(TokenMode::kIntrospection, [](ValidatorConfig& c) {
    c.issuers[0].introspection.method = ClientAuth::kClientSecretBasic;
    c.issuers[0].introspection.client_secret = "s3cret";
  });
  expectAllowed(check(*v, as->opaque({}, demo)));
  EXPECT_EQ(as->lastIntrospectionAuth(), "basic:" + pki.leaves.at("provider").application);

  auto wrong = validator(TokenMode::kIntrospection, [](ValidatorConfig& c) {
    c.issuers[0].introspection.method = ClientAuth::kClientSecretBasic;
    c.issuers[0].introspection.client_secret = "wrong";
  });
  // The AS refusing *our* credentials is an outage for the client, never a 401 for it.
  expectDenied(check(*wrong, as->opaque({}, demo)), Reason::kIssuerUnavailable);
}

TEST_F(PipelineTest, IntrospectionAnswerIsChecked) {
  auto v = validator(TokenMode::kIntrospection);
  expectDenied(check(*v, as->opaque({{"iss", "https://evil.example"}}, demo)),
               Reason::kWrongIssuer);
  expectDenied(check(*v, as->opaque({{"aud", "https://other.example"}}, demo)),
               Reason::kWrongAudience);
  expectAllowed(check(*v, as->opaque({{"aud", nullptr}}, demo)));
  expectDenied(check(*v, as->opaque({{"token_type", "refresh_token"}}, demo)),
               Reason::kMalformedToken);
  expectDenied(check(*v, as->opaque({{"exp", nullptr}}, demo)), Reason::kMissingClaim);
  expectDenied(check(*v, as->opaque({}, demo), pki.cert("other")), Reason::kBindingMismatch);
  expectDenied(check(*v, as->opaque({{"active", "true"}}, demo)), Reason::kIssuerUnavailable);
}

TEST_F(PipelineTest, IntrospectionIssuerDown) {
  auto v = validator(TokenMode::kIntrospection);
  const std::string token = as->opaque({}, demo);
  expectAllowed(check(*v, token));  // discovery done
  as->setDown(true);
  expectDenied(check(*v, as->opaque({}, demo)), Reason::kIssuerUnavailable);
  expectAllowed(check(*v, token));  // still cached
}

TEST_F(PipelineTest, ConcurrentMissesMakeOneIntrospectionCall) {
  auto v = validator(TokenMode::kIntrospection);
  ASSERT_TRUE(v->warmUp().has_value());
  const std::string token = as->opaque({}, demo);
  as->holdIntrospection();
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  std::atomic<int> allowed{0};
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      TestRequest req = TestRequest::bearer(token, demo);
      if (v->check(req.view(), route)) ++allowed;
    });
  }
  // One call is at the issuer, every other check waits for it.
  while (as->introspectionCalls() < 1 || v->flightWaiters() < kThreads - 1) {
    std::this_thread::yield();
  }
  as->open();
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed, kThreads);
  EXPECT_EQ(as->introspectionCalls(), 1);
}

TEST_F(PipelineTest, IoForbiddenReportsNeedsIo) {
  auto v = validator(TokenMode::kIntrospection);
  const std::string token = as->opaque({}, demo);
  TestRequest req = TestRequest::bearer(token, demo);
  expectDenied(v->check(req.view(), route, IoPolicy::kForbid), Reason::kNeedsIo);
  EXPECT_EQ(as->introspectionCalls(), 0);
  expectAllowed(v->check(req.view(), route, IoPolicy::kAllow));
  expectAllowed(v->check(req.view(), route, IoPolicy::kForbid));  // cached now

  auto j = validator(TokenMode::kJwt);
  TestRequest jreq = TestRequest::bearer(as->jwt({}, demo), demo);
  expectDenied(j->check(jreq.view(), route, IoPolicy::kForbid), Reason::kNeedsIo);
  EXPECT_EQ(as->jwksCalls(), 0);
}

// ---- auto mode and the userinfo fallback ---------------------------------------------------

TEST_F(PipelineTest, AutoModePicksJwtOrIntrospection) {
  auto v = validator(TokenMode::kAuto);
  expectAllowed(check(*v, as->jwt({}, demo)));
  EXPECT_EQ(as->introspectionCalls(), 0);
  const CheckResult r = check(*v, as->opaque({}, demo));
  expectAllowed(r);
  EXPECT_EQ(r->source(), TokenSource::kIntrospection);
  EXPECT_EQ(as->introspectionCalls(), 1);
}

TEST_F(PipelineTest, UserinfoFallbackForIssuersWithoutIntrospection) {
  as = std::make_unique<TestIssuer>(clock, TestIssuerOptions{.advertise_introspection = false});
  auto v = validator(TokenMode::kAuto, [](ValidatorConfig& c) {
    c.issuers[0].introspection.client_id.clear();
    c.issuers[0].userinfo_fallback = true;
    c.userinfo_issuer_hint = "127.0.0.1";
  });
  route.require_binding = false;
  route.require(*Requirement::claimValues(
      {.claim = "groups", .values = {"a", "b", "c"}, .match = Match::kAtLeast, .at_least = 2}));
  const std::string token = as->userinfoToken({{"sub", "u1"}, {"groups", Json::array({"a", "c"})}});
  const CheckResult r = check(*v, token);
  expectAllowed(r);
  EXPECT_EQ(r->source(), TokenSource::kUserinfo);
  EXPECT_EQ(r->subject(), "u1");
  expectDenied(check(*v, as->userinfoToken({{"sub", "u2"}, {"groups", Json::array({"a"})}})),
               Reason::kClaimRequirement);
  expectDenied(check(*v, "unknown-token"), Reason::kInactive);
  EXPECT_EQ(as->introspectionCalls(), 0);

  auto hinted_away = validator(TokenMode::kAuto, [](ValidatorConfig& c) {
    c.issuers[0].introspection.client_id.clear();
    c.issuers[0].userinfo_fallback = true;
    c.userinfo_issuer_hint = "elsewhere.example";
  });
  expectDenied(check(*hinted_away, token), Reason::kMalformedToken);
}

TEST_F(PipelineTest, ValidateTokenAlone) {
  auto v = validator(TokenMode::kAuto);
  const CheckResult r = v->validateToken(as->jwt({}, std::nullopt));
  expectAllowed(r);
  EXPECT_TRUE(r->certThumbprint().empty());
  expectDenied(v->validateToken(as->jwt({{"exp", clock.unixSeconds() - 1}}, std::nullopt)),
               Reason::kExpired);
}

}  // namespace
}  // namespace gridgate::validator
