// Collapses concurrent identical work into one call: N requests that miss the cache for the same
// token make one introspection call, and all N get its answer.
//
//   SingleFlight<TokenHash, Outcome, KeyHash> flights;
//   Outcome o = flights.run(hash, [&] { return introspect(token); });   // leader runs it
//
// The first caller for a key runs `work`; callers arriving while it runs block until it finishes
// and receive a copy of its result. Blocking is the point, so never call run() on an I/O thread.
// The key is removed when the work finishes: a later call runs again (the cache is what makes a
// later call cheap).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

namespace gridgate::validator {

template <class Key, class Value, class Hash = std::hash<Key>>
class SingleFlight {
 public:
  template <class Work>
  Value run(const Key& key, Work&& work) {
    std::shared_ptr<Flight> flight;
    {
      std::unique_lock lock(mu_);
      auto [it, leader] = flights_.try_emplace(key, nullptr);
      if (!leader) {
        flight = it->second;
        ++waiting_;
        flight->cv.wait(lock, [&] { return flight->value.has_value(); });
        --waiting_;
        return *flight->value;
      }
      it->second = std::make_shared<Flight>();
      flight = it->second;
    }
    Value value = std::forward<Work>(work)();
    {
      std::lock_guard lock(mu_);
      flight->value = value;
      flights_.erase(key);
    }
    flight->cv.notify_all();
    return value;
  }

  // Keys with work in progress, and callers waiting for one (for tests and metrics).
  std::size_t inFlight() const {
    std::lock_guard lock(mu_);
    return flights_.size();
  }
  std::size_t waiting() const {
    std::lock_guard lock(mu_);
    return waiting_;
  }

 private:
  struct Flight {
    std::condition_variable cv;
    std::optional<Value> value;  // guarded by mu_
  };
  mutable std::mutex mu_;
  std::unordered_map<Key, std::shared_ptr<Flight>, Hash> flights_;
  std::size_t waiting_ = 0;
};

}  // namespace gridgate::validator
