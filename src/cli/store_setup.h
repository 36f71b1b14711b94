// The store a configuration names ([store] type = "sqlite" | "redis"), and the Redis pieces the
// servers add around it: the revocation bus (publisher for the authorization server, subscriber
// for the resource server) and their /metrics. Shared by `gridgate serve` and `gridgate keys`.
//
//   GG_TRY(cli::OpenedStore db, cli::openStore(store_section));
//   if (db.redis) {
//     GG_TRY(auto bus, store::RevocationBusPublisher::start(*db.redis_options));
//     options.publisher = std::make_shared<cli::RedisRevocationPublisher>(std::move(bus));
//   }
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "authz/revocation_publisher.h"
#include "config/common.h"
#include "core/result.h"
#include "net/metrics.h"
#include "store/redis/redis_store.h"
#include "store/redis/revocation_bus.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace gridgate::cli {

inline store::RedisOptions redisOptionsOf(const config::RedisStoreSection& s) {
  store::RedisOptions o;
  o.url = s.url;
  o.key_prefix = s.key_prefix;
  o.database = s.database;
  o.username = s.username;
  o.password = s.password;
  o.pool_size = s.pool_size;
  o.connect_timeout = s.connect_timeout;
  o.command_timeout = s.command_timeout;
  o.expired_retention = s.expired_retention;
  o.revocation_log_retention = s.revocation_log_retention;
  return o;
}

inline store::Synchronous synchronousOf(const std::string& s) {
  if (s == "normal") return store::Synchronous::kNormal;
  if (s == "extra") return store::Synchronous::kExtra;
  return store::Synchronous::kFull;
}

struct OpenedStore {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<store::RedisStore> redis;          // null for SQLite
  std::optional<store::RedisOptions> redis_options;  // set for Redis
};

[[nodiscard]] inline Result<OpenedStore> openStore(const config::StoreSection& section) {
  OpenedStore out;
  switch (section.type) {
    case config::StoreType::kSqlite: {
      GG_TRY(out.store, store::openSqlite({.path = section.path,
                                           .synchronous = synchronousOf(section.synchronous)}));
      return out;
    }
    case config::StoreType::kRedis: {
      out.redis_options = redisOptionsOf(section.redis);
      GG_TRY(out.redis, store::openRedis(*out.redis_options));
      out.store = out.redis;
      return out;
    }
  }
  return fail(Errc::kInternal, "unknown store type");
}

// The authorization server's RevocationPublisher over Redis: queues each event for the bus's
// worker thread (publish() never blocks a request).
class RedisRevocationPublisher final : public authz::RevocationPublisher {
 public:
  explicit RedisRevocationPublisher(std::unique_ptr<store::RevocationBusPublisher> bus)
      : bus_(std::move(bus)) {}
  void publish(std::string_view grant_id, const std::vector<std::string>& jtis) override {
    bus_->publish(store::RevocationEvent{.grant_id = std::string(grant_id), .jtis = jtis});
  }
  store::RevocationBusPublisher& bus() { return *bus_; }

 private:
  std::unique_ptr<store::RevocationBusPublisher> bus_;
};

// /metrics for the Redis store (docs/deployment.md "What to monitor"). The values are read when
// scraped; counters of the store are exported as gauges of their running totals.
inline void exportRedisStoreMetrics(net::MetricsRegistry& m,
                                    std::shared_ptr<store::RedisStore> redis) {
  m.gaugeCallback("gridgate_store_redis_up", "1 when the Redis store answers, 0 while backing off",
                  {}, [redis] { return redis->stats().up ? 1.0 : 0.0; });
  m.gaugeCallback("gridgate_store_redis_io_failures", "Redis commands lost or timed out (total)",
                  {}, [redis] { return static_cast<double>(redis->stats().io_failures); });
  m.gaugeCallback("gridgate_store_redis_fast_failures",
                  "Store calls refused at once while Redis was down (total)", {},
                  [redis] { return static_cast<double>(redis->stats().fast_failures); });
  m.gaugeCallback("gridgate_store_redis_connects", "Redis connections opened (total)", {},
                  [redis] { return static_cast<double>(redis->stats().connects); });
}

inline void exportPublisherMetrics(net::MetricsRegistry& m,
                                   std::shared_ptr<RedisRevocationPublisher> p) {
  m.gaugeCallback("gridgate_revocation_events_published", "Revocation events published (total)", {},
                  [p] { return static_cast<double>(p->bus().stats().published); });
  m.gaugeCallback("gridgate_revocation_publish_failures",
                  "Failed attempts to publish a revocation event (total)", {},
                  [p] { return static_cast<double>(p->bus().stats().failures); });
  m.gaugeCallback("gridgate_revocation_events_dropped",
                  "Revocation events given up (total): validators fell back on TTL/introspection",
                  {}, [p] { return static_cast<double>(p->bus().stats().dropped); });
  m.gaugeCallback("gridgate_revocation_publish_queue", "Revocation events waiting to be published",
                  {}, [p] { return static_cast<double>(p->bus().stats().queued); });
}

// `s` must outlive every scrape of `m` (the resource server owns its subscriber).
inline void exportSubscriberMetrics(net::MetricsRegistry& m, const store::RevocationSubscriber* s) {
  m.gaugeCallback("gridgate_revocation_subscribed",
                  "1 while subscribed to revocation events (and caught up)", {},
                  [s] { return s->stats().subscribed ? 1.0 : 0.0; });
  m.gaugeCallback("gridgate_revocation_events_received", "Revocation events applied (total)", {},
                  [s] { return static_cast<double>(s->stats().events); });
  m.gaugeCallback("gridgate_revocation_resubscriptions", "Subscriptions made (total; 1 is normal)",
                  {}, [s] { return static_cast<double>(s->stats().subscriptions); });
}

}  // namespace gridgate::cli
