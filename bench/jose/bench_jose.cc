// JWS verify/sign throughput per algorithm, keys imported once (as a server holds them).
//
//   build/release/bench/jose/bench_jose --benchmark_filter=Verify
//   bench/jose/compare_openssl.sh        # the same beside `openssl speed`, with ratios
//
// BM_Verify is the per-request cost: Jws::parse of the compact token + Verifier::verify.
// BM_VerifyParsed leaves out the parse; BM_VerifyJwt adds claims parsing and validation.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>

#include "core/base64.h"
#include "core/clock.h"
#include "crypto/digest.h"
#include "jose/jwt.h"

namespace gridgate::jose {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

// A realistic RFC 9068 access token body (about 330 bytes).
Json accessTokenClaims() {
  return Json{{"iss", "https://as.example"},
              {"aud", "https://rs.example"},
              {"sub", "a3f1c2d4-1b2c-4d5e-8f90-123456789abc"},
              {"client_id", "https://directory.example/clients/12345"},
              {"iat", kNow},
              {"exp", kNow + 300},
              {"jti", "b2f0e1a7-9c3d-4e5f-a6b7-c8d9e0f1a2b3"},
              {"scope", "meter:read account"},
              {"cnf", {{"x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}}};
}

crypto::KeyType keyType(Alg alg) { return algKeyType(alg); }

struct Fixture {
  std::unique_ptr<Verifier> verifier;
  std::unique_ptr<Signer> signer;
  std::string token;
};

[[noreturn]] void die(const Error& e) {
  std::fprintf(stderr, "bench setup failed: %s\n", e.detail.c_str());
  std::abort();
}

template <class T>
T must(Result<T> r) {
  if (!r) die(r.error());
  return std::move(*r);
}

// One fixture per algorithm, built once per process.
const Fixture& fixture(Alg alg) {
  static std::map<Alg, Fixture> cache;
  auto it = cache.find(alg);
  if (it != cache.end()) return it->second;
  Fixture f;
  const Jwk key = must(Jwk::fromKey(must(crypto::PKey::generate(keyType(alg))), "k1"));
  f.verifier = std::make_unique<Verifier>(must(Verifier::Builder().allow(alg, key).build()));
  const std::string payload = dumpJson(accessTokenClaims());
  if (alg == Alg::kRS256) {  // verify-only: signed through crypto directly
    const std::string input =
        base64urlEncode(asBytes(R"({"alg":"RS256","kid":"k1","typ":"at+jwt"})")) + "." +
        base64urlEncode(asBytes(payload));
    const Bytes sig = must(crypto::sign(key.key(), algScheme(alg), asBytes(input)));
    f.token = input + "." + base64urlEncode(sig);
  } else {
    f.signer = std::make_unique<Signer>(must(Signer::create(alg, key)));
    f.token = must(signJwt(*f.signer, accessTokenClaims(), "at+jwt"));
  }
  return cache.emplace(alg, std::move(f)).first->second;
}

void BM_Verify(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  for (auto _ : state) {
    auto jws = Jws::parse(f.token);
    if (!jws || !f.verifier->verify(*jws)) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(jws);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyParsed(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  const Jws jws = must(Jws::parse(f.token));
  for (auto _ : state) {
    auto st = f.verifier->verify(jws);
    if (!st) state.SkipWithError("verify failed");
    benchmark::DoNotOptimize(st);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyJwt(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  const FakeClock clock(kNow + 10);
  const ClaimRules rules = ClaimRules::accessToken("https://as.example", "https://rs.example");
  for (auto _ : state) {
    auto jwt = verifyJwt(f.token, *f.verifier, rules, clock);
    if (!jwt) state.SkipWithError("verifyJwt failed");
    benchmark::DoNotOptimize(jwt);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sign(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  const Json claims = accessTokenClaims();
  for (auto _ : state) {
    auto token = signJwt(*f.signer, claims, "at+jwt");
    if (!token) state.SkipWithError("sign failed");
    benchmark::DoNotOptimize(token);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Parse(benchmark::State& state) {
  const Fixture& f = fixture(Alg::kES256);
  for (auto _ : state) {
    auto jws = Jws::parse(f.token);
    benchmark::DoNotOptimize(jws);
  }
  state.SetItemsProcessed(state.iterations());
}

// The pieces of an ES256 verification besides the public-key operation itself.
void BM_EcdsaRawToDer(benchmark::State& state) {
  const Jws jws = must(Jws::parse(fixture(Alg::kES256).token));
  for (auto _ : state) {
    auto der = crypto::ecdsaRawToDer(jws.signature(), 32);
    benchmark::DoNotOptimize(der);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Sha256SigningInput(benchmark::State& state) {
  const Jws jws = must(Jws::parse(fixture(Alg::kES256).token));
  for (auto _ : state) {
    auto h = crypto::sha256(jws.signingInput());
    benchmark::DoNotOptimize(h);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ClaimsParseValidate(benchmark::State& state) {
  const Jws jws = must(Jws::parse(fixture(Alg::kES256).token));
  const FakeClock clock(kNow + 10);
  const ClaimRules rules = ClaimRules::accessToken("https://as.example", "https://rs.example");
  for (auto _ : state) {
    auto claims = JwtClaims::parse(jws.payload());
    if (!claims || !validate(jws, *claims, rules, clock)) state.SkipWithError("claims failed");
    benchmark::DoNotOptimize(claims);
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_CAPTURE(BM_Verify, ES256, Alg::kES256);
BENCHMARK_CAPTURE(BM_Verify, ES384, Alg::kES384);
BENCHMARK_CAPTURE(BM_Verify, PS256, Alg::kPS256);
BENCHMARK_CAPTURE(BM_Verify, EdDSA, Alg::kEdDSA);
BENCHMARK_CAPTURE(BM_Verify, RS256, Alg::kRS256);
BENCHMARK_CAPTURE(BM_VerifyParsed, ES256, Alg::kES256);
BENCHMARK_CAPTURE(BM_VerifyParsed, EdDSA, Alg::kEdDSA);
BENCHMARK_CAPTURE(BM_VerifyParsed, RS256, Alg::kRS256);
BENCHMARK_CAPTURE(BM_VerifyJwt, ES256, Alg::kES256);
BENCHMARK_CAPTURE(BM_Sign, ES256, Alg::kES256);
BENCHMARK_CAPTURE(BM_Sign, ES384, Alg::kES384);
BENCHMARK_CAPTURE(BM_Sign, PS256, Alg::kPS256);
BENCHMARK_CAPTURE(BM_Sign, EdDSA, Alg::kEdDSA);
BENCHMARK(BM_Parse);
BENCHMARK(BM_ClaimsParseValidate);
BENCHMARK(BM_EcdsaRawToDer);
BENCHMARK(BM_Sha256SigningInput);

}  // namespace
}  // namespace gridgate::jose

BENCHMARK_MAIN();
