#include "store/redis/connection.h"

#include <hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace gridgate::store::redis {
namespace {

timeval toTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// hiredis takes argv as parallel arrays of pointers and lengths (binary-safe).
struct Argv {
  explicit Argv(std::span<const std::string_view> args) {
    ptrs.reserve(args.size());
    lens.reserve(args.size());
    for (std::string_view a : args) {
      ptrs.push_back(a.data());
      lens.push_back(a.size());
    }
  }
  int count() const { return static_cast<int>(ptrs.size()); }
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
};

}  // namespace

bool ReplyView::isNil() const { return r_ == nullptr || r_->type == REDIS_REPLY_NIL; }
bool ReplyView::isError() const { return r_ != nullptr && r_->type == REDIS_REPLY_ERROR; }
bool ReplyView::isArray() const { return r_ != nullptr && r_->type == REDIS_REPLY_ARRAY; }
bool ReplyView::isInteger() const { return r_ != nullptr && r_->type == REDIS_REPLY_INTEGER; }
bool ReplyView::isString() const {
  return r_ != nullptr && (r_->type == REDIS_REPLY_STRING || r_->type == REDIS_REPLY_STATUS);
}
std::int64_t ReplyView::integer() const { return isInteger() ? r_->integer : 0; }
std::string_view ReplyView::str() const {
  if (r_ == nullptr || r_->str == nullptr) return {};
  return {r_->str, r_->len};
}
std::size_t ReplyView::size() const { return isArray() ? r_->elements : 0; }
ReplyView ReplyView::operator[](std::size_t i) const {
  return ReplyView(i < size() ? r_->element[i] : nullptr);
}

Reply::Reply(redisReply* r) : r_(r) {}
void Reply::Free::operator()(redisReply* r) const noexcept { freeReplyObject(r); }
void Connection::Free::operator()(redisContext* c) const noexcept { redisFree(c); }

Connection::~Connection() = default;

Error replyError(const ReplyView& reply, std::string_view what) {
  return Error{Errc::kUnavailable,
               "redis: " + std::string(what) + ": " + std::string(reply.str().substr(0, 200))};
}

Error Connection::ioError(std::string_view what) const {
  std::string reason = c_ && c_->err != 0 ? std::string(c_->errstr) : "connection lost";
  if (c_ && c_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    reason = "timed out";
  }
  return Error{Errc::kUnavailable, "redis: " + std::string(what) + ": " + reason};
}

Result<Connection> Connection::open(const RedisEndpoint& ep, const Timeouts& timeouts) {
  const timeval connect_tv = toTimeval(timeouts.connect);
  redisContext* raw = ep.unix_path.empty()
                          ? redisConnectWithTimeout(ep.host.c_str(), ep.port, connect_tv)
                          : redisConnectUnixWithTimeout(ep.unix_path.c_str(), connect_tv);
  if (raw == nullptr) return fail(Errc::kUnavailable, "redis: cannot allocate a connection");
  Connection conn(raw);
  if (raw->err != 0) {
    return fail(Errc::kUnavailable, "redis: connect: " + std::string(raw->errstr));
  }
  if (redisSetTimeout(raw, toTimeval(timeouts.command)) != REDIS_OK) {
    return fail(conn.ioError("set timeout"));
  }
  if (ep.unix_path.empty()) (void)redisEnableKeepAlive(raw);
  if (!ep.password.empty()) {
    std::vector<std::string_view> auth = {"AUTH"};
    if (!ep.username.empty()) auth.push_back(ep.username);
    auth.push_back(ep.password);
    GG_TRY(Reply r, conn.command(auth));
    // The server's text ("WRONGPASS ...") names no secret.
    if (r.view().isError()) return fail(replyError(r.view(), "AUTH"));
  }
  if (ep.database != 0) {
    const std::string db = std::to_string(ep.database);
    const std::string_view select[] = {"SELECT", db};
    GG_TRY(Reply r, conn.command(select));
    if (r.view().isError()) return fail(replyError(r.view(), "SELECT"));
  }
  return conn;
}

Result<Reply> Connection::command(std::span<const std::string_view> argv) {
  if (broken_) return fail(Errc::kUnavailable, "redis: connection broken");
  Argv a(argv);
  void* raw = redisCommandArgv(c_.get(), a.count(), a.ptrs.data(), a.lens.data());
  if (raw == nullptr) {
    broken_ = true;
    return fail(ioError(argv.empty() ? "command" : argv.front()));
  }
  return Reply(static_cast<redisReply*>(raw));
}

Result<std::vector<Reply>> Connection::pipeline(
    std::span<const std::span<const std::string_view>> commands) {
  if (broken_) return fail(Errc::kUnavailable, "redis: connection broken");
  for (auto argv : commands) {
    Argv a(argv);
    if (redisAppendCommandArgv(c_.get(), a.count(), a.ptrs.data(), a.lens.data()) != REDIS_OK) {
      broken_ = true;
      return fail(ioError("pipeline"));
    }
  }
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(c_.get(), &raw) != REDIS_OK || raw == nullptr) {
      broken_ = true;
      return fail(ioError("pipeline"));
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

Status Connection::send(std::span<const std::string_view> argv) {
  if (broken_) return fail(Errc::kUnavailable, "redis: connection broken");
  Argv a(argv);
  if (redisAppendCommandArgv(c_.get(), a.count(), a.ptrs.data(), a.lens.data()) != REDIS_OK) {
    broken_ = true;
    return fail(ioError("send"));
  }
  int done = 0;
  while (done == 0) {
    if (redisBufferWrite(c_.get(), &done) != REDIS_OK) {
      broken_ = true;
      return fail(ioError("send"));
    }
  }
  return ok();
}

Result<std::optional<Reply>> Connection::receive(std::chrono::milliseconds wait) {
  if (broken_) return fail(Errc::kUnavailable, "redis: connection broken");
  auto take = [&]() -> Result<std::optional<Reply>> {
    void* raw = nullptr;
    if (redisGetReplyFromReader(c_.get(), &raw) != REDIS_OK) {
      broken_ = true;
      return fail(ioError("receive"));
    }
    if (raw == nullptr) return std::optional<Reply>();
    return std::optional<Reply>(Reply(static_cast<redisReply*>(raw)));
  };
  GG_TRY(std::optional<Reply> buffered, take());
  if (buffered) return buffered;
  pollfd p{.fd = c_->fd, .events = POLLIN, .revents = 0};
  const int n = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (n < 0 && errno != EINTR) {
    broken_ = true;
    return fail(Errc::kUnavailable, std::string("redis: poll: ") + std::strerror(errno));
  }
  if (n <= 0) return std::optional<Reply>();
  if (redisBufferRead(c_.get()) != REDIS_OK) {
    broken_ = true;
    return fail(ioError("receive"));
  }
  return take();
}

bool Connection::broken() const { return broken_ || c_ == nullptr || c_->err != 0; }

bool Connection::idleLooksAlive() const {
  if (broken()) return false;
  pollfd p{.fd = c_->fd, .events = POLLIN, .revents = 0};
  // An idle RESP2 connection never has anything to read: readable means EOF, an error, or a
  // stray reply; any of them makes the connection unusable.
  return ::poll(&p, 1, 0) == 0;
}

int Connection::fd() const { return c_ ? c_->fd : -1; }

}  // namespace gridgate::store::redis
