// The conformance suite on Redis (over TCP with a password, over a Unix socket in database 3, and
// with AOF `always` where reopen() kills -9 and restarts redis-server), and what only the Redis
// store promises: TTLs on every key but the durable records, the key layout of docs/redis.md,
// outage behaviour (down, frozen, restarted: kUnavailable quickly, never a wrong answer, back by
// itself), the script cache being flushed, the eviction-policy check, acknowledged writes
// surviving kill -9 of redis-server, and single use across two store instances.
#include "store/redis/redis_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "free_port.h"  // tests/net
#include "redis_server.h"
#include "store_conformance.h"

namespace gridgate::store {
namespace {

using conformance::BackendParam;
using conformance::StoreBackend;
using conformance::StoreConformanceTest;
using test::RedisServer;
using test::RedisServerOptions;
using namespace std::chrono_literals;

constexpr std::int64_t kNow = 1'700'000'000;  // the conformance suite's time
constexpr const char* kPassword = "conformance-secret";

// The records' times are the suite's (2023): TTLs are computed against the same fake time.
FakeClock& suiteClock() {
  static FakeClock clock(kNow);
  return clock;
}

// One password-protected server (TCP and a Unix socket) for the suite; a key prefix per test
// keeps tests apart (and exercises key_prefix).
RedisServer& sharedServer() {
  static RedisServer server(RedisServerOptions{.password = kPassword, .unix_socket = true});
  return server;
}

std::string nextPrefix() {
  static std::atomic<int> n{0};
  return "t" + std::to_string(n.fetch_add(1)) + ":";
}

class RedisBackend final : public StoreBackend {
 public:
  explicit RedisBackend(bool unix_socket) {
    RedisServer& server = sharedServer();
    if (unix_socket) {
      options_.url = "unix://" + server.socketPath().string() + "?db=3";
      options_.password = kPassword;
    } else {
      options_.url = server.url();
    }
    options_.key_prefix = nextPrefix();
    options_.clock = &suiteClock();
  }
  Result<std::shared_ptr<Store>> open() override { return openRedis(options_); }
  bool durable() const override { return true; }
  Result<std::shared_ptr<Store>> reopen() override { return openRedis(options_); }

 private:
  RedisOptions options_;
};

// reopen() is a crash of redis-server (SIGKILL) and a restart from its append-only file.
class RedisAofRestartBackend final : public StoreBackend {
 public:
  RedisAofRestartBackend() : server_(RedisServerOptions{.aof = true, .appendfsync = "always"}) {
    options_.url = server_.url();
    options_.clock = &suiteClock();
  }
  Result<std::shared_ptr<Store>> open() override { return openRedis(options_); }
  bool durable() const override { return true; }
  Result<std::shared_ptr<Store>> reopen() override {
    server_.kill9();
    if (!server_.start()) return fail(Errc::kUnavailable, "redis-server did not restart");
    return openRedis(options_);
  }

