// Throughput of the SQLite store on the authorization server's hot paths, on a file in a temporary
// directory, with synchronous FULL (the default: fsync per commit) and NORMAL.
//
//   build/<dir>/bench/store/store_bench --benchmark_min_time=2
//
// items_per_second counts operations (a create+consume pair is one item). Set TMPDIR to measure a
// particular disk.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace gridgate::store {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

class BenchDb {
 public:
  explicit BenchDb(Synchronous sync) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "gridgate-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    dir_ = pattern;
    auto opened = openSqlite({.path = dir_ / "bench.db", .synchronous = sync});
    if (!opened) std::abort();
    store_ = *opened;
    Grant grant;
    grant.id = "g-bench";
    grant.evidence_id = "ev-bench";
    grant.expires_at = kNow + 365 * 86400;
    if (!store_->grants().create(grant)) std::abort();
  }
  ~BenchDb() {
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  Store& store() { return *store_; }

 private:
  std::filesystem::path dir_;
  std::shared_ptr<Store> store_;
};

// One database per benchmark run, shared by its threads (set up by thread 0 before the timed loop;
// Google Benchmark starts the loops of all threads together).
std::unique_ptr<BenchDb> g_db;
std::atomic<long> g_counter{0};

Synchronous syncOf(const benchmark::State& state) {
  return state.range(0) == 0 ? Synchronous::kNormal : Synchronous::kFull;
}

void setUp(benchmark::State& state) {
  if (state.thread_index() == 0) g_db = std::make_unique<BenchDb>(syncOf(state));
}

void tearDown(benchmark::State& state) {
  if (state.thread_index() == 0) g_db.reset();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) == 0 ? "sync=NORMAL" : "sync=FULL");
}

std::string uniqueKey(const char* prefix) {
  return prefix + std::to_string(g_counter.fetch_add(1));
}

void BM_ParCreateConsume(benchmark::State& state) {
  setUp(state);
  ParRecord par;
  par.client_id = "https://client.example/app";
  par.redirect_uri = "https://client.example/cb";
  par.scope = "https://licence.example/l1 offline_access";
  par.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  par.created_at = kNow;
  par.expires_at = kNow + 60;
  for (auto _ : state) {
    const std::string hash = uniqueKey("par-");
    if (!g_db->store().pars().create(hash, par)) state.SkipWithError("create failed");
    if (!g_db->store().pars().consume(hash, kNow)) state.SkipWithError("consume failed");
  }
  tearDown(state);
}

void BM_CodeCreateRedeem(benchmark::State& state) {
  setUp(state);
  CodeRecord code;
  code.client_id = "https://client.example/app";
  code.redirect_uri = "https://client.example/cb";
  code.grant_id = "g-bench";
  code.subject = "sub-alice";
  code.created_at = kNow;
  code.expires_at = kNow + 60;
  for (auto _ : state) {
    const std::string hash = uniqueKey("code-");
    if (!g_db->store().codes().create(hash, code)) state.SkipWithError("create failed");
    auto redeemed = g_db->store().codes().redeem(hash);
    if (!redeemed || !redeemed->first_use) state.SkipWithError("redeem failed");
  }
  tearDown(state);
}

void BM_GrantCreate(benchmark::State& state) {
  setUp(state);
  Grant grant;
  grant.client_id = "https://client.example/app";
  grant.subject = "sub-alice";
  grant.scope = "https://licence.example/l1 offline_access";
  grant.granted_at = kNow;
  grant.expires_at = kNow + 365 * 86400;
  for (auto _ : state) {
    grant.id = uniqueKey("grant-");
    grant.evidence_id = "ev-" + grant.id;
    if (!g_db->store().grants().create(grant)) state.SkipWithError("create failed");
  }
  tearDown(state);
}

// Reads go to the pool of WAL reader connections: they scale with threads and never fsync.
void BM_GrantFind(benchmark::State& state) {
  setUp(state);
  for (auto _ : state) {
    auto grant = g_db->store().grants().find("g-bench");
    if (!grant) state.SkipWithError("find failed");
    benchmark::DoNotOptimize(grant);
  }
  tearDown(state);
}

BENCHMARK(BM_ParCreateConsume)->Arg(1)->Arg(0)->UseRealTime();
BENCHMARK(BM_ParCreateConsume)->Arg(1)->Arg(0)->Threads(4)->UseRealTime();
BENCHMARK(BM_CodeCreateRedeem)->Arg(1)->Arg(0)->UseRealTime();
BENCHMARK(BM_GrantCreate)->Arg(1)->Arg(0)->UseRealTime();
BENCHMARK(BM_GrantFind)->Arg(1)->UseRealTime();
BENCHMARK(BM_GrantFind)->Arg(1)->Threads(4)->UseRealTime();

}  // namespace
}  // namespace gridgate::store

BENCHMARK_MAIN();
