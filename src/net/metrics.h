// A small Prometheus metrics registry that any module can add to; the server exports it on
// /metrics (text exposition format 0.0.4). No Asio or Beast here.
//
//   // once, at start-up (look-ups take a lock; keep the reference):
//   net::Counter& denied = metrics.counter("gridgate_validator_decisions_total",
//                                          "Token validation decisions", {{"result", "deny"},
//                                          {"reason", "expired"}});
//   net::Histogram& lat = metrics.histogram("gridgate_introspection_seconds", "Introspection call",
//                                           net::MetricsRegistry::latencyBuckets());
//   // on the request path (lock-free):
//   denied.inc();
//   lat.observe(0.0042);
//
// A metric is identified by name and label set; asking again returns the same object, so modules
// may also look up lazily. Names and label names must match Prometheus' grammar, and one name has
// one type: violations throw std::invalid_argument (a programming error, found at start-up).
// Label values are escaped on output. Keep label values bounded (a route pattern, an error reason),
// never a client id or a path.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gridgate::net {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  void inc() { add(1.0); }
  void dec() { add(-1.0); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `bounds`: strictly increasing upper bounds; +Inf is implicit.
  explicit Histogram(std::vector<double> bounds);
  void observe(double v);

  struct Snapshot {
    std::vector<double> bounds;
    std::vector<std::uint64_t> cumulative;  // per bound, then +Inf
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help,
                       const std::vector<double>& bounds, const Labels& labels = {});
  // A gauge computed when /metrics is scraped (queue lengths, cache sizes). `read` must be
  // thread-safe and must not call back into this registry.
  void gaugeCallback(std::string_view name, std::string_view help, const Labels& labels,
                     std::function<double()> read);

  // Prometheus text exposition format, families sorted by name.
  std::string renderPrometheus() const;

  // Request latency buckets in seconds, 100 µs to 10 s.
  static const std::vector<double>& latencyBuckets();

 private:
  struct Family;
  Family& family(std::string_view name, std::string_view help, int type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

}  // namespace gridgate::net