 private:
  RedisServer server_;
  RedisOptions options_;
};

INSTANTIATE_TEST_SUITE_P(
    Redis, StoreConformanceTest,
    ::testing::Values(BackendParam{"tcp", [] { return std::make_unique<RedisBackend>(false); }},
                      BackendParam{"unix_db3", [] { return std::make_unique<RedisBackend>(true); }},
                      BackendParam{"aof_always_kill9",
                                   [] { return std::make_unique<RedisAofRestartBackend>(); }}),
    conformance::backendName);

#define ASSERT_OK(expr)                                                              \
  do {                                                                               \
    auto gg_status = (expr);                                                         \
    ASSERT_TRUE(gg_status.has_value()) << #expr << ": " << gg_status.error().detail; \
  } while (false)

Grant grant(const std::string& id, std::int64_t expires_at = kNow + 86400) {
  return Grant{.id = id,
               .evidence_id = "ev-" + id,
               .client_id = "https://client.example/app",
               .subject = "sub-alice",
               .scope = "s",
               .authorization_details = "",
               .granted_at = kNow,
               .expires_at = expires_at,
               .data_available_from = 0,
               .token_issued_at = 0,
               .token_expires_at = 0,
               .revoked_at = std::nullopt};
}

ParRecord par(std::int64_t expires_at) {
  ParRecord r;
  r.client_id = "c";
  r.redirect_uri = "https://client.example/cb";
  r.created_at = kNow;
  r.expires_at = expires_at;
  return r;
}

OutboxMessage message() {
  OutboxMessage m;
  m.client_id = "c";
  m.url = "https://client.example/messages";
  m.body = "{}";
  m.created_at = kNow;
  m.next_attempt_at = kNow;
  return m;
}

RedisOptions optionsFor(const RedisServer& server, const std::string& prefix = "gg:") {
  RedisOptions o;
  o.url = server.url();
  o.key_prefix = prefix;
  o.clock = &suiteClock();
  return o;
}

std::vector<std::string> keysOf(const RedisServer& server, const std::string& prefix) {
  auto r = server.command({"KEYS", prefix + "*"});
  std::vector<std::string> out;
  if (!r) return out;
  for (std::size_t i = 0; i < r->view().size(); ++i) out.emplace_back(r->view()[i].str());
  return out;
}

std::int64_t pttl(const RedisServer& server, const std::string& key) {
  auto r = server.command({"PTTL", key});
  return r ? r->view().integer() : -3;
}

// ------------------------------------------------------------------------------------------------
// Key layout and TTLs

TEST(RedisStoreTest, EveryKeyExpiresExceptDurableRecords) {
  RedisServer server;
  RedisOptions o = optionsFor(server);
  o.expired_retention = Seconds(600);
  auto db = openRedis(o);
  ASSERT_TRUE(db) << db.error().detail;
  Store& s = **db;
  ASSERT_OK(s.grants().create(grant("g1")));
  ASSERT_OK(s.pars().create("par1", par(kNow + 90)));
  CodeRecord code;
  code.grant_id = "g1";
  code.expires_at = kNow + 60;
  ASSERT_OK(s.codes().create("code1", code));
  RefreshRecord refresh;
  refresh.grant_id = "g1";
  refresh.expires_at = kNow + 90 * 86400;
  ASSERT_OK(s.refreshTokens().create("rt1", refresh));
  ASSERT_OK(s.accessTokens().revoke(AccessTokenRecord{.jti = "jti1",
                                                      .grant_id = "g1",
                                                      .client_id = "c",
                                                      .issued_at = kNow,
                                                      .expires_at = kNow + 300,
                                                      .revoked = false}));
  ASSERT_OK(s.sessions().create("sess1", Session{"sub-alice", kNow, kNow + 3600}));
  ASSERT_OK(s.replays().remember("jti:x", kNow + 120));
  ASSERT_OK(s.users().create(User{"alice", "sub-alice", "$argon2id$x", "Alice", kNow}));
  ASSERT_OK(s.keys().add(SigningKey{"kid1", "ES256", "pem", kNow, kNow, std::nullopt}));
  ASSERT_OK(s.outbox().enqueue(message()));

  // The durable records and their indexes (docs/redis.md) have no TTL; everything else has one.
  const std::set<std::string> durable = {"gg:grant:g1",
                                         "gg:grant-evidence:ev-g1",
                                         "gg:grants-by-subject:sub-alice",
                                         "gg:grants-by-expiry",
                                         "gg:user:alice",
                                         "gg:user-subject:sub-alice",
                                         "gg:users",
                                         "gg:key:kid1",
                                         "gg:keys",
                                         "gg:outbox:1",
                                         "gg:outbox-seq",
                                         "gg:outbox-pending"};
  // Expected TTL of each expiring key: remaining life + retention (600 s).
  const std::map<std::string, std::int64_t> expiring = {
      {"gg:par:par1", 90 + 600},
      {"gg:code:code1", 60 + 600},
      {"gg:refresh:rt1", 90 * 86400 + 600},
      {"gg:access:jti1", 300 + 600},
      {"gg:session:sess1", 3600 + 600},
      {"gg:replay:jti:x", 120 + 600},
      {"gg:expiry:par", 90 + 600},
      {"gg:expiry:code", 60 + 600},
      {"gg:expiry:refresh", 90 * 86400 + 600},
      {"gg:expiry:access", 300 + 600},
      {"gg:expiry:session", 3600 + 600},
      {"gg:expiry:replay", 120 + 600},
      {"gg:grant-code:g1", 60 + 600},
      {"gg:grant-refresh:g1", 90 * 86400 + 600},
      {"gg:grant-access:g1", 300 + 600},
  };
  std::set<std::string> seen;
  for (const std::string& key : keysOf(server, "gg:")) {
    seen.insert(key);
    const std::int64_t ttl = pttl(server, key);
    if (durable.count(key) != 0) {
      EXPECT_EQ(ttl, -1) << key << " is durable";
      continue;
    }
    auto it = expiring.find(key);
    ASSERT_NE(it, expiring.end()) << "unexpected key " << key;
    EXPECT_GT(ttl, (it->second - 5) * 1000) << key;
    EXPECT_LE(ttl, it->second * 1000) << key;
  }
  EXPECT_EQ(seen.size(), durable.size() + expiring.size());
}

TEST(RedisStoreTest, AlreadyExpiredRecordsLiveForTheRetentionOnly) {
  RedisServer server;
  RedisOptions o = optionsFor(server);
  o.expired_retention = Seconds(30);
  auto db = openRedis(o);
  ASSERT_TRUE(db) << db.error().detail;
  ASSERT_OK((*db)->pars().create("old", par(kNow - 3600)));
  const std::int64_t ttl = pttl(server, "gg:par:old");
  EXPECT_GT(ttl, 25'000);
  EXPECT_LE(ttl, 30'000);
}

TEST(RedisStoreTest, IndexTtlGrowsWithItsLongestMember) {
  RedisServer server;
  auto db = openRedis(optionsFor(server));
  ASSERT_TRUE(db) << db.error().detail;
  ASSERT_OK((*db)->pars().create("long", par(kNow + 7200)));
  ASSERT_OK((*db)->pars().create("short", par(kNow + 60)));
  // The short one did not shorten the index: it covers the long one.
  EXPECT_GT(pttl(server, "gg:expiry:par"), (7200 + 3600 - 5) * 1000);
}

TEST(RedisStoreTest, PrefixesSeparateDeployments) {
  RedisServer server;
  auto a = openRedis(optionsFor(server, "a:"));
  auto b = openRedis(optionsFor(server, "b:"));
  ASSERT_TRUE(a && b);
  ASSERT_OK((*a)->grants().create(grant("g1")));
  EXPECT_FALSE((*b)->grants().find("g1").has_value());
  ASSERT_OK((*b)->grants().create(grant("g1")));  // no conflict across prefixes
  for (const std::string& key : keysOf(server, "")) {
    EXPECT_TRUE(key.starts_with("a:") || key.starts_with("b:")) << key;
  }
}

TEST(RedisStoreTest, RevokingMarksARecordAnOlderBuildWroteAtIssue) {
  // Builds before access tokens stopped being stored wrote access:<jti> with revoked = 0 when
  // they issued a token; revoking such a token must still take.
  RedisServer server;
  auto s = openRedis(optionsFor(server));
  ASSERT_TRUE(s);
  ASSERT_OK((*s)->grants().create(grant("g1")));
  ASSERT_TRUE(
      server.command({"HSET", "gg:access:jti-old", "jti", "jti-old", "grant_id", "g1", "client_id",
                      "c", "issued_at", "1", "expires_at", "2", "revoked", "0"}));
  auto before = (*s)->accessTokens().isRevoked("jti-old");
  ASSERT_TRUE(before);
  EXPECT_FALSE(*before);
  ASSERT_OK((*s)->accessTokens().revoke(AccessTokenRecord{.jti = "jti-old",
                                                          .grant_id = "g1",
                                                          .client_id = "c",
                                                          .issued_at = kNow,
                                                          .expires_at = kNow + 300,
                                                          .revoked = false}));
  auto after = (*s)->accessTokens().isRevoked("jti-old");
  ASSERT_TRUE(after);
  EXPECT_TRUE(*after);
}

// ------------------------------------------------------------------------------------------------
// Several instances: two Store objects (two pools) on one server, racing.

TEST(RedisStoreTest, SingleUseAcrossTwoInstances) {
  RedisServer server;
  auto one = openRedis(optionsFor(server));
  auto two = openRedis(optionsFor(server));
  ASSERT_TRUE(one && two);
  ASSERT_OK((*one)->grants().create(grant("g1")));
  CodeRecord code;
  code.grant_id = "g1";
  code.expires_at = kNow + 60;
  for (int round = 0; round < 20; ++round) {
    const std::string id = "r" + std::to_string(round);
    ASSERT_OK((*one)->pars().create(id, par(kNow + 60)));
    ASSERT_OK((*two)->codes().create(id, code));
    std::atomic<int> consumed{0};
    std::atomic<int> first_uses{0};
    std::latch go(8);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        Store& s = t % 2 == 0 ? **one : **two;
        go.arrive_and_wait();
        if (s.pars().consume(id, kNow)) ++consumed;
        auto r = s.codes().redeem(id);
        if (r && r->first_use) ++first_uses;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(consumed.load(), 1) << id;
    EXPECT_EQ(first_uses.load(), 1) << id;
  }
}

// ------------------------------------------------------------------------------------------------
// Outage behaviour

RedisOptions outageOptions(const RedisServer& server) {
  RedisOptions o = optionsFor(server);
  o.connect_timeout = 200ms;
  o.command_timeout = 300ms;
  o.backoff_min = 20ms;
  o.backoff_max = 200ms;
  return o;
}

// Polls (real time: waiting for an external server to come back) until fn() is true.
template <class F>
bool eventually(F fn, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (fn()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return fn();
}

TEST(RedisStoreTest, ServerDownFailsFastWithUnavailableAndRecovers) {
  RedisServer server(RedisServerOptions{.aof = true, .appendfsync = "always"});
  auto db = openRedis(outageOptions(server));
  ASSERT_TRUE(db) << db.error().detail;
  Store& s = **db;
  ASSERT_OK(s.grants().create(grant("g1")));
  ASSERT_TRUE(s.healthy());

  server.kill9();
  // Every kind of call answers kUnavailable: never kNotFound or a stale value.
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    auto found = s.grants().find("g1");
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error().code, Errc::kUnavailable) << found.error().detail;
    auto consumed = s.pars().consume("nope", kNow);
    ASSERT_FALSE(consumed.has_value());
    EXPECT_EQ(consumed.error().code, Errc::kUnavailable);
    auto remembered = s.replays().remember("k" + std::to_string(i), kNow + 60);
    ASSERT_FALSE(remembered.has_value());
    EXPECT_EQ(remembered.error().code, Errc::kUnavailable);
  }
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  // 150 calls against a dead server: refused connections and the back-off, no timeouts.
  EXPECT_LT(elapsed, 1s);
  EXPECT_FALSE(s.healthy());
  const RedisStats down = (*db)->stats();
  EXPECT_FALSE(down.up);
  EXPECT_GT(down.fast_failures, 0u);

  ASSERT_TRUE(server.start());
  ASSERT_TRUE(eventually([&] { return s.grants().find("g1").has_value(); }));
  EXPECT_TRUE(s.healthy());
  EXPECT_TRUE((*db)->stats().up);
  // And the data written before the crash is the data read after it (AOF always).
  auto g = s.grants().find("g1");
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, grant("g1"));
}

TEST(RedisStoreTest, FrozenServerTimesOutThenFailsFast) {
  RedisServer server;
  RedisOptions o = outageOptions(server);
  o.backoff_min = 300ms;  // the second call below falls inside the back-off
  o.backoff_max = 300ms;
  auto db = openRedis(o);
  ASSERT_TRUE(db) << db.error().detail;
  Store& s = **db;
  ASSERT_OK(s.grants().create(grant("g1")));
  server.freeze();
  auto t0 = std::chrono::steady_clock::now();
  auto first = s.grants().find("g1");
  const auto first_took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, Errc::kUnavailable);
  EXPECT_LT(first_took, 1s);  // the command timeout (300 ms), not forever
  // During the back-off, calls do not wait for a timeout each.
  t0 = std::chrono::steady_clock::now();
  auto second = s.grants().find("g1");
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, Errc::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  server.thaw();
  ASSERT_TRUE(eventually([&] { return s.grants().find("g1").has_value(); }));
}

TEST(RedisStoreTest, RestartedServerIsUsedWithoutFailingARequest) {
  // Idle pooled connections to a restarted server are replaced before use: the first request
  // after the restart succeeds.
  RedisServer server(RedisServerOptions{.aof = true, .appendfsync = "always"});
  auto db = openRedis(outageOptions(server));
  ASSERT_TRUE(db) << db.error().detail;
  Store& s = **db;
  ASSERT_OK(s.grants().create(grant("g1")));
  ASSERT_OK(s.grants().find("g1"));
  server.stop();
  ASSERT_TRUE(server.start());
  auto found = s.grants().find("g1");
  ASSERT_TRUE(found.has_value()) << found.error().detail;
}

TEST(RedisStoreTest, UnreachableAtOpenIsUnavailable) {
  RedisOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(net::test::freePort());
  o.connect_timeout = 200ms;
  auto db = openRedis(o);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, Errc::kUnavailable);
}

