// The validator's metrics in net's Prometheus registry (FAPI-CHECKLIST 84).
//
//   auto metrics = std::make_shared<validator::http::NetMetrics>(server.metrics());
//   GG_TRY(auto v, validator::Validator::create(config, {.fetcher = f, .metrics = metrics}));
//   validator::http::exportCacheGauges(server.metrics(), v);
//
// Families:
//   gridgate_validator_decisions_total{result="allow"|"deny", reason}     allow/deny by reason
//   gridgate_validator_cache_lookups_total{result="hit"|"miss"}
//   gridgate_validator_cache_entries, gridgate_validator_cache_capacity   (scraped)
//   gridgate_validator_upstream_seconds{upstream}                         latency histogram
//   gridgate_validator_upstream_failures_total{upstream}                  unreachable or 5xx
//   gridgate_validator_jwks_stale_served_total                            issuer down, old keys
// Every label set is registered up front, so reporting on the request path takes no lock.
#pragma once

#include <array>
#include <memory>

#include "net/metrics.h"
#include "validator/metrics.h"
#include "validator/validator.h"

namespace gridgate::validator::http {

class NetMetrics final : public MetricsSink {
 public:
  explicit NetMetrics(net::MetricsRegistry& registry);

  void decision(std::optional<Reason> denied) override;
  void cacheLookup(bool hit) override;
  void upstreamCall(Upstream which, double seconds, bool ok) override;
  void staleJwksServed() override;

 private:
  net::Counter* allowed_;
  std::array<net::Counter*, kReasonCount> denied_{};
  net::Counter* hits_;
  net::Counter* misses_;
  std::array<net::Histogram*, kUpstreamCount> latency_{};
  std::array<net::Counter*, kUpstreamCount> failures_{};
  net::Counter* stale_;
};

// Gauges read at scrape time: cache entries and capacity. The registry holds only a weak
// reference to the validator.
void exportCacheGauges(net::MetricsRegistry& registry, const std::shared_ptr<const Validator>& v,
                       const net::Labels& labels = {});

}  // namespace gridgate::validator::http
