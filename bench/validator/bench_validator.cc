// The validator's hot paths, on one core, without a network: the issuer's discovery document,
// JWKS and introspection answers come from an in-memory Fetcher (what a real issuer would answer;
// the network is not what is measured here).
//
//   runCached/jwt|introspection        whole check(): bearer header, SHA-256 of the token, cache
//                                      hit, liveness, cnf binding, licence scope. Target < 2 µs.
//   BM_UncachedJwt                     whole check() with the cache off: ES256 JWT verified on
//                                      every call. Target >= 85 % of `openssl speed ecdsap256`.
//   BM_DistinctJwts                    whole check(), cache on, every token new (cache inserts).
//   BM_RawEs256Verify                  EVP_PKEY_verify of a SHA-256 digest with a reused
//                                      context: what `openssl speed ecdsap256` measures.
//   BM_HashToken, BM_ExtractBearer      the pieces of the cached path.
//
// bench/validator/compare_openssl.sh runs these beside `openssl speed` in the same sitting.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "validator/bearer.h"
#include "validator/fetcher.h"
#include "validator/validator.h"
#include "x509/certificate.h"

namespace {

using namespace gridgate;
using namespace gridgate::validator;

constexpr const char* kIssuer = "https://as.bench.example";
constexpr const char* kAudience = "https://rs.bench.example";
constexpr const char* kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
const std::string kThumbprint = "replaced-by-the-certificate-thumbprint";

class MemoryFetcher final : public Fetcher {
 public:
  std::string jwks;
  std::string introspection;
  Result<FetchResponse> fetch(const FetchRequest& req) override {
    if (req.url.ends_with("/.well-known/oauth-authorization-server")) {
      return FetchResponse{
          200, "application/json",
          dumpJson(Json{{"issuer", kIssuer},
                        {"jwks_uri", std::string(kIssuer) + "/jwks"},
                        {"introspection_endpoint", std::string(kIssuer) + "/introspect"}})};
    }
    if (req.url.ends_with("/jwks")) return FetchResponse{200, "application/json", jwks};
    if (req.url.ends_with("/introspect"))
      return FetchResponse{200, "application/json", introspection};
    return FetchResponse{404, "", ""};
  }
};

struct Fixture {
  jose::Signer signer;
  std::shared_ptr<MemoryFetcher> fetcher = std::make_shared<MemoryFetcher>();
  crypto::PKey key;

