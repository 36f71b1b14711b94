#include "store/redis/pool.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <utility>

#include "core/bytes.h"
#include "core/log.h"

namespace gridgate::store::redis {

using SteadyClock = std::chrono::steady_clock;

Script::Script(std::string body) : body_(std::move(body)) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // SHA-1 is what Redis names scripts by; it is no security decision here.
  if (EVP_Digest(body_.data(), body_.size(), md, &len, EVP_sha1(), nullptr) != 1) {
    std::abort();  // start-up: OpenSSL without SHA-1 cannot run the store at all
  }
  sha1_ = hexEncode(ByteView(md, len));
}

Pool::Pool(RedisEndpoint endpoint, Timeouts timeouts, std::size_t size,
           std::chrono::milliseconds backoff_min, std::chrono::milliseconds backoff_max)
    : endpoint_(std::move(endpoint)),
      timeouts_(timeouts),
      size_(size),
      backoff_min_(backoff_min),
      backoff_max_(backoff_max) {}

Pool::~Pool() = default;

Result<std::shared_ptr<Pool>> Pool::create(const RedisOptions& options, std::size_t size) {
  GG_TRY(RedisEndpoint endpoint, resolveRedisEndpoint(options));
  if (size == 0) return fail(Errc::kInvalidArgument, "redis: pool size must be at least 1");
  if (options.connect_timeout.count() <= 0 || options.command_timeout.count() <= 0) {
    return fail(Errc::kInvalidArgument, "redis: timeouts must be positive");
  }
  if (options.backoff_min.count() <= 0 || options.backoff_max < options.backoff_min) {
    return fail(Errc::kInvalidArgument, "redis: back-off must be positive, min <= max");
  }
  return std::shared_ptr<Pool>(new Pool(std::move(endpoint),
                                        Timeouts{options.connect_timeout, options.command_timeout},
                                        size, options.backoff_min, options.backoff_max));
}

void Pool::markDownLocked(SteadyClock::time_point now) {
  if (!down_) log::warn("redis: unreachable; failing fast and reconnecting with back-off");
  if (!down_ || now >= retry_at_) {
    backoff_ = backoff_.count() == 0 ? backoff_min_ : std::min(backoff_ * 2, backoff_max_);
    retry_at_ = now + backoff_;
  }
  down_ = true;
  // Idle connections to a server that just failed are suspect (a hung server would make each
  // of them wait for the command timeout): they go, and the probe starts afresh.
  open_ -= idle_.size();
  idle_.clear();
}

void Pool::markUpLocked() {
  if (down_) log::info("redis: reachable again");
  down_ = false;
  backoff_ = std::chrono::milliseconds(0);
}

Result<Connection> Pool::acquire() {
  std::unique_lock lock(mu_);
  const auto deadline = SteadyClock::now() + timeouts_.command;
  for (;;) {
    bool probe = false;
    if (down_) {
      if (probing_ || SteadyClock::now() < retry_at_) {
        fast_failures_.fetch_add(1, std::memory_order_relaxed);
        return fail(Errc::kUnavailable, "redis: unavailable (reconnecting)");
      }
      probing_ = true;
      probe = true;
    }
    if (!probe && !idle_.empty()) {
      Connection c = std::move(idle_.back());
      idle_.pop_back();
      if (c.idleLooksAlive()) return c;
      --open_;  // closed by the server (a restart): replace it
      continue;
    }
    if (probe || open_ < size_) {
      ++open_;
      lock.unlock();
      auto conn = Connection::open(endpoint_, timeouts_);
      if (conn && probe) {
        const std::string_view ping[] = {"PING"};
        auto pong = conn->command(ping);
        if (!pong) {
          conn = fail(pong.error());
        } else if (pong->view().isError()) {
          conn = fail(replyError(pong->view(), "PING"));
        }
      }
      lock.lock();
      if (probe) probing_ = false;
      if (!conn) {
        --open_;
        connect_failures_.fetch_add(1, std::memory_order_relaxed);
        markDownLocked(SteadyClock::now());
        idle_cv_.notify_all();
        return fail(conn.error());
      }
      connects_.fetch_add(1, std::memory_order_relaxed);
      if (probe) markUpLocked();
      return std::move(*conn);
    }
    if (idle_cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
      return fail(Errc::kUnavailable, "redis: every pooled connection stayed busy");
    }
  }
}

void Pool::release(Connection conn) {
  std::lock_guard lock(mu_);
  if (conn.broken()) {
    --open_;
    io_failures_.fetch_add(1, std::memory_order_relaxed);
    markDownLocked(SteadyClock::now());
  } else if (down_) {
    --open_;  // the server failed meanwhile: do not keep connections from before
  } else {
    idle_.push_back(std::move(conn));
  }
  idle_cv_.notify_one();
}

template <class F>
auto Pool::withConnection(F&& fn) -> std::invoke_result_t<F&, Connection&> {
  GG_TRY(Connection conn, acquire());
  commands_.fetch_add(1, std::memory_order_relaxed);
  auto result = fn(conn);
  release(std::move(conn));
  return result;
}

Result<Reply> Pool::command(std::span<const std::string_view> argv) {
  return withConnection([&](Connection& c) { return c.command(argv); });
}

Result<Reply> Pool::checked(std::span<const std::string_view> argv) {
  GG_TRY(Reply r, command(argv));
  if (r.view().isError()) return fail(replyError(r.view(), argv.empty() ? "" : argv.front()));
  return r;
}

Result<Reply> Pool::eval(const Script& script, std::span<const std::string_view> args) {
  std::vector<std::string_view> argv;
  argv.reserve(args.size() + 3);
  argv.push_back("EVALSHA");
  argv.push_back(script.sha1());
  argv.push_back("0");
  argv.insert(argv.end(), args.begin(), args.end());
  return withConnection([&](Connection& c) -> Result<Reply> {
    GG_TRY(Reply r, c.command(argv));
    if (r.view().isError() && r.view().str().starts_with("NOSCRIPT")) {
      argv[0] = "EVAL";
      argv[1] = script.body();
      GG_TRY(r, c.command(argv));
    }
    if (r.view().isError()) return fail(replyError(r.view(), "script"));
    return r;
  });
}

PoolStats Pool::stats() const {
  PoolStats s;
  s.commands = commands_.load(std::memory_order_relaxed);
  s.io_failures = io_failures_.load(std::memory_order_relaxed);
  s.connects = connects_.load(std::memory_order_relaxed);
  s.connect_failures = connect_failures_.load(std::memory_order_relaxed);
  s.fast_failures = fast_failures_.load(std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  s.up = !down_;
  return s;
}

}  // namespace gridgate::store::redis
