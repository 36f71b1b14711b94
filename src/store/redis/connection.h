// One hiredis connection (blocking, with connect and command timeouts), its replies as RAII
// values, and the mapping of every failure to Errc::kUnavailable. Internal to the Redis store and
// the revocation bus.
//
//   GG_TRY(redis::Connection c, redis::Connection::open(endpoint, timeouts));
//   std::string_view argv[] = {"HGETALL", key};
//   GG_TRY(redis::Reply r, c.command(argv));
//   if (r.isNil()) ...
//
// A command that fails on I/O (timeout, reset, EOF) leaves the connection broken(): it is thrown
// away, never reused (hiredis cannot resynchronise a stream after a partial reply). Such a
// command may or may not have run on the server; callers answer kUnavailable (503), never a
// guess.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/redis/redis_options.h"

struct redisContext;
struct redisReply;

namespace gridgate::store::redis {

// A borrowed view of one element of a reply (valid while its Reply lives).
class ReplyView {
 public:
  explicit ReplyView(const redisReply* r) : r_(r) {}
  bool isNil() const;
  bool isError() const;
  bool isArray() const;
  bool isInteger() const;
  bool isString() const;  // bulk or status
  std::int64_t integer() const;
  std::string_view str() const;  // bulk, status or error text
  std::size_t size() const;      // array elements
  ReplyView operator[](std::size_t i) const;

 private:
  const redisReply* r_;
};

class Reply {
 public:
  Reply() = default;
  explicit Reply(redisReply* r);
  ReplyView view() const { return ReplyView(r_.get()); }

 private:
  struct Free {
    void operator()(redisReply* r) const noexcept;
  };
  std::unique_ptr<redisReply, Free> r_;
};

struct Timeouts {
  std::chrono::milliseconds connect{500};
  std::chrono::milliseconds command{1000};
};

class Connection {
 public:
  // Connects, sets the command timeout and TCP keep-alive, then AUTH and SELECT as the endpoint
  // says. kUnavailable on any failure.
  [[nodiscard]] static Result<Connection> open(const RedisEndpoint& endpoint,
                                               const Timeouts& timeouts);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;
  ~Connection();

  // One command; an error reply is returned as a Reply (isError()), I/O failures as kUnavailable.
  [[nodiscard]] Result<Reply> command(std::span<const std::string_view> argv);
  // Several commands in one round trip; replies in order. Any I/O failure fails the whole call.
  [[nodiscard]] Result<std::vector<Reply>> pipeline(
      std::span<const std::span<const std::string_view>> commands);

  // Sends a command without waiting for its reply (pub/sub).
  [[nodiscard]] Status send(std::span<const std::string_view> argv);
  // The next reply if one arrives within `wait` (nullopt on timeout); kUnavailable on EOF/error.
  [[nodiscard]] Result<std::optional<Reply>> receive(std::chrono::milliseconds wait);

  // True once an I/O error happened: the connection must be discarded.
  bool broken() const;
  // False if the peer has closed the connection or sent something unsolicited while idle (a
  // restarted server): checked without blocking before a pooled connection is reused.
  bool idleLooksAlive() const;
  int fd() const;

 private:
  struct Free {
    void operator()(redisContext* c) const noexcept;
  };
  explicit Connection(redisContext* c) : c_(c) {}
  Error ioError(std::string_view what) const;

  std::unique_ptr<redisContext, Free> c_;
  bool broken_ = false;
};

// kUnavailable carrying the server's error text (logs only).
Error replyError(const ReplyView& reply, std::string_view what);

}  // namespace gridgate::store::redis
