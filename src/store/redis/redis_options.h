// How to reach a Redis server and how the Redis store behaves, shared by the store (redis_store.h)
// and the revocation bus (revocation_bus.h).
//
//   store::RedisOptions o;
//   o.url = "redis://:secret@10.0.0.5:6379/2";     // or "unix:///run/redis/redis.sock?db=2"
//   o.key_prefix = "gridgate:";
//   GG_TRY(store::RedisEndpoint ep, store::parseRedisUrl(o.url));
//
// Explicit fields (database, username, password) override what the URL says. hiredis 0.14 has no
// TLS: reach Redis over loopback, a Unix socket, or a private network (docs/deployment.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"

namespace gridgate::store {

struct RedisOptions {
  // redis://[[username]:password@]host[:port][/database] or unix:///path[?db=N].
  std::string url = "redis://127.0.0.1:6379";
  // Every key and the revocation channel start with it: several deployments may share one server.
  std::string key_prefix = "gridgate:";
  std::optional<int> database{};          // SELECT; overrides the URL's
  std::optional<std::string> username{};  // Redis 6 ACL user; overrides the URL's
  std::optional<std::string> password{};  // AUTH; overrides the URL's
  std::size_t pool_size = 8;              // connections kept open (the blocking pool's width)
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{1000};
  // After a failure, calls fail at once (kUnavailable) for a back-off that doubles from
  // backoff_min up to backoff_max; the first call after it tries to reconnect.
  std::chrono::milliseconds backoff_min{50};
  std::chrono::milliseconds backoff_max{1000};
  // Records with an expiry (PAR requests, codes, tokens, sessions, replay markers) are written
  // with a Redis TTL of (expires_at - now) + expired_retention: until then find() still returns
  // them expired (a code replay is still recognised), as SQLite does until sweep().
  Seconds expired_retention{3600};
  // How long revocation events stay in the log that a reconnecting subscriber replays.
  Seconds revocation_log_retention{3600};
  // Null: SystemClock. Used only to turn expires_at into a TTL; must outlive the store.
  const Clock* clock = nullptr;
  // Refuse a server whose maxmemory-policy may evict keys (a replay marker or a consumed request
  // evicted under memory pressure would make a single-use artefact usable again).
  bool require_noeviction = true;
};

struct RedisEndpoint {
  std::string host;  // empty for a Unix socket
  int port = 6379;
  std::string unix_path;  // empty for TCP
  int database = 0;
  std::string username;
  std::string password;
};

// The endpoint of `options.url` with the explicit fields applied. kInvalidArgument naming the
// problem (never the password) for a malformed URL, a port out of range or a negative database.
[[nodiscard]] Result<RedisEndpoint> resolveRedisEndpoint(const RedisOptions& options);
[[nodiscard]] Result<RedisEndpoint> parseRedisUrl(std::string_view url);

// The URL with any password replaced by "***", for logs.
std::string redactRedisUrl(std::string_view url);

}  // namespace gridgate::store
