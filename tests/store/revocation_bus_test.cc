// The revocation bus against a real redis-server: events reach every subscriber quickly, a
// subscriber started later replays the retained log, one that lost its connection resubscribes
// and catches up on what it missed (without applying anything twice), malformed messages are
// ignored, and the publisher's queue holds events while Redis is down and sends them when it
// returns.
#include "store/redis/revocation_bus.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "redis_server.h"

namespace gridgate::store {
namespace {

using test::RedisServer;
using test::RedisServerOptions;
using namespace std::chrono_literals;

// Collects what a subscriber's handler was given.
class Received {
 public:
  RevocationSubscriber::Handler handler() {
    return [this](const RevocationEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
      cv_.notify_all();
    };
  }
  // Waits (real time: another thread delivers) until `n` events arrived.
  bool waitFor(std::size_t n, std::chrono::milliseconds limit = 5s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return events_.size() >= n; });
  }
  std::vector<RevocationEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::vector<std::string> grants() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& e : events_) out.push_back(e.grant_id);
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<RevocationEvent> events_;
};

RedisOptions busOptions(const RedisServer& server) {
  RedisOptions o;
  o.url = server.url();
  o.key_prefix = "bus:";
  o.connect_timeout = 200ms;
  o.command_timeout = 500ms;
  o.backoff_min = 20ms;
  o.backoff_max = 200ms;
  return o;
}

RevocationEvent event(const std::string& grant, std::vector<std::string> jtis = {"j1"}) {
  return RevocationEvent{.grant_id = grant, .jtis = std::move(jtis)};
}

TEST(RevocationBusTest, EveryLiveSubscriberGetsEachEventQuickly) {
  RedisServer server;
  Received a;
  Received b;
  auto sub_a = RevocationSubscriber::start(busOptions(server), a.handler());
  auto sub_b = RevocationSubscriber::start(busOptions(server), b.handler());
  ASSERT_TRUE(sub_a && sub_b);
  ASSERT_TRUE((*sub_a)->waitSubscribed(5s));
  ASSERT_TRUE((*sub_b)->waitSubscribed(5s));
  auto pub = RevocationBusPublisher::start(busOptions(server));
  ASSERT_TRUE(pub) << pub.error().detail;

  const auto t0 = std::chrono::steady_clock::now();
  auto reached = (*pub)->publishNow(event("g1", {"jti-a", "jti-b"}));
  ASSERT_TRUE(reached) << reached.error().detail;
  EXPECT_EQ(*reached, 2);
  ASSERT_TRUE(a.waitFor(1));
  ASSERT_TRUE(b.waitFor(1));
  const auto latency = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(latency, 500ms);
  EXPECT_EQ(a.events()[0], event("g1", {"jti-a", "jti-b"}));
  EXPECT_EQ(b.events()[0], event("g1", {"jti-a", "jti-b"}));

  (*pub)->publish(event("g2"));  // the queued path
  (*pub)->publish(event("g3"));
  ASSERT_TRUE((*pub)->flush(5s));
  ASSERT_TRUE(a.waitFor(3));
  EXPECT_EQ(a.grants(), (std::vector<std::string>{"g1", "g2", "g3"}));  // in order
  EXPECT_EQ((*pub)->stats().published, 3u);
  EXPECT_EQ((*sub_a)->stats().events, 3u);
}

TEST(RevocationBusTest, LateSubscriberReplaysTheRetainedLog) {
  RedisServer server;
  auto pub = RevocationBusPublisher::start(busOptions(server));
  ASSERT_TRUE(pub);
  ASSERT_TRUE((*pub)->publishNow(event("before-1")));
  ASSERT_TRUE((*pub)->publishNow(event("before-2")));

  Received replaying;
  auto sub = RevocationSubscriber::start(busOptions(server), replaying.handler());
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  ASSERT_TRUE(replaying.waitFor(2));
  EXPECT_EQ(replaying.grants(), (std::vector<std::string>{"before-1", "before-2"}));

  Received fresh;
  auto newest_only = RevocationSubscriber::start(busOptions(server), fresh.handler(),
                                                 SubscriberOptions{.replay_on_start = false});
  ASSERT_TRUE(newest_only);
  ASSERT_TRUE((*newest_only)->waitSubscribed(5s));
  ASSERT_TRUE((*pub)->publishNow(event("after")));
  ASSERT_TRUE(fresh.waitFor(1));
  ASSERT_TRUE(replaying.waitFor(3));
  EXPECT_EQ(fresh.grants(), (std::vector<std::string>{"after"}));
  EXPECT_EQ(replaying.grants(), (std::vector<std::string>{"before-1", "before-2", "after"}));

  // The log has a TTL (no key without an expiry but the durable records).
  auto ttl = server.command({"PTTL", "bus:revocations"});
  ASSERT_TRUE(ttl);
  EXPECT_GT(ttl->view().integer(), 0);
}

