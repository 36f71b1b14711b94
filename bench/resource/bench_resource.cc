// Where a readings response spends its CPU: generating 48 half-hourly values, writing their JSON,
// building and signing the provenance record (ES256 over the three steps), and the whole handler;
// beside the cheap /datasources handler. They report; they never gate CI.
//
//   build/resource-release/bench/resource/resource_micro_bench
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/clock.h"
#include "pki/files.h"
#include "pki/pki.h"
#include "resource/api.h"
#include "resource/config.h"
#include "resource/generator.h"
#include "resource/openapi.h"
#include "resource/period.h"
#include "resource/provenance_record.h"

namespace {

using namespace gridgate;
using namespace gridgate::resource;

const std::int64_t kDay = *parseDate("2024-06-21");

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("gridgate-resource-bench-" + randomName());
    auto init = pki::init(
        {.dir = dir, .durable = false, .now = SystemClock::instance().unixSeconds() - 3600});
    if (!init) std::abort();
    const auto& f = init->layout.signing_provider;
    auto s = provenance::Signer::fromPem(*pki::readFile(f.key), *pki::readFile(f.bundle));
    if (!s) std::abort();
    signer = std::make_shared<const provenance::Signer>(std::move(*s));
    records = std::make_shared<const RecordFactory>(ProvenanceSettings{}, signer);
    api = std::make_unique<ResourceApi>(ApiSettings{.base_url = "https://api.example",
                                                    .max_period_days = 366,
                                                    .openapi_json = openApiDocument({})},
                                        std::make_shared<const Dataset>(Dataset::builtIn()),
                                        records, nullptr, SystemClock::instance());
    period = *parsePeriod("from=2024-06-21&to=2024-06-21", 366);
  }
  ~Fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  static std::string randomName() { return std::to_string(::getpid()); }

  std::filesystem::path dir;
  std::shared_ptr<const provenance::Signer> signer;
  std::shared_ptr<const RecordFactory> records;
  std::unique_ptr<ResourceApi> api;
  Period period;
  Caller caller{.client_id = "https://directory.core.trust.ib1.org/a/demo-accounting",
                .permission = {.account = "user-1",
                               .licence = std::string(kPerseusLicence),
                               .granted_at = kDay - 86400,
                               .expires_at = kDay + 300 * 86400}};
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Generate48(benchmark::State& state) {
  const GeneratedSource s(GeneratorParams{.seed = 1, .solar_kwp = 3.6});
  std::vector<Reading> out;
  for (auto _ : state) {
    out.clear();
    s.readings(Measure::kImport, kDay, kDay + kDaySeconds, out);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Generate48);

void BM_ReadingsJson48(benchmark::State& state) {
  const GeneratedSource s(GeneratorParams{.seed = 1});
  std::vector<Reading> readings;
  s.readings(Measure::kImport, kDay, kDay + kDaySeconds, readings);
  for (auto _ : state) {
    std::string out;
    appendReadingsJson(out, readings);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_ReadingsJson48);

void BM_ProvenanceRecordSigned(benchmark::State& state) {
  Fixture& f = fixture();
  const TransferFacts t{.to = f.caller.client_id,
                        .service = "https://api.example/datasources/abcd1234/import",
                        .measure = Measure::kImport,
                        .period = &f.period,
                        .transaction = "6f0c5a1e-1b2c-4d3e-8f90-0123456789ab"};
  for (auto _ : state) {
    auto r = f.records->make(f.caller.permission, t, SystemClock::instance());
    std::string s = r->serialize();
    benchmark::DoNotOptimize(s.data());
  }
}
BENCHMARK(BM_ProvenanceRecordSigned);

void BM_ReadingsHandlerOneDay(benchmark::State& state) {
  Fixture& f = fixture();
  net::Request req;
  req.params.add("id", "efgh5678");
  req.params.add("measure", "import");
  req.query = "from=2024-06-21&to=2024-06-21";
  req.interaction_id = "6f0c5a1e-1b2c-4d3e-8f90-0123456789ab";
  for (auto _ : state) {
    net::Response r = f.api->readings(req, f.caller);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_ReadingsHandlerOneDay);

void BM_DatasourcesHandler(benchmark::State& state) {
  Fixture& f = fixture();
  const net::Request req;
  for (auto _ : state) {
    net::Response r = f.api->datasources(req, f.caller);
    benchmark::DoNotOptimize(r.body.data());
  }
}
BENCHMARK(BM_DatasourcesHandler);

}  // namespace

BENCHMARK_MAIN();
