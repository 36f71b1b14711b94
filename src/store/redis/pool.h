// A pool of Redis connections shared by every thread, with fail-fast back-off while the server is
// down, and Lua scripts run by EVALSHA with an EVAL fallback. Internal to the Redis store and the
// revocation bus.
//
//   GG_TRY(auto pool, redis::Pool::create(options));
//   static const redis::Script kConsume("...lua...");
//   std::string_view args[] = {prefix, uri_hash, now};
//   GG_TRY(redis::Reply r, pool->eval(kConsume, args));
//
// Outage behaviour (store.h: "kUnavailable when the backend cannot be reached, never a wrong
// answer", quickly): an I/O failure (refused, reset, timeout) discards the connection and every
// idle one, and starts a back-off (backoff_min doubling to backoff_max) during which calls fail at
// once with kUnavailable instead of each waiting for a timeout. When it ends, one caller probes
// with a fresh connection (connect + PING); the others keep failing fast until the probe answers.
// A pooled connection is checked without blocking before reuse, so that a restarted server's
// closed sockets are replaced rather than failing a request. Nothing here sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/redis/connection.h"
#include "store/redis/redis_options.h"

namespace gridgate::store::redis {

// A Lua script and its SHA-1 (what EVALSHA names it by), computed once.
class Script {
 public:
  explicit Script(std::string body);
  const std::string& body() const { return body_; }
  const std::string& sha1() const { return sha1_; }

 private:
  std::string body_;
  std::string sha1_;
};

struct PoolStats {
  std::uint64_t commands = 0;     // commands and scripts sent
  std::uint64_t io_failures = 0;  // connections lost or timed out mid-command
  std::uint64_t connects = 0;     // connections opened
  std::uint64_t connect_failures = 0;
  std::uint64_t fast_failures = 0;  // calls refused during a back-off
  bool up = true;                   // false during a back-off
};

class Pool {
 public:
  // Resolves the endpoint (kInvalidArgument for a bad URL); connects lazily.
  [[nodiscard]] static Result<std::shared_ptr<Pool>> create(const RedisOptions& options,
                                                            std::size_t size);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  [[nodiscard]] Result<Reply> command(std::span<const std::string_view> argv);
  // EVALSHA <sha> 0 args... ; on NOSCRIPT (a restarted or flushed server), EVAL <body> 0 args...
  // An error reply (a script bug, LOADING, READONLY, OOM) is kUnavailable with the server's text.
  [[nodiscard]] Result<Reply> eval(const Script& script, std::span<const std::string_view> args);
  // A command whose error reply is returned as kUnavailable, not as a Reply.
  [[nodiscard]] Result<Reply> checked(std::span<const std::string_view> argv);

  PoolStats stats() const;
  const RedisEndpoint& endpoint() const { return endpoint_; }
  const Timeouts& timeouts() const { return timeouts_; }

 private:
  Pool(RedisEndpoint endpoint, Timeouts timeouts, std::size_t size,
       std::chrono::milliseconds backoff_min, std::chrono::milliseconds backoff_max);

  [[nodiscard]] Result<Connection> acquire();
  void release(Connection conn);
  void markDownLocked(std::chrono::steady_clock::time_point now);
  void markUpLocked();

  template <class F>
  auto withConnection(F&& fn) -> std::invoke_result_t<F&, Connection&>;

  const RedisEndpoint endpoint_;
  const Timeouts timeouts_;
  const std::size_t size_;
  const std::chrono::milliseconds backoff_min_;
  const std::chrono::milliseconds backoff_max_;

  mutable std::mutex mu_;
  std::condition_variable idle_cv_;
  std::vector<Connection> idle_;
  std::size_t open_ = 0;  // idle + leased + connecting
  bool down_ = false;
  bool probing_ = false;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point retry_at_{};

  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> io_failures_{0};
  std::atomic<std::uint64_t> connects_{0};
  std::atomic<std::uint64_t> connect_failures_{0};
  std::atomic<std::uint64_t> fast_failures_{0};
};

}  // namespace gridgate::store::redis
