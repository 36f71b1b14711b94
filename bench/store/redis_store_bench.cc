// The Redis store beside the SQLite store on the authorization server's hot paths, in one sitting:
// each benchmark runs on SQLite (a file, synchronous FULL), on Redis with AOF `everysec` and on
// Redis with AOF `always` (redis-server started by the benchmark on loopback, in a temp dir).
//
//   build/<dir>/bench/store/redis_store_bench --benchmark_min_time=2
//
// items_per_second counts operations (a create+consume pair is one item). Redis pays a loopback
// round trip per call (about 30-60 us with a script); SQLite FULL pays an fsync per commit.
// Threads share one store (SQLite: one writer; Redis: a pool of 8 connections).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "redis_server.h"
#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::store {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

enum Backend : std::int64_t { kSqliteFull = 0, kRedisEverysec = 1, kRedisAlways = 2 };

const char* labelOf(std::int64_t b) {
  switch (b) {
    case kSqliteFull:
      return "sqlite FULL";
    case kRedisEverysec:
      return "redis aof everysec";
    default:
      return "redis aof always";
  }
}

FakeClock& benchClock() {
  static FakeClock clock(kNow);
  return clock;
}

class BenchStore {
 public:
  explicit BenchStore(std::int64_t backend) {
    if (backend == kSqliteFull) {
      auto opened = openSqlite({.path = dir_.path() / "bench.db"});
      if (!opened) std::abort();
      store_ = *opened;
    } else {
      redis_ = std::make_unique<test::RedisServer>(test::RedisServerOptions{
          .aof = true, .appendfsync = backend == kRedisAlways ? "always" : "everysec"});
      RedisOptions o;
      o.url = redis_->url();
      o.clock = &benchClock();
      auto opened = openRedis(o);
      if (!opened) std::abort();
      store_ = *opened;
    }
    Grant grant;
    grant.id = "g-bench";
    grant.evidence_id = "ev-bench";
    grant.subject = "sub-alice";
    grant.expires_at = kNow + 365 * 86400;
    if (!store_->grants().create(grant)) std::abort();
  }
  ~BenchStore() { store_.reset(); }
  Store& store() { return *store_; }

 private:
  conformance::TempDir dir_;
  std::unique_ptr<test::RedisServer> redis_;
  std::shared_ptr<Store> store_;
};

std::unique_ptr<BenchStore> g_store;
std::atomic<long> g_counter{0};

void setUp(benchmark::State& state) {
  if (state.thread_index() == 0) g_store = std::make_unique<BenchStore>(state.range(0));
}

void tearDown(benchmark::State& state) {
  if (state.thread_index() == 0) g_store.reset();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(labelOf(state.range(0)));
}

std::string uniqueKey(const char* prefix) { return prefix + std::to_string(g_counter++); }

// PAR: the request made at /par, consumed at /authorize.
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
    if (!g_store->store().pars().create(hash, par)) state.SkipWithError("create failed");
    if (!g_store->store().pars().consume(hash, kNow)) state.SkipWithError("consume failed");
  }
  tearDown(state);
}

// What /token writes for authorization_code: redeem the code, the refresh token and the grant's
// token times (the access token is not stored).
void BM_TokenEndpointWrites(benchmark::State& state) {
  setUp(state);
  CodeRecord code;
  code.client_id = "https://client.example/app";
  code.redirect_uri = "https://client.example/cb";
  code.grant_id = "g-bench";
  code.subject = "sub-alice";
  code.created_at = kNow;
  code.expires_at = kNow + 60;
  RefreshRecord refresh;
  refresh.grant_id = "g-bench";
  refresh.client_id = code.client_id;
  refresh.created_at = kNow;
  refresh.expires_at = kNow + 90 * 86400;
  for (auto _ : state) {
    const std::string id = uniqueKey("t-");
    Store& s = g_store->store();
    if (!s.codes().create(id, code)) state.SkipWithError("code create failed");
    auto redeemed = s.codes().redeem(id);
    if (!redeemed || !redeemed->first_use) state.SkipWithError("redeem failed");
    if (!s.grants().find("g-bench")) state.SkipWithError("grant find failed");
    if (!s.refreshTokens().create(id, refresh)) state.SkipWithError("refresh create failed");
    if (!s.grants().recordTokenIssued("g-bench", kNow, kNow + 600)) {
      state.SkipWithError("record failed");
    }
  }
  tearDown(state);
}

// What /introspect reads besides the JWT: whether its jti was revoked, and its grant.
void BM_IntrospectionReads(benchmark::State& state) {
  setUp(state);
  for (auto _ : state) {
    auto revoked = g_store->store().accessTokens().isRevoked("jti-bench");
    auto grant = g_store->store().grants().find("g-bench");
    if (!revoked || *revoked || !grant) state.SkipWithError("find failed");
    benchmark::DoNotOptimize(grant);
  }
  tearDown(state);
}

void BM_ReplayRemember(benchmark::State& state) {
  setUp(state);
  for (auto _ : state) {
    auto fresh = g_store->store().replays().remember(uniqueKey("jti:"), kNow + 60);
    if (!fresh || !*fresh) state.SkipWithError("remember failed");
  }
  tearDown(state);
}

void backends(benchmark::internal::Benchmark* b) {
  b->Arg(kSqliteFull)->Arg(kRedisEverysec)->Arg(kRedisAlways)->UseRealTime();
}

BENCHMARK(BM_ParCreateConsume)->Apply(backends);
BENCHMARK(BM_ParCreateConsume)->Apply(backends)->Threads(4);
BENCHMARK(BM_TokenEndpointWrites)->Apply(backends);
BENCHMARK(BM_TokenEndpointWrites)->Apply(backends)->Threads(4);
BENCHMARK(BM_IntrospectionReads)->Apply(backends);
BENCHMARK(BM_IntrospectionReads)->Apply(backends)->Threads(4);
BENCHMARK(BM_ReplayRemember)->Apply(backends);

}  // namespace
}  // namespace gridgate::store

BENCHMARK_MAIN();
