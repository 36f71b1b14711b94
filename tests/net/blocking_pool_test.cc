// net::BlockingPool: bounded queue, stop() runs what is queued, and a pool whose last reference
// is dropped by one of its own tasks (a task capturing an object that owns the pool, as the
// validator's HTTP adapter does) is destroyed on that worker without touching freed memory (ASan
// found the worker reading the pool's mutex after the destructor in CI), and a pool stopped by
// one of its own tasks and destroyed from another thread waits for that task's worker.
#include "net/blocking_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

namespace gridgate::net {
namespace {

using namespace std::chrono_literals;

template <class Pred>
bool waitUntil(Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(BlockingPool, RunsTasksAndRefusesBeyondTheQueue) {
  BlockingPool pool(1, 2);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.post([released, &ran] {
    released.wait();
    ++ran;
  }));
  // The first task holds a queue slot until the worker takes it: 1 or 2 more fit.
  int accepted = 0;
  while (accepted < 10 && pool.post([&ran] { ++ran; })) ++accepted;
  EXPECT_GE(accepted, 1);
  EXPECT_LE(accepted, 2);
  release.set_value();
  pool.stop();  // runs what is queued, then joins
  EXPECT_EQ(ran.load(), 1 + accepted);
  EXPECT_FALSE(pool.post([] {}));
}

TEST(BlockingPool, DestroyedByItsOwnTaskOnAWorker) {
  for (const unsigned threads : {1U, 2U, 4U}) {
    for (int round = 0; round < 20; ++round) {
      auto pool = std::make_shared<BlockingPool>(threads);
      const std::weak_ptr<BlockingPool> weak = pool;
      std::promise<void> dropped;
      std::shared_future<void> main_dropped = dropped.get_future().share();
      std::atomic<int> ran{0};
      // The task owns a reference and waits until the test has dropped its own, so the task's
      // destruction on the worker destroys the pool.
      ASSERT_TRUE(pool->post([owner = pool, main_dropped, &ran] {
        main_dropped.wait();
        ++ran;
      }));
      ASSERT_TRUE(pool->post([&ran] { ++ran; }));  // queued behind it: still runs
      pool.reset();
      dropped.set_value();
      ASSERT_TRUE(waitUntil([&] { return weak.expired() && ran.load() == 2; }))
          << threads << " threads, round " << round << ", ran " << ran.load();
    }
  }
}

TEST(BlockingPool, TaskDroppingTheLastReferenceInItsBody) {
  for (int round = 0; round < 20; ++round) {
    auto holder =
        std::make_shared<std::shared_ptr<BlockingPool>>(std::make_shared<BlockingPool>(2));
    const std::weak_ptr<BlockingPool> weak = *holder;
    std::promise<void> go;
    std::shared_future<void> started = go.get_future().share();
    ASSERT_TRUE((*holder)->post([holder, started] {
      started.wait();
      holder->reset();  // the pool is destroyed here, inside its own task
    }));
    go.set_value();
    ASSERT_TRUE(waitUntil([&] { return weak.expired(); })) << "round " << round;
  }
}

TEST(BlockingPool, StoppedByItsOwnTaskThenDestroyedFromAnotherThread) {
  for (const unsigned threads : {1U, 2U}) {
    for (int round = 0; round < 10; ++round) {
      auto pool = std::make_unique<BlockingPool>(threads);
      std::promise<void> stopped;
      std::atomic<bool> finished{false};
      std::atomic<int> ran{0};
      // stop() from a task cannot join its own worker: it is detached and drains the queue.
      ASSERT_TRUE(pool->post([&pool, &stopped, &finished, &ran] {
        pool->stop();
        stopped.set_value();
        std::this_thread::sleep_for(20ms);  // still running while the test destroys the pool
        ++ran;
        finished = true;
      }));
      ASSERT_TRUE(pool->post([&ran] { ++ran; }));  // queued before stop(): still runs
      stopped.get_future().wait();
      EXPECT_FALSE(pool->post([] {}));
      pool.reset();  // must wait for the detached worker, which would touch freed memory after
      EXPECT_TRUE(finished.load()) << threads << " threads, round " << round;
      EXPECT_EQ(ran.load(), 2) << threads << " threads, round " << round;
    }
  }
}

}  // namespace
}  // namespace gridgate::net
