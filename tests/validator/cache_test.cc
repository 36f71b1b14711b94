// The validator's caching pieces without a network: the sharded LRU, single-flight, the purge
// list and liveness. Time is given explicitly (what FakeClock feeds them in the validator).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "validator/liveness.h"
#include "validator/revocation_list.h"
#include "validator/single_flight.h"
#include "validator/token_cache.h"

namespace gridgate::validator {
namespace {

constexpr std::int64_t kSec = 1'000'000;

TokenHash key(int i) { return hashToken("token-" + std::to_string(i)); }

std::shared_ptr<const TokenRecord> record(std::string jti = {}, std::string grant = {}) {
  auto r = std::make_shared<TokenRecord>();
  r->jti = std::move(jti);
  r->grant_id = std::move(grant);
  return r;
}

TEST(TokenCache, ExpiresAtUntil) {
  TokenCache cache(100, 4);
  cache.put(key(1), {record(), 100 * kSec});
  EXPECT_TRUE(cache.get(key(1), 99 * kSec).has_value());
  EXPECT_FALSE(cache.get(key(1), 100 * kSec).has_value());
  EXPECT_EQ(cache.size(), 0u);  // an expired entry is dropped when seen
}

TEST(TokenCache, NegativeEntries) {
  TokenCache cache(100, 4);
  cache.put(key(1), {nullptr, 10 * kSec});
  auto e = cache.get(key(1), 0);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->record, nullptr);
}

TEST(TokenCache, BoundedLruPerShard) {
  TokenCache cache(8, 1);
  for (int i = 0; i < 8; ++i) cache.put(key(i), {record(), 100 * kSec});
  EXPECT_TRUE(cache.get(key(0), 0).has_value());  // 0 becomes most recently used
  cache.put(key(8), {record(), 100 * kSec});      // evicts the least recently used: 1
  EXPECT_EQ(cache.size(), 8u);
  EXPECT_TRUE(cache.get(key(0), 0).has_value());
  EXPECT_FALSE(cache.get(key(1), 0).has_value());
  EXPECT_TRUE(cache.get(key(8), 0).has_value());

  TokenCache big(1000, 16);
  for (int i = 0; i < 5000; ++i) big.put(key(i), {record(), 100 * kSec});
  EXPECT_LE(big.size(), big.capacity());
  EXPECT_GE(big.capacity(), 1000u);
}

TEST(TokenCache, ReplaceEraseAndPurgeByRecord) {
  TokenCache cache(100, 4);
  cache.put(key(1), {record("j1", "g1"), 100 * kSec});
  cache.put(key(2), {record("j2", "g1"), 100 * kSec});
  cache.put(key(3), {record("j3", "g2"), 100 * kSec});
  cache.put(key(3), {record("j3", "g3"), 100 * kSec});  // replaced, not duplicated
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache.eraseIf([](const TokenRecord& r) { return r.grant_id == "g1"; }), 2u);
  EXPECT_TRUE(cache.erase(key(3)));
  EXPECT_FALSE(cache.erase(key(3)));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TokenCache, ConcurrentUse) {
  TokenCache cache(1000, 8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        cache.put(key(t * 10000 + i), {record(), 100 * kSec});
        (void)cache.get(key(t * 10000 + i / 2), 0);
        if (i % 100 == 0) cache.eraseIf([](const TokenRecord&) { return false; });
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), cache.capacity());
}

TEST(SingleFlight, ConcurrentCallersShareOneRun) {
  SingleFlight<int, int> flights;
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  constexpr int kThreads = 6;
  std::vector<int> results(kThreads, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<std::size_t>(i)] = flights.run(7, [&] {
        ++runs;
        while (!release) std::this_thread::yield();
        return 42;
      });
    });
  }
  while (runs < 1 || flights.waiting() < kThreads - 1) std::this_thread::yield();
  release = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(runs, 1);
  for (int r : results) EXPECT_EQ(r, 42);
  EXPECT_EQ(flights.inFlight(), 0u);
  // Done flights are forgotten: the next call runs again.
  EXPECT_EQ(flights.run(7, [&] { return ++runs; }), 2);
}

TEST(RevocationList, ListsUntilRetentionEnds) {
  RevocationList list;
  TokenRecord r;
  r.token_hash = key(1);
  r.jti = "j";
  r.grant_id = "g";
  EXPECT_FALSE(list.matches(r, 0));
  list.add(RevocationList::Kind::kGrant, "g", 0, 100);
  EXPECT_TRUE(list.matches(r, 99));
  EXPECT_FALSE(list.matches(r, 100));
  list.add(RevocationList::Kind::kJti, "j", 0, 50);
  list.addHash(key(2), 0, 50);
  EXPECT_TRUE(list.matchesHash(key(2), 10));
  EXPECT_FALSE(list.matchesHash(key(1), 10));
  TokenRecord other;
  other.jti = "g";  // a jti equal to a listed grant id is not that grant
  EXPECT_FALSE(list.matches(other, 10));
  // Expired entries are pruned once the list grows.
  for (int i = 0; i < 2000; ++i) list.add(RevocationList::Kind::kJti, std::to_string(i), 0, 1);
  list.add(RevocationList::Kind::kJti, "late", 500, 600);
  EXPECT_LT(list.size(), 10u);
}

TEST(Liveness, FapiClockRule) {
  TokenRecord r;
  const std::int64_t now = 1000;
  EXPECT_EQ(checkLiveness(r, now, {}), Reason::kMissingClaim);
  EXPECT_EQ(checkLiveness(r, now, {.require_exp = false}), std::nullopt);
  r.exp = now;
  EXPECT_EQ(checkLiveness(r, now, {}), Reason::kExpired);
  EXPECT_EQ(checkLiveness(r, now, {.leeway = Seconds(1)}), std::nullopt);
  r.exp = now + 1;
  r.iat = now + 10;
  r.nbf = now + 10;
  EXPECT_EQ(checkLiveness(r, now, {}), std::nullopt);
  r.iat = now + 11;
  EXPECT_EQ(checkLiveness(r, now, {}), Reason::kNotYetValid);
  EXPECT_EQ(checkLiveness(r, now, {.leeway = Seconds(11)}), std::nullopt);
  r.iat = now + 61;
  EXPECT_EQ(checkLiveness(r, now, {.leeway = Seconds(60)}), Reason::kNotYetValid);
  r.iat = now;
  r.nbf = now + 30;
  EXPECT_EQ(checkLiveness(r, now, {.leeway = Seconds(20)}), Reason::kNotYetValid);
  // More than 60 s of leeway is not honoured.
  r.nbf = std::nullopt;
  r.exp = now - 61;
  EXPECT_EQ(checkLiveness(r, now, {.leeway = Seconds(3600)}), Reason::kExpired);
}

}  // namespace
}  // namespace gridgate::validator
