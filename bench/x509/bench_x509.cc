// Per-connection and per-request costs of x509 (they report; they never gate CI):
//   build/<dir>/bench/x509/bench_x509 --benchmark_min_time=0.5
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "pki/pki.h"
#include "x509/certificate.h"
#include "x509/forwarded.h"
#include "x509/trust_store.h"

namespace {

using namespace gridgate;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Fixture {
  Fixture() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gridgate-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    now = std::time(nullptr);
    auto r = pki::init(pki::InitOptions{.dir = dir, .durable = false, .now = now});
    if (!r) std::abort();
    const pki::Layout& l = r->layout;
    leaf_pem = slurp(l.client_demo.cert);
    leaf = *x509::Certificate::fromPem(leaf_pem);
    issuer = *x509::Certificate::fromPem(slurp(l.client.issuer));
    trust = *x509::TrustStore::fromPem(slurp(l.client.verify_bundle));
    trust_crl = *x509::TrustStore::fromPem(slurp(l.client.verify_bundle), slurp(l.client.crl));
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (const char ch : leaf_pem) {
      const auto c = static_cast<unsigned char>(ch);
      if (std::isalnum(c) || c == '+' || c == '/' || c == '=' || c == '-') {
        escaped.push_back(ch);
      } else {
        escaped += {'%', kHex[c >> 4], kHex[c & 15]};
      }
    }
  }
  ~Fixture() { std::filesystem::remove_all(dir); }

  std::filesystem::path dir;
  std::int64_t now = 0;
  std::string leaf_pem;
  std::string escaped;
  std::optional<x509::Certificate> leaf;
  std::optional<x509::Certificate> issuer;
  std::optional<x509::TrustStore> trust;
  std::optional<x509::TrustStore> trust_crl;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_FromDer(benchmark::State& state) {
  const Bytes& der = fixture().leaf->der();
  for (auto _ : state) benchmark::DoNotOptimize(x509::Certificate::fromDer(der));
}
BENCHMARK(BM_FromDer);

void BM_Adopt(benchmark::State& state) {
  X509* x = fixture().leaf->raw();
  for (auto _ : state) benchmark::DoNotOptimize(x509::Certificate::adopt(x));
}
BENCHMARK(BM_Adopt);

void BM_PerRequestReads(benchmark::State& state) {
  const x509::Certificate& c = *fixture().leaf;
  for (auto _ : state) {
    benchmark::DoNotOptimize(c.thumbprint());
    benchmark::DoNotOptimize(c.hasIb1Role(
        "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider"));
    benchmark::DoNotOptimize(c.applicationUri());
  }
}
BENCHMARK(BM_PerRequestReads);

void BM_ForwardedUrlEncodedPem(benchmark::State& state) {
  const std::string& v = fixture().escaped;
  for (auto _ : state) {
    benchmark::DoNotOptimize(decodeForwardedCert(x509::ForwardedFormat::kUrlEncodedPem, v));
  }
}
BENCHMARK(BM_ForwardedUrlEncodedPem);

void BM_VerifyChain(benchmark::State& state) {
  Fixture& f = fixture();
  const bool crl = state.range(0) != 0;
  const x509::TrustStore& trust = crl ? *f.trust_crl : *f.trust;
  const x509::VerifyOptions options{
      .at_time = f.now, .check_crl = crl, .purpose = x509::Purpose::kClientAuth};
  for (auto _ : state) {
    if (!x509::verifyChain(*f.leaf, {}, trust, options)) state.SkipWithError("verify failed");
  }
}
BENCHMARK(BM_VerifyChain)->Arg(0)->Arg(1);

void BM_PkiInit(benchmark::State& state) {
  for (auto _ : state) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gridgate-bench-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    auto r = pki::init(pki::InitOptions{.dir = tmpl, .durable = false, .now = fixture().now});
    if (!r) state.SkipWithError("init failed");
    std::filesystem::remove_all(tmpl);
  }
}
BENCHMARK(BM_PkiInit)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