TEST(RevocationBusTest, KilledSubscriptionResubscribesAndCatchesUpOnce) {
  RedisServer server;
  Received got;
  auto sub = RevocationSubscriber::start(busOptions(server), got.handler());
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  auto pub = RevocationBusPublisher::start(busOptions(server));
  ASSERT_TRUE(pub);
  ASSERT_TRUE((*pub)->publishNow(event("g1")));
  ASSERT_TRUE(got.waitFor(1));

  // Kill the subscriber's connection and publish while it is away: the push is lost, the log
  // keeps it.
  ASSERT_TRUE(server.command({"CLIENT", "KILL", "TYPE", "pubsub"}));
  ASSERT_TRUE((*pub)->publishNow(event("missed-1")));
  ASSERT_TRUE((*pub)->publishNow(event("missed-2")));
  ASSERT_TRUE(got.waitFor(3));
  ASSERT_TRUE((*pub)->publishNow(event("g4")));
  ASSERT_TRUE(got.waitFor(4));
  EXPECT_EQ(got.grants(), (std::vector<std::string>{"g1", "missed-1", "missed-2", "g4"}));
  EXPECT_GE((*sub)->stats().subscriptions, 2u);
}

TEST(RevocationBusTest, ServerRestartResubscribesAndPublisherQueueWaits) {
  RedisServer server;
  Received got;
  auto sub = RevocationSubscriber::start(busOptions(server), got.handler());
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  auto pub = RevocationBusPublisher::start(busOptions(server));
  ASSERT_TRUE(pub);

  server.kill9();
  // Waits (real time) for the subscriber thread to notice.
  for (int i = 0; i < 500 && (*sub)->subscribed(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE((*sub)->subscribed());
  auto now = (*pub)->publishNow(event("while-down"));
  ASSERT_FALSE(now.has_value());
  EXPECT_EQ(now.error().code, Errc::kUnavailable);
  (*pub)->publish(event("queued-while-down"));
  EXPECT_FALSE((*pub)->flush(300ms));  // held, not lost
  EXPECT_GT((*pub)->stats().failures, 0u);

  ASSERT_TRUE(server.start());
  ASSERT_TRUE((*pub)->flush(5s));
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  ASSERT_TRUE(got.waitFor(1));
  EXPECT_EQ(got.grants(), (std::vector<std::string>{"queued-while-down"}));
  ASSERT_TRUE((*pub)->publishNow(event("after")));
  ASSERT_TRUE(got.waitFor(2));
  EXPECT_EQ(got.grants().back(), "after");
}

TEST(RevocationBusTest, FrozenServerIsDetectedByPing) {
  RedisServer server;
  Received got;
  RedisOptions o = busOptions(server);
  auto sub =
      RevocationSubscriber::start(o, got.handler(), SubscriberOptions{.ping_interval = 100ms});
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  server.freeze();
  for (int i = 0; i < 500 && (*sub)->subscribed(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE((*sub)->subscribed());  // no answer to PING within the command timeout
  server.thaw();
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
}

TEST(RevocationBusTest, MalformedMessagesAreIgnored) {
  RedisServer server;
  Received got;
  auto sub = RevocationSubscriber::start(busOptions(server), got.handler());
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  ASSERT_TRUE(server.command({"PUBLISH", "bus:revocations", "no-newline"}));
  ASSERT_TRUE(server.command({"PUBLISH", "bus:revocations", "x-y\n{}"}));
  ASSERT_TRUE(server.command({"PUBLISH", "bus:revocations", "99999999999999-0\nnot json"}));
  auto pub = RevocationBusPublisher::start(busOptions(server));
  ASSERT_TRUE(pub);
  // A garbled message with a high id is not taken as seen: later real events still apply.
  ASSERT_TRUE((*pub)->publishNow(event("g1")));
  ASSERT_TRUE(got.waitFor(1));
  EXPECT_EQ(got.grants(), (std::vector<std::string>{"g1"}));
  EXPECT_EQ((*sub)->stats().malformed, 3u);
}

}  // namespace
}  // namespace gridgate::store
