#include "store/redis/revocation_bus.h"

#include <algorithm>
#include <charconv>

#include "core/json.h"
#include "core/log.h"
#include "store/redis/connection.h"
#include "store/redis/pool.h"
#include "store/redis/scripts.h"

namespace gridgate::store {
namespace {

using SteadyClock = std::chrono::steady_clock;
using StreamId = std::pair<std::uint64_t, std::uint64_t>;

constexpr std::size_t kMaxQueued = 10000;
constexpr std::size_t kCatchUpBatch = 500;
constexpr std::chrono::milliseconds kReceiveSlice{100};  // how soon the thread notices stop

// "1700000000000-3" -> {1700000000000, 3}.
std::optional<StreamId> parseStreamId(std::string_view id) {
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamId out;
  auto [p1, e1] = std::from_chars(id.data(), id.data() + dash, out.first);
  auto [p2, e2] = std::from_chars(id.data() + dash + 1, id.data() + id.size(), out.second);
  if (e1 != std::errc() || p1 != id.data() + dash || e2 != std::errc() ||
      p2 != id.data() + id.size()) {
    return std::nullopt;
  }
  return out;
}

std::string formatStreamId(const StreamId& id) {
  return std::to_string(id.first) + "-" + std::to_string(id.second);
}

}  // namespace

std::string encodeRevocationEvent(const RevocationEvent& event) {
  Json jtis = Json::array();
  for (const std::string& jti : event.jtis) jtis.push_back(jti);
  return dumpJson(Json{{"grant_id", event.grant_id}, {"jtis", std::move(jtis)}});
}

Result<RevocationEvent> decodeRevocationEvent(std::string_view json) {
  GG_TRY(Json doc, parseJsonObject(json, JsonLimits{.max_bytes = 1024 * 1024, .max_depth = 4}));
  const std::string* grant_id = jsonString(doc, "grant_id");
  const Json* jtis = jsonMember(doc, "jtis");
  if (grant_id == nullptr || jtis == nullptr || !jtis->is_array()) {
    return fail(Errc::kMalformed, "revocation event: needs grant_id (string) and jtis (array)");
  }
  RevocationEvent event{.grant_id = *grant_id, .jtis = {}};
  for (const Json& jti : *jtis) {
    if (!jti.is_string()) return fail(Errc::kMalformed, "revocation event: a jti is no string");
    event.jtis.push_back(jti.get<std::string>());
  }
  if (event.grant_id.empty() && event.jtis.empty()) {
    return fail(Errc::kMalformed, "revocation event: names nothing");
  }
  return event;
}

// ------------------------------------------------------------------------------------------------
// Publisher

RevocationBusPublisher::RevocationBusPublisher(std::shared_ptr<redis::Pool> pool,
                                               const RedisOptions& options)
    : pool_(std::move(pool)),
      prefix_(options.key_prefix),
      retention_ms_(std::max<std::int64_t>(1000, options.revocation_log_retention.count() * 1000)),
      backoff_min_(options.backoff_min),
      backoff_max_(options.backoff_max) {}

Result<std::unique_ptr<RevocationBusPublisher>> RevocationBusPublisher::start(
    const RedisOptions& options) {
  GG_TRY(std::shared_ptr<redis::Pool> pool, redis::Pool::create(options, 2));
  std::unique_ptr<RevocationBusPublisher> p(new RevocationBusPublisher(std::move(pool), options));
  p->worker_ = std::thread([raw = p.get()] { raw->run(); });
  return p;
}

RevocationBusPublisher::~RevocationBusPublisher() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (!queue_.empty()) {
      log::warn("revocation bus: {} event(s) not published at shutdown", queue_.size());
    }
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void RevocationBusPublisher::publish(RevocationEvent event) {
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      dropped_.fetch_add(1, std::memory_order_relaxed);
      log::error("revocation bus: queue full; the oldest event was dropped");
    }
    queue_.push_back(Queued{std::move(event), SteadyClock::now()});
  }
  cv_.notify_all();
}