  Fixture() : signer(makeSigner()) {
    auto set = jose::Jwks::fromKeys({*signer.jwk().publicOnly()});
    fetcher->jwks = dumpJson(set->toPublicJson());
  }
  static jose::Signer makeSigner() {
    auto key = crypto::PKey::generate(crypto::KeyType::kEcP256);
    return *jose::Signer::create(jose::Alg::kES256,
                                 *jose::Jwk::fromKey(*key, "bench-key", jose::Alg::kES256));
  }
  Json claims() const {
    const std::int64_t now = SystemClock::instance().unixSeconds();
    return Json{{"iss", kIssuer},
                {"aud", kAudience},
                {"sub", "b7b1c3b2-6a6f-4d1e-9c2a-0f1e2d3c4b5a"},
                {"client_id", "https://directory.core.trust.ib1.org/a/demo-accounting"},
                {"iat", now},
                {"exp", now + 600},
                {"jti", randomToken(16)},
                {"scope", std::string(kLicence) + " offline_access"},
                {"grant_id", randomToken(16)},
                {"cnf", Json{{"x5t#S256", kThumbprint}}}};
  }
  std::string token() const { return *jose::signJwt(signer, claims(), "at+jwt"); }
  std::shared_ptr<Validator> validator(TokenMode mode, std::int64_t ttl) const {
    ValidatorConfig c;
    IssuerConfig& is = c.issuers.emplace_back();
    is.issuer = kIssuer;
    is.audiences = {kAudience};
    is.mode = mode;
    is.introspection.client_id = "https://directory.core.trust.ib1.org/a/provider";
    is.introspection.method = ClientAuth::kClientSecretBasic;
    is.introspection.client_secret = "secret";
    c.cache.ttl_seconds = ttl;
    auto v = Validator::create(std::move(c), {.fetcher = fetcher});
    if (!v) std::abort();
    return *v;
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

// The client certificate: any parsed certificate works as long as the token's cnf names its
// thumbprint (computed once when the certificate is parsed, as per TLS connection in a server).
x509::Certificate selfSigned() {
  using namespace gridgate::crypto;
  auto key = PKey::generate(KeyType::kEcP256);
  X509Ptr x(X509_new());
  X509_set_version(x.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 86400);
  X509_set_pubkey(x.get(), key->raw());
  X509_NAME* name = X509_get_subject_name(x.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("bench"), -1, -1, 0);
  X509_set_issuer_name(x.get(), name);
  X509_sign(x.get(), key->raw(), EVP_sha256());
  return x509::Certificate::adopt(x.get());
}

void runCached(benchmark::State& state, TokenMode mode) {
  Fixture& f = fixture();
  const x509::Certificate cert = selfSigned();
  Json claims = f.claims();
  claims["cnf"]["x5t#S256"] = cert.thumbprint();
  std::string token;
  if (mode == TokenMode::kJwt) {
    token = *jose::signJwt(f.signer, claims, "at+jwt");
  } else {
    token = randomToken(32);
    claims["active"] = true;
    f.fetcher->introspection = dumpJson(claims);
  }
  auto v = f.validator(mode, 60);
  RouteRequirements route;
  route.require(Requirement::scopes({kLicence}));
  const std::string header = "Bearer " + token;
  const std::string_view auth[] = {header};
  RequestView view;
  view.authorization = auth;
  view.client_cert = &cert;
  if (!v->check(view, route)) state.SkipWithError("first check failed");
  for (auto _ : state) {
    CheckResult r = v->check(view, route, IoPolicy::kForbid);
    benchmark::DoNotOptimize(r);
    if (!r) state.SkipWithError("check failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(token.size()) + "-byte token");
}
BENCHMARK_CAPTURE(runCached, jwt, TokenMode::kJwt);
BENCHMARK_CAPTURE(runCached, introspection, TokenMode::kIntrospection);

void BM_UncachedJwt(benchmark::State& state) {
  Fixture& f = fixture();
  const x509::Certificate cert = selfSigned();
  Json claims = f.claims();
  claims["cnf"]["x5t#S256"] = cert.thumbprint();
  const std::string token = *jose::signJwt(f.signer, claims, "at+jwt");
  auto v = f.validator(TokenMode::kJwt, -1);
  RouteRequirements route;
  route.require(Requirement::scopes({kLicence}));
  const std::string header = "Bearer " + token;
  const std::string_view auth[] = {header};
  RequestView view;
  view.authorization = auth;
  view.client_cert = &cert;
  if (!v->check(view, route)) state.SkipWithError("first check failed");
  for (auto _ : state) {
    CheckResult r = v->check(view, route, IoPolicy::kForbid);
    benchmark::DoNotOptimize(r);
    if (!r) state.SkipWithError("check failed");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(token.size()) + "-byte token");
}
BENCHMARK(BM_UncachedJwt);

void BM_DistinctJwts(benchmark::State& state) {
  Fixture& f = fixture();
  const x509::Certificate cert = selfSigned();
  std::vector<std::string> headers;
  for (int i = 0; i < 4096; ++i) {
    Json claims = f.claims();
    claims["cnf"]["x5t#S256"] = cert.thumbprint();
    headers.push_back("Bearer " + *jose::signJwt(f.signer, claims, "at+jwt"));
  }
  auto v = f.validator(TokenMode::kJwt, 60);
  (void)v->warmUp();
  RouteRequirements route;
  route.require(Requirement::scopes({kLicence}));
  std::size_t i = 0;
  for (auto _ : state) {
    // Each token once: every iteration misses the cache and inserts.
    const std::string_view auth[] = {headers[i++ % headers.size()]};
    if (i % headers.size() == 0) {
      state.PauseTiming();
      v = f.validator(TokenMode::kJwt, 60);
      (void)v->warmUp();
      state.ResumeTiming();
    }
    RequestView view;
    view.authorization = auth;
    view.client_cert = &cert;
    CheckResult r = v->check(view, route, IoPolicy::kForbid);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DistinctJwts);

void BM_RawEs256Verify(benchmark::State& state) {
  using namespace gridgate::crypto;
  auto key = PKey::generate(KeyType::kEcP256);
  const Sha256 digest = sha256("what openssl speed verifies: a precomputed digest");
  PKeyCtxPtr sctx(EVP_PKEY_CTX_new(key->raw(), nullptr));
  EVP_PKEY_sign_init(sctx.get());
  unsigned char sig[80];
  std::size_t sig_len = sizeof sig;
  EVP_PKEY_sign(sctx.get(), sig, &sig_len, digest.data(), digest.size());
  PKeyCtxPtr vctx(EVP_PKEY_CTX_new(key->raw(), nullptr));
  EVP_PKEY_verify_init(vctx.get());
  for (auto _ : state) {
    const int ok = EVP_PKEY_verify(vctx.get(), sig, sig_len, digest.data(), digest.size());
    benchmark::DoNotOptimize(ok);
    if (ok != 1) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RawEs256Verify);

// The pieces of an uncached JWT check, for the breakdown in docs/PERFORMANCE.md.
void BM_JwsParse(benchmark::State& state) {
  const std::string token = fixture().token();
  for (auto _ : state) benchmark::DoNotOptimize(jose::Jws::parse(token));
}
BENCHMARK(BM_JwsParse);

void BM_JoseVerifyParsed(benchmark::State& state) {
  Fixture& f = fixture();
  const auto jws = jose::Jws::parse(f.token());
  auto verifier = jose::Verifier::Builder().allow(jose::Alg::kES256, f.signer.jwk()).build();
  for (auto _ : state) {
    const Status st = verifier->verify(*jws);
    benchmark::DoNotOptimize(st);
    if (!st) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JoseVerifyParsed);

void BM_ClaimsToRecord(benchmark::State& state) {
  const auto jws = jose::Jws::parse(fixture().token());
  for (auto _ : state) {
    benchmark::DoNotOptimize(recordFromPayload(jws->payload(), TokenSource::kJwt));
  }
}
BENCHMARK(BM_ClaimsToRecord);

void BM_PooledCtxVerify(benchmark::State& state) {
  using namespace gridgate::crypto;
  Fixture& f = fixture();
  const auto jws = jose::Jws::parse(f.token());
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  PKeyCtxPtr vctx(EVP_PKEY_CTX_new_from_pkey(nullptr, f.signer.jwk().key().raw(), nullptr));
  EVP_PKEY_verify_init(vctx.get());
  EVP_PKEY_CTX_set_signature_md(vctx.get(), md);
  for (auto _ : state) {
    unsigned char digest[32];
    unsigned int len = 0;
    const auto in = jws->signingInput();
    EVP_Digest(in.data(), in.size(), digest, &len, md, nullptr);
    auto der = ecdsaRawToDer(jws->signature(), 32);
    const int ok = EVP_PKEY_verify(vctx.get(), der->data(), der->size(), digest, 32);
    benchmark::DoNotOptimize(ok);
    if (ok != 1) state.SkipWithError("verify failed");
  }
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PooledCtxVerify);

void BM_NewCtxVerify(benchmark::State& state) {
  using namespace gridgate::crypto;
  Fixture& f = fixture();
  const auto jws = jose::Jws::parse(f.token());
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  for (auto _ : state) {
    PKeyCtxPtr vctx(EVP_PKEY_CTX_new_from_pkey(nullptr, f.signer.jwk().key().raw(), nullptr));
    EVP_PKEY_verify_init(vctx.get());
    unsigned char digest[32];
    unsigned int len = 0;
    const auto in = jws->signingInput();
    EVP_Digest(in.data(), in.size(), digest, &len, md, nullptr);
    auto der = ecdsaRawToDer(jws->signature(), 32);
    const int ok = EVP_PKEY_verify(vctx.get(), der->data(), der->size(), digest, 32);
    benchmark::DoNotOptimize(ok);
    if (ok != 1) state.SkipWithError("verify failed");
  }
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NewCtxVerify);

void BM_ParseClaimsOnly(benchmark::State& state) {
  const auto jws = jose::Jws::parse(fixture().token());
  for (auto _ : state) {
    benchmark::DoNotOptimize(parseJsonObject(jws->payload(), jose::JwtClaims::kDefaultLimits));
  }
}
BENCHMARK(BM_ParseClaimsOnly);

void BM_NlohmannParse(benchmark::State& state) {
  const auto jws = jose::Jws::parse(fixture().token());
  for (auto _ : state) {
    benchmark::DoNotOptimize(Json::parse(jws->payload(), nullptr, false));
  }
}
BENCHMARK(BM_NlohmannParse);

void BM_HashToken(benchmark::State& state) {
  const std::string token = fixture().token();
  for (auto _ : state) benchmark::DoNotOptimize(hashToken(token));
  state.SetLabel(std::to_string(token.size()) + " bytes");
}
BENCHMARK(BM_HashToken);

void BM_ExtractBearer(benchmark::State& state) {
  const std::string header = "Bearer " + fixture().token();
  const std::string_view auth[] = {header};
  RequestView view;
  view.authorization = auth;
  for (auto _ : state) benchmark::DoNotOptimize(extractBearer(view));
}
BENCHMARK(BM_ExtractBearer);

}  // namespace

BENCHMARK_MAIN();
