// Revocation events over Redis: the authorization server publishes every revocation (grant id and
// the jtis of its access tokens); every validator configured with the same Redis subscribes and
// purges its caches, so that a revoked token is refused everywhere within moments instead of after
// a cache TTL (DESIGN.md "Revocation").
//
//   // authorization server (behind authz::RevocationPublisher):
//   GG_TRY(auto pub, store::RevocationBusPublisher::start(redis_options));
//   pub->publish({.grant_id = grant.id, .jtis = jtis});        // queues; never blocks
//
//   // resource server:
//   GG_TRY(auto sub, store::RevocationSubscriber::start(redis_options,
//       [&v](const store::RevocationEvent& e) {
//         v->purgeGrant(e.grant_id);
//         for (const auto& jti : e.jtis) v->purgeJti(jti);
//       }));
//
// Wire: each event is appended to a log (a Redis stream, `<prefix>revocations`, trimmed to
// RedisOptions::revocation_log_retention) and published on the channel of the same name as
// "<stream id>\n<JSON>", in one script. Pub/sub alone loses what is published while a subscriber
// is disconnected; so after every (re)subscription the subscriber reads the log from the last id it
// saw (at its first start: the whole retained log, so that a validator started after a revocation
// still honours it), and skips pushes it has already applied. The handler runs on the subscriber's
// thread, at least once per event, in log order; it must be quick and idempotent (purges are).
//
// Without Redis (or while it is down) validators still honour revocation through introspection
// or their cache TTL, as configured: the bus shortens that delay, it is not the only guard.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/result.h"
#include "store/redis/redis_options.h"

namespace gridgate::store {

namespace redis {
class Pool;
}  // namespace redis

struct RevocationEvent {
  std::string grant_id{};           // may be empty when only tokens were revoked
  std::vector<std::string> jtis{};  // access tokens revoked by this event

  bool operator==(const RevocationEvent&) const = default;
};

// {"grant_id":"...","jtis":["..."]}. decode refuses anything else (bounded, strict types).
std::string encodeRevocationEvent(const RevocationEvent& event);
[[nodiscard]] Result<RevocationEvent> decodeRevocationEvent(std::string_view json);

struct RevocationPublisherStats {
  std::uint64_t published = 0;  // events appended and broadcast
  std::uint64_t failures = 0;   // attempts that failed (each retried)
  std::uint64_t dropped = 0;    // events given up (older than the log retention, or queue full)
  std::size_t queued = 0;
};

class RevocationBusPublisher {
 public:
  [[nodiscard]] static Result<std::unique_ptr<RevocationBusPublisher>> start(
      const RedisOptions& options);
  ~RevocationBusPublisher();  // stops the worker; events still queued are dropped (logged)
  RevocationBusPublisher(const RevocationBusPublisher&) = delete;
  RevocationBusPublisher& operator=(const RevocationBusPublisher&) = delete;

  // Queues the event for the worker thread, which publishes it, retrying with back-off while
  // Redis is unreachable, until it is older than the log retention.
  void publish(RevocationEvent event);
  // Publishes now on the calling thread (kUnavailable when Redis is down). Returns the number of
  // subscribers the push reached.
  [[nodiscard]] Result<std::int64_t> publishNow(const RevocationEvent& event);
  // Waits until the queue is empty (tests, shutdown); false on timeout.
  bool flush(std::chrono::milliseconds timeout);
  RevocationPublisherStats stats() const;

 private:
  RevocationBusPublisher(std::shared_ptr<redis::Pool> pool, const RedisOptions& options);
  void run();

  struct Queued {
    RevocationEvent event;
    std::chrono::steady_clock::time_point at;
  };

  std::shared_ptr<redis::Pool> pool_;
  std::string prefix_;
  std::int64_t retention_ms_;
  std::chrono::milliseconds backoff_min_;
  std::chrono::milliseconds backoff_max_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;
  bool stop_ = false;
  bool busy_ = false;
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread worker_;
};

struct RevocationSubscriberStats {
  std::uint64_t events = 0;         // events handed to the handler
  std::uint64_t subscriptions = 0;  // successful (re)subscriptions
  std::uint64_t malformed = 0;      // messages that did not decode (ignored, logged)
  bool subscribed = false;
};

struct SubscriberOptions {
  // At the first subscription, replay the retained log (a validator that starts after a
  // revocation still refuses the token); false starts from the newest entry.
  bool replay_on_start = true;
  // Idle this long, the subscriber PINGs; no answer within the command timeout means the
  // connection is dead (a silent network failure) and it reconnects.
  std::chrono::milliseconds ping_interval{1000};
};

class RevocationSubscriber {
 public:
  using Handler = std::function<void(const RevocationEvent&)>;

  // Starts the subscriber thread; it connects (and reconnects, with back-off) by itself, so this
  // fails only for bad options.
  [[nodiscard]] static Result<std::unique_ptr<RevocationSubscriber>> start(
      const RedisOptions& options, Handler handler, SubscriberOptions sub_options = {});
  ~RevocationSubscriber();  // stops and joins the thread
  RevocationSubscriber(const RevocationSubscriber&) = delete;
  RevocationSubscriber& operator=(const RevocationSubscriber&) = delete;

  bool subscribed() const { return subscribed_.load(); }
  // Waits until subscribed (and caught up with the log); false on timeout.
  bool waitSubscribed(std::chrono::milliseconds timeout) const;
  RevocationSubscriberStats stats() const;

 private:
  RevocationSubscriber(std::shared_ptr<redis::Pool> pool, const RedisOptions& options,
                       Handler handler, SubscriberOptions sub_options);
  void run();
  void session();
  [[nodiscard]] Status catchUp();
  void deliver(std::string_view id, std::string_view json);
  bool waitStop(std::chrono::milliseconds d);

  std::shared_ptr<redis::Pool> pool_;  // for reading the log
  std::string prefix_;
  Handler handler_;
  SubscriberOptions sub_options_;
  std::chrono::milliseconds backoff_min_;
  std::chrono::milliseconds backoff_max_;

  // The last stream id applied ("ms-seq" as two numbers); started_ once it was set.
  std::pair<std::uint64_t, std::uint64_t> last_{0, 0};
  bool started_ = false;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> subscribed_{false};
  std::atomic<std::uint64_t> events_{0};
  std::atomic<std::uint64_t> subscriptions_{0};
  std::atomic<std::uint64_t> malformed_{0};
  std::thread thread_;
};

}  // namespace gridgate::store
