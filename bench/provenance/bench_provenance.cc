// Provenance record cost: what the resource server pays per data response (build the three
// PERSEUS.md steps + sign + embed) and what a client pays to verify one.
//
//   build/release/bench/provenance/bench_provenance
//
// BM_BuildAndSign: three steps (permission, origin, transfer) encoded, signed (one ECDSA P-256
// signature), origins computed, toJson() for the response. BM_Verify: Record::parse of the text +
// Verifier::verify (chain at signing time, P-384 root and P-256 issuer signatures, one ECDSA
// verify, strict step decoding). Keys and certificates from tests/testdata/provenance/pki.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "provenance/builder.h"
#include "provenance/step.h"
#include "provenance/verifier.h"

namespace gridgate::provenance {
namespace {

std::string readPki(const std::string& name) {
  std::ifstream in(std::string(GRIDGATE_PROVENANCE_PKI) + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Signer& signer() {
  static const Signer s = [] {
    auto made = Signer::fromPem(readPki("edp.key"), readPki("edp.pem") + readPki("issuer.pem"));
    if (!made) std::abort();
    return *made;
  }();
  return s;
}

constexpr std::string_view kScheme = "https://registry.core.trust.ib1.org/scheme/perseus";

Result<Record> buildAndSign(const Clock& clock) {
  RecordBuilder b;
  const std::string scheme(kScheme);
  GG_TRY(std::string permission,
         b.addStep(OrderedJson{{"type", "permission"},
                               {"scheme", scheme},
                               {"timestamp", "2026-01-01T00:00:00Z"},
                               {"account", "a3f1c2d4-1b2c-4d5e-8f90-123456789abc"},
                               {"allows", {{"licences", {scheme + "/licence/x/2024-12-05"}}}},
                               {"expires", "2027-01-01T00:00:00Z"}},
                   clock));
  GG_TRY(std::string origin,
         b.addStep(
             OrderedJson{{"type", "origin"},
                         {"scheme", scheme},
                         {"sourceType", scheme + "/source-type/Meter"},
                         {"origin", "https://www.smartdcc.co.uk/"},
                         {"external", true},
                         {"permissions", {permission}},
                         {"perseus:scheme",
                          {{"meteringPeriod", {{"from", "2026-01-01"}, {"to", "2026-01-02"}}}}},
                         {"perseus:assurance", {{"dataSource", "SmartMeter"}, {"missingData", 0}}}},
             clock));
  GG_TRY(b.addStep(OrderedJson{{"type", "transfer"},
                               {"scheme", scheme},
                               {"of", origin},
                               {"to", "https://directory.core.trust.ib1.org/a/cap"},
                               {"service", "https://api.example/datasources/abc/import"},
                               {"path", "/readings"},
                               {"parameters", {{"measure", "import"}}},
                               {"permissions", {permission}},
                               {"transaction", "4f1c2d7e-9a3b-4c5d-8e6f-0a1b2c3d4e5f"}},
                   clock));
  return b.sign(signer(), clock);
}

FakeClock& clock() {
  static FakeClock c(signer().leaf().notBefore() + 60);
  return c;
}

void BM_BuildAndSign(benchmark::State& state) {
  for (auto _ : state) {
    auto r = buildAndSign(clock());
    if (!r) std::abort();
    benchmark::DoNotOptimize(r->toJson());
  }
}
BENCHMARK(BM_BuildAndSign);

void BM_Verify(benchmark::State& state) {
  auto r = buildAndSign(clock());
  if (!r) std::abort();
  const std::string text = r->serialize();
  auto verifier = Verifier::fromPem(readPki("root.pem"));
  if (!verifier) std::abort();
  for (auto _ : state) {
    auto parsed = Record::parse(text);
    auto v = verifier->verify(*parsed);
    if (!v) std::abort();
    benchmark::DoNotOptimize(v->steps.size());
  }
  state.counters["record_bytes"] = static_cast<double>(text.size());
}
BENCHMARK(BM_Verify);

void BM_DecodeStep(benchmark::State& state) {
  auto r = buildAndSign(clock());
  if (!r) std::abort();
  const std::string step = r->steps().elements[1].step();
  for (auto _ : state) {
    auto s = decodeStep(step);
    if (!s) std::abort();
    benchmark::DoNotOptimize(s->size());
  }
}
BENCHMARK(BM_DecodeStep);

}  // namespace
}  // namespace gridgate::provenance

BENCHMARK_MAIN();