TEST(RedisStoreTest, WrongPasswordIsUnavailableAndNamesNoSecret) {
  RedisServer server(RedisServerOptions{.password = "right-secret"});
  RedisOptions o = optionsFor(server);
  o.password = "wrong-secret";
  auto db = openRedis(o);
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code, Errc::kUnavailable);
  EXPECT_EQ(db.error().detail.find("secret"), std::string::npos) << db.error().detail;
}

TEST(RedisStoreTest, FlushedScriptCacheFallsBackToEval) {
  RedisServer server;
  auto db = openRedis(optionsFor(server));
  ASSERT_TRUE(db) << db.error().detail;
  ASSERT_OK((*db)->grants().create(grant("g1")));
  ASSERT_TRUE(server.command({"SCRIPT", "FLUSH"}));
  ASSERT_OK((*db)->grants().create(grant("g2")));
  auto both = (*db)->grants().listBySubject("sub-alice");
  ASSERT_TRUE(both);
  EXPECT_EQ(both->size(), 2u);
}

TEST(RedisStoreTest, RefusesAnEvictingServer) {
  RedisServer server(RedisServerOptions{.maxmemory_policy = "allkeys-lru"});
  auto refused = openRedis(optionsFor(server));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::kUnsupported);
  RedisOptions o = optionsFor(server);
  o.require_noeviction = false;
  EXPECT_TRUE(openRedis(o).has_value());
}

