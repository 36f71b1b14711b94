// The Redis Store: the same interfaces and semantics as the SQLite store (one conformance suite
// passes on both), shared by every instance of a deployment.
//
//   store::RedisOptions o;
//   o.url = "redis://127.0.0.1:6379/0";
//   o.password = std::getenv("GRIDGATE_STORE_PASSWORD");
//   auto db = store::openRedis(o);      // kUnavailable: not reachable; kUnsupported: eviction on
//   if (!db) return fail(db.error());
//   std::shared_ptr<store::Store> store = *db;   // thread-safe; share it
//   store::RedisStats s = (*db)->stats();         // for /metrics
//
// Every operation that reads and writes, or touches several keys, is one Lua script (atomic in
// Redis); records are hashes; records with an expiry get a Redis TTL on write (expires_at plus
// RedisOptions::expired_retention), durable records (grants, users, signing keys, the outbox) get
// none. Key layout and persistence settings: docs/redis.md, docs/deployment.md.
//
// When Redis is down or slow, every call returns kUnavailable within the command timeout, then at
// once during a back-off, and the store reconnects by itself (redis/pool.h). Writes are as durable
// as the server's persistence: AOF with `appendfsync always` for "a consent acknowledged to the
// user survives a crash" of the machine; `everysec` survives a crash of redis-server itself.
//
// Integers are kept exactly as decimal text; comparisons of times inside scripts (PAR expiry,
// index order) use doubles, exact for any time below 2^53 seconds.
#pragma once

#include <cstdint>
#include <memory>

#include "core/result.h"
#include "store/redis/redis_options.h"
#include "store/store.h"

namespace gridgate::store {

struct RedisStats {
  std::uint64_t commands = 0;          // commands and scripts sent
  std::uint64_t io_failures = 0;       // connections lost or timed out mid-command
  std::uint64_t connects = 0;          // connections opened (reconnects included)
  std::uint64_t connect_failures = 0;  // failed connection attempts
  std::uint64_t fast_failures = 0;     // calls refused at once during a back-off
  bool up = true;                      // false while backing off
};

class RedisStore : public Store {
 public:
  virtual RedisStats stats() const = 0;
};

// Connects (PING), checks that the server is Redis >= 6.2 and, with require_noeviction, that its
// maxmemory-policy is noeviction. kInvalidArgument for bad options, kUnavailable when the server
// cannot be reached, kUnsupported for a server that cannot keep the store's promises.
[[nodiscard]] Result<std::shared_ptr<RedisStore>> openRedis(const RedisOptions& options);

}  // namespace gridgate::store
