#include "net/blocking_pool.h"

#include "core/log.h"

namespace gridgate::net {

namespace {

// On a worker thread: its pool. Reset when the pool was destroyed by the task the worker ran (the
// task, or what it captured, held the last reference): the worker must not touch it again.
thread_local const BlockingPool* t_worker_of = nullptr;

}  // namespace

BlockingPool::BlockingPool(unsigned threads, std::size_t max_queue) : max_queue_(max_queue) {
  if (threads == 0) threads = 1;
  live_ = threads;
  workers_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) workers_.emplace_back([this] { run(); });
}

BlockingPool::~BlockingPool() {
  stop();
  const bool own = t_worker_of == this;
  if (own) {
    // Destroyed from one of its own tasks. stop() joined the other workers, which drained the
    // queue; with a single worker, what is left runs here.
    for (;;) {
      std::function<void()> task;
      {
        std::lock_guard lock(mu_);
        if (queue_.empty()) break;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }
  // A worker that a task's stop() detached may still be running or draining: wait until it has
  // left run() (every worker but this one, when this is one of them).
  {
    std::unique_lock lock(mu_);
    exited_.wait(lock, [&] { return live_ == (own ? 1U : 0U); });
  }
  // This worker's loop returns without touching the pool's memory again.
  if (own) t_worker_of = nullptr;
}

bool BlockingPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= max_queue_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void BlockingPool::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (!t.joinable()) continue;
    if (t.get_id() == std::this_thread::get_id()) {
      t.detach();  // stop() from a task: this worker returns once the queue is drained
    } else {
      t.join();
    }
  }
  workers_.clear();
}

std::size_t BlockingPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void BlockingPool::run() {
  t_worker_of = this;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {  // stopping and drained
        --live_;
        exited_.notify_all();  // under the lock: the destructor cannot free it before we are done
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
    task = nullptr;                   // its captures may hold the last reference to this pool
    if (t_worker_of != this) return;  // they did (or the task dropped it): `this` is gone
  }
}

}  // namespace gridgate::net