Result<std::int64_t> RevocationBusPublisher::publishNow(const RevocationEvent& event) {
  const std::string json = encodeRevocationEvent(event);
  const std::string retention = std::to_string(retention_ms_);
  const std::string_view args[] = {prefix_, json, retention};
  GG_TRY(redis::Reply r, pool_->eval(redis::scripts::revocationPublish(), args));
  const redis::ReplyView v = r.view();
  if (!v.isArray() || v.size() != 3 || v[0].integer() != redis::kScriptOk) {
    return fail(Errc::kUnavailable, "redis: unexpected publish reply");
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  return v[2].integer();
}

void RevocationBusPublisher::run() {
  std::unique_lock lock(mu_);
  std::chrono::milliseconds backoff = backoff_min_;
  bool failing = false;
  for (;;) {
    cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    const Queued next = queue_.front();
    busy_ = true;
    lock.unlock();
    auto published = publishNow(next.event);
    lock.lock();
    busy_ = false;
    if (published) {
      queue_.pop_front();
      if (failing) log::info("revocation bus: publishing again");
      failing = false;
      backoff = backoff_min_;
      cv_.notify_all();
      continue;
    }
    failures_.fetch_add(1, std::memory_order_relaxed);
    if (SteadyClock::now() - next.at > std::chrono::milliseconds(retention_ms_)) {
      queue_.pop_front();
      dropped_.fetch_add(1, std::memory_order_relaxed);
      log::error("revocation bus: event for grant {} dropped after retrying for the log retention",
                 next.event.grant_id);
      cv_.notify_all();
      continue;
    }
    if (!failing)
      log::warn("revocation bus: cannot publish ({}); retrying", published.error().detail);
    failing = true;
    // Retry pacing in real time (not time logic): wakes early on stop.
    cv_.wait_for(lock, backoff, [&] { return stop_; });
    backoff = std::min(backoff * 2, backoff_max_);
  }
}

bool RevocationBusPublisher::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return queue_.empty() && !busy_; });
}

RevocationPublisherStats RevocationBusPublisher::stats() const {
  RevocationPublisherStats s;
  s.published = published_.load(std::memory_order_relaxed);
  s.failures = failures_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.queued = queue_.size();
  return s;
}

// ------------------------------------------------------------------------------------------------
// Subscriber

RevocationSubscriber::RevocationSubscriber(std::shared_ptr<redis::Pool> pool,
                                           const RedisOptions& options, Handler handler,
                                           SubscriberOptions sub_options)
    : pool_(std::move(pool)),
      prefix_(options.key_prefix),
      handler_(std::move(handler)),
      sub_options_(sub_options),
      backoff_min_(options.backoff_min),
      backoff_max_(options.backoff_max) {}

Result<std::unique_ptr<RevocationSubscriber>> RevocationSubscriber::start(
    const RedisOptions& options, Handler handler, SubscriberOptions sub_options) {
  if (!handler) return fail(Errc::kInvalidArgument, "revocation subscriber: no handler");
  if (sub_options.ping_interval.count() <= 0) {
    return fail(Errc::kInvalidArgument, "revocation subscriber: ping interval must be positive");
  }
  GG_TRY(std::shared_ptr<redis::Pool> pool, redis::Pool::create(options, 1));
  std::unique_ptr<RevocationSubscriber> s(
      new RevocationSubscriber(std::move(pool), options, std::move(handler), sub_options));
  s->thread_ = std::thread([raw = s.get()] { raw->run(); });
  return s;
}

RevocationSubscriber::~RevocationSubscriber() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RevocationSubscriber::waitStop(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, d, [&] { return stop_; });
}

bool RevocationSubscriber::waitSubscribed(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return subscribed_.load(); });
}

RevocationSubscriberStats RevocationSubscriber::stats() const {
  return RevocationSubscriberStats{.events = events_.load(),
                                   .subscriptions = subscriptions_.load(),
                                   .malformed = malformed_.load(),
                                   .subscribed = subscribed_.load()};
}

void RevocationSubscriber::run() {
  std::chrono::milliseconds backoff = backoff_min_;
  for (;;) {
    const std::uint64_t before = subscriptions_.load();
    session();
    if (waitStop(std::chrono::milliseconds(0))) return;
    // A session that got subscribed ended by a failure worth retrying at once; repeated failures
    // to get there back off.
    if (subscriptions_.load() != before) backoff = backoff_min_;
    if (waitStop(backoff)) return;
    backoff = std::min(backoff * 2, backoff_max_);
  }
}

void RevocationSubscriber::deliver(std::string_view id_text, std::string_view json) {
  const std::optional<StreamId> id = parseStreamId(id_text);
  if (!id) {
    malformed_.fetch_add(1, std::memory_order_relaxed);
    log::warn("revocation bus: message without a stream id ignored");
    return;
  }
  if (*id <= last_) return;  // applied already (a push that the log replay also returned)
  auto event = decodeRevocationEvent(json);
  if (!event) {
    // Not applied, and not counted as seen: a garbled message cannot hide later events.
    malformed_.fetch_add(1, std::memory_order_relaxed);
    log::warn("revocation bus: {}", event.error().detail);
    return;
  }
  last_ = *id;
  events_.fetch_add(1, std::memory_order_relaxed);
  handler_(*event);
}

