// Threads for blocking work (SQLite, hiredis, password hashing) so that it never runs on an I/O
// thread. No Asio here: handler code posts to it directly.
//
//   auto pool = std::make_shared<net::BlockingPool>(4);
//   router->add(Method::kPost, "/token", [pool](const Request& req, Respond done) {
//     if (!pool->post([&req, done] { done(issueToken(req)); })) done(Response::text(503, "busy"));
//   });
//
// The queue is bounded: post() refuses work beyond `max_queue` (the caller answers 503) instead of
// letting latency grow without limit. stop() runs what is queued, then joins; called from one of
// the pool's own tasks it cannot join that worker, and the destructor waits for it instead.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gridgate::net {

class BlockingPool {
 public:
  explicit BlockingPool(unsigned threads, std::size_t max_queue = 4096);
  ~BlockingPool();
  BlockingPool(const BlockingPool&) = delete;
  BlockingPool& operator=(const BlockingPool&) = delete;

  // False if the queue is full or the pool is stopping; the task is then not run.
  [[nodiscard]] bool post(std::function<void()> task);
  void stop();
  std::size_t queued() const;
  unsigned threads() const { return static_cast<unsigned>(workers_.size()); }

 private:
  void run();

  const std::size_t max_queue_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::condition_variable exited_;  // a worker left run()
  bool stopping_ = false;
  unsigned live_ = 0;  // workers still inside run(), joined or detached
  std::vector<std::thread> workers_;
};

}  // namespace gridgate::net