TEST(RedisStoreTest, BusyScriptOrLoadingIsUnavailableNotAWrongAnswer) {
  // A key of the wrong type (another program writing under our prefix) makes the script fail:
  // the caller gets kUnavailable, not kNotFound or a made-up record.
  RedisServer server;
  auto db = openRedis(optionsFor(server));
  ASSERT_TRUE(db) << db.error().detail;
  ASSERT_TRUE(server.command({"SET", "gg:grants-by-subject:sub-alice", "not-a-zset"}));
  auto listed = (*db)->grants().listBySubject("sub-alice");
  ASSERT_FALSE(listed.has_value());
  EXPECT_EQ(listed.error().code, Errc::kUnavailable);
  ASSERT_TRUE(server.command({"HSET", "gg:grant:bad", "id", "bad"}));  // fields missing
  auto bad = (*db)->grants().find("bad");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::kUnavailable);
}

// ------------------------------------------------------------------------------------------------
// Durability: kill -9 of redis-server during a stream of acknowledged writes. With AOF, Redis
// writes the append-only buffer to the file before it replies, so a crash of the process (not of
// the machine) loses nothing acknowledged with `everysec` either; `always` adds an fsync per
// write, which is what survives a power loss (no test can pull the plug).

class RedisCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RedisCrashTest, AcknowledgedWritesSurviveKill9) {
  RedisServer server(RedisServerOptions{.aof = true, .appendfsync = GetParam()});
  RedisOptions o = outageOptions(server);
  auto db = openRedis(o);
  ASSERT_TRUE(db) << db.error().detail;
  std::mutex mu;
  std::set<std::string> acknowledged_grants;
  std::set<std::string> acknowledged_consumed;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string id = "w" + std::to_string(t) + "-" + std::to_string(i);
        if (!(*db)->grants().create(grant(id))) continue;
        {
          std::lock_guard lock(mu);
          acknowledged_grants.insert(id);
        }
        if (!(*db)->pars().create(id, par(kNow + 60))) continue;
        if ((*db)->pars().consume(id, kNow)) {
          std::lock_guard lock(mu);
          acknowledged_consumed.insert(id);
        }
      }
    });
  }
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mu);
    return acknowledged_grants.size() > 200;
  }));
  server.kill9();  // mid-stream
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_TRUE(server.start());
  auto reopened = openRedis(o);
  ASSERT_TRUE(reopened) << reopened.error().detail;
  for (const std::string& id : acknowledged_grants) {
    auto g = (*reopened)->grants().find(id);
    ASSERT_TRUE(g.has_value()) << id << " acknowledged but lost";
  }
  for (const std::string& id : acknowledged_consumed) {
    auto again = (*reopened)->pars().consume(id, kNow);
    ASSERT_FALSE(again.has_value()) << id << " consumed twice after the crash";
    EXPECT_EQ(again.error().code, Errc::kAlreadyUsed);
  }
}

INSTANTIATE_TEST_SUITE_P(Appendfsync, RedisCrashTest, ::testing::Values("always", "everysec"));

}  // namespace
}  // namespace gridgate::store