Status RevocationSubscriber::catchUp() {
  const std::string key = prefix_ + "revocations";
  if (!started_ && !sub_options_.replay_on_start) {
    const std::string_view newest[] = {"XREVRANGE", key, "+", "-", "COUNT", "1"};
    GG_TRY(redis::Reply r, pool_->checked(newest));
    if (r.view().size() == 1) {
      if (auto id = parseStreamId(r.view()[0][0].str())) last_ = std::max(last_, *id);
    }
    started_ = true;
    return ok();
  }
  const std::string count = std::to_string(kCatchUpBatch);
  // Pages by the entries read (not by last_, which a garbled entry does not advance).
  StreamId cursor = last_;
  for (;;) {
    // "(" makes the start exclusive (Redis 6.2).
    // (append, not "(" + string: GCC 12 -O3 reports a false -Wrestrict on that operator+)
    std::string from = "-";
    if (cursor != StreamId{0, 0}) from = std::string("(").append(formatStreamId(cursor));
    const std::string_view range[] = {"XRANGE", key, from, "+", "COUNT", count};
    GG_TRY(redis::Reply r, pool_->checked(range));
    const redis::ReplyView entries = r.view();
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const redis::ReplyView entry = entries[i];
      const redis::ReplyView fields = entry[1];
      std::string_view json;
      for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
        if (fields[f].str() == "event") json = fields[f + 1].str();
      }
      deliver(entry[0].str(), json);
      if (auto id = parseStreamId(entry[0].str())) cursor = std::max(cursor, *id);
    }
    if (entries.size() < kCatchUpBatch) break;
  }
  started_ = true;
  return ok();
}

void RevocationSubscriber::session() {
  auto conn = redis::Connection::open(pool_->endpoint(), pool_->timeouts());
  if (!conn) {
    log::debug("revocation bus: {}", conn.error().detail);
    return;
  }
  const std::string channel = prefix_ + "revocations";
  const std::string_view subscribe[] = {"SUBSCRIBE", channel};
  if (!conn->send(subscribe)) return;
  const auto confirm_by = SteadyClock::now() + pool_->timeouts().command;
  for (bool confirmed = false; !confirmed;) {
    auto reply = conn->receive(kReceiveSlice);
    if (!reply) return;
    if (*reply) {
      const redis::ReplyView v = (*reply)->view();
      if (v.isError()) {
        log::warn("revocation bus: SUBSCRIBE refused: {}", v.str());
        return;
      }
      confirmed = v.isArray() && v[0].str() == "subscribe";
    } else if (SteadyClock::now() > confirm_by) {
      return;
    }
  }
  if (auto caught_up = catchUp(); !caught_up) {
    log::warn("revocation bus: cannot read the revocation log: {}", caught_up.error().detail);
    return;
  }
  {
    std::lock_guard lock(mu_);
    subscribed_ = true;
  }
  subscriptions_.fetch_add(1, std::memory_order_relaxed);
  cv_.notify_all();
  log::info("revocation bus: subscribed to {}", channel);

  auto last_activity = SteadyClock::now();
  std::optional<SteadyClock::time_point> ping_sent;
  const std::string_view ping[] = {"PING"};
  for (;;) {
    if (waitStop(std::chrono::milliseconds(0))) break;
    auto reply = conn->receive(kReceiveSlice);
    if (!reply) {
      log::warn("revocation bus: subscription lost ({}); resubscribing", reply.error().detail);
      break;
    }
    const auto now = SteadyClock::now();
    if (*reply) {
      last_activity = now;
      ping_sent.reset();
      const redis::ReplyView v = (*reply)->view();
      if (v.isArray() && v.size() == 3 && v[0].str() == "message") {
        const std::string_view payload = v[2].str();
        const std::size_t nl = payload.find('\n');
        if (nl == std::string_view::npos) {
          malformed_.fetch_add(1, std::memory_order_relaxed);
        } else {
          deliver(payload.substr(0, nl), payload.substr(nl + 1));
        }
      }
      continue;
    }
    if (ping_sent) {
      if (now - *ping_sent > pool_->timeouts().command) {
        log::warn("revocation bus: no answer to PING; resubscribing");
        break;
      }
    } else if (now - last_activity >= sub_options_.ping_interval) {
      if (!conn->send(ping)) break;
      ping_sent = now;
    }
  }
  {
    std::lock_guard lock(mu_);
    subscribed_ = false;
  }
}

}  // namespace gridgate::store
