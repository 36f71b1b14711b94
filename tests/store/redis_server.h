// A real redis-server (/usr/bin/redis-server) for a test: its own temp dir and free port, no
// persistence unless asked (AOF for the durability tests), stopped with the test. The tests stop,
// kill, freeze and restart it to see what the store does while Redis is away.
//
//   RedisServer redis;                                  // started; dies with the test process
//   store::RedisOptions o{.url = redis.url()};
//   redis.kill9();  ... calls fail with kUnavailable ...;  redis.start();
//   redis.command({"CONFIG", "GET", "appendonly"});
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/redis/connection.h"
#include "temp_dir.h"

namespace gridgate::store::test {

struct RedisServerOptions {
  bool aof = false;
  std::string appendfsync = "everysec";  // always | everysec | no (with aof)
  std::string password{};                // requirepass; empty: none
  std::string maxmemory_policy = "noeviction";
  bool unix_socket = false;  // also listen on <dir>/redis.sock
};

class RedisServer {
 public:
  explicit RedisServer(RedisServerOptions options = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  std::uint16_t port() const { return port_; }
  // redis://[:password@]127.0.0.1:port
  std::string url() const;
  std::filesystem::path socketPath() const { return dir_.path() / "redis.sock"; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // Starts (again, on the same port and directory) and waits until it answers PING. False if it
  // does not within 10 s.
  bool start();
  void stop();    // SHUTDOWN NOSAVE semantics via SIGTERM, waits for the exit
  void kill9();   // SIGKILL, waits for the exit
  void freeze();  // SIGSTOP: connections stay open, nothing answers
  void thaw();    // SIGCONT
  bool running() const { return pid_ > 0; }

  // A command on a fresh connection (test inspection); kUnavailable when the server is down.
  Result<redis::Reply> command(std::initializer_list<std::string_view> argv) const;
  Result<redis::Reply> command(const std::vector<std::string>& argv) const;

 private:
  void reap();

  RedisServerOptions options_;
  conformance::TempDir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace gridgate::store::test
