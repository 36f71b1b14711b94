#include "redis_server.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "free_port.h"  // tests/net

namespace gridgate::store::test {

RedisServer::RedisServer(RedisServerOptions options) : options_(std::move(options)) {
  port_ = net::test::freePort();
  start();
}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    thaw();
    kill9();
  }
}

std::string RedisServer::url() const {
  std::string auth = options_.password.empty() ? "" : ":" + options_.password + "@";
  return "redis://" + auth + "127.0.0.1:" + std::to_string(port_);
}

bool RedisServer::start() {
  if (pid_ > 0) return true;
  std::vector<std::string> args = {"/usr/bin/redis-server",
                                   "--port",
                                   std::to_string(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--dir",
                                   dir_.path().string(),
                                   "--daemonize",
                                   "no",
                                   "--logfile",
                                   (dir_.path() / "redis.log").string(),
                                   "--maxmemory-policy",
                                   options_.maxmemory_policy,
                                   "--appendonly",
                                   options_.aof ? "yes" : "no",
                                   "--appendfsync",
                                   options_.appendfsync};
  if (!options_.password.empty()) {
    args.insert(args.end(), {"--requirepass", options_.password});
  }
  if (options_.unix_socket) {
    args.insert(args.end(), {"--unixsocket", socketPath().string(), "--unixsocketperm", "700"});
  }
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Waiting for an external process to come up: real time, bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    auto pong = command({"PING"});
    if (pong && pong->view().str() == "PONG") return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void RedisServer::reap() {
  if (pid_ <= 0) return;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  reap();
}

void RedisServer::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  reap();
}

void RedisServer::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

Result<redis::Reply> RedisServer::command(std::initializer_list<std::string_view> argv) const {
  RedisEndpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port_;
  ep.password = options_.password;
  GG_TRY(redis::Connection c,
         redis::Connection::open(ep, redis::Timeouts{std::chrono::milliseconds(1000),
                                                     std::chrono::milliseconds(5000)}));
  return c.command(std::vector<std::string_view>(argv));
}

Result<redis::Reply> RedisServer::command(const std::vector<std::string>& argv) const {
  RedisEndpoint ep;
  ep.host = "127.0.0.1";
  ep.port = port_;
  ep.password = options_.password;
  GG_TRY(redis::Connection c,
         redis::Connection::open(ep, redis::Timeouts{std::chrono::milliseconds(1000),
                                                     std::chrono::milliseconds(5000)}));
  std::vector<std::string_view> views(argv.begin(), argv.end());
  return c.command(views);
}

}  // namespace gridgate::store::test
