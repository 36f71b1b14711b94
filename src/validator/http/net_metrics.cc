#include "validator/http/net_metrics.h"

namespace gridgate::validator::http {

namespace {
constexpr const char* kDecisions = "gridgate_validator_decisions_total";
constexpr const char* kDecisionsHelp = "Token validation decisions by result and reason";
}  // namespace

NetMetrics::NetMetrics(net::MetricsRegistry& registry) {
  allowed_ = &registry.counter(kDecisions, kDecisionsHelp, {{"result", "allow"}, {"reason", "ok"}});
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    const auto reason = static_cast<Reason>(i);
    if (reason == Reason::kNeedsIo) continue;  // never a decision
    denied_[i] =
        &registry.counter(kDecisions, kDecisionsHelp,
                          {{"result", "deny"}, {"reason", std::string(reasonName(reason))}});
  }
  hits_ = &registry.counter("gridgate_validator_cache_lookups_total", "Validation cache lookups",
                            {{"result", "hit"}});
  misses_ = &registry.counter("gridgate_validator_cache_lookups_total", "Validation cache lookups",
                              {{"result", "miss"}});
  for (std::size_t i = 0; i < kUpstreamCount; ++i) {
    const net::Labels labels{{"upstream", std::string(upstreamName(static_cast<Upstream>(i)))}};
    latency_[i] = &registry.histogram("gridgate_validator_upstream_seconds",
                                      "Calls from the validator to issuers",
                                      net::MetricsRegistry::latencyBuckets(), labels);
    failures_[i] = &registry.counter("gridgate_validator_upstream_failures_total",
                                     "Issuer calls that failed (unreachable or 5xx)", labels);
  }
  stale_ = &registry.counter("gridgate_validator_jwks_stale_served_total",
                             "Checks that used a JWKS that could not be refreshed");
}

void NetMetrics::decision(std::optional<Reason> denied) {
  if (!denied) {
    allowed_->inc();
    return;
  }
  if (net::Counter* c = denied_[static_cast<std::size_t>(*denied)]) c->inc();
}

void NetMetrics::cacheLookup(bool hit) { (hit ? hits_ : misses_)->inc(); }

void NetMetrics::upstreamCall(Upstream which, double seconds, bool ok) {
  const auto i = static_cast<std::size_t>(which);
  latency_[i]->observe(seconds);
  if (!ok) failures_[i]->inc();
}

void NetMetrics::staleJwksServed() { stale_->inc(); }

void exportCacheGauges(net::MetricsRegistry& registry, const std::shared_ptr<const Validator>& v,
                       const net::Labels& labels) {
  std::weak_ptr<const Validator> weak = v;
  registry.gaugeCallback("gridgate_validator_cache_entries", "Entries in the validation cache",
                         labels, [weak] {
                           auto p = weak.lock();
                           return p ? static_cast<double>(p->cacheSize()) : 0.0;
                         });
  registry.gaugeCallback("gridgate_validator_cache_capacity", "Size bound of the validation cache",
                         labels, [weak] {
                           auto p = weak.lock();
                           return p ? static_cast<double>(p->cacheCapacity()) : 0.0;
                         });
}

}  // namespace gridgate::validator::http
