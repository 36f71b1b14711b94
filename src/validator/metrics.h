// What the validator reports for monitoring (FAPI-CHECKLIST 84), without depending on a metrics
// library: the HTTP adapter implements this over net::MetricsRegistry
// (validator/http/net_metrics.h).
//
//   class Prom final : public validator::MetricsSink {
//     void decision(Reason r) override { (r ? denied[*r] : allowed).inc(); }
//     ...
//   };
//
// Every method is called on the request path, from any thread: keep them lock-free. The default
// implementations do nothing.
#pragma once

#include <optional>

#include "validator/auth_error.h"

namespace gridgate::validator {

enum class Upstream {
  kDiscovery,
  kJwks,
  kIntrospection,
  kUserinfo,
};
inline constexpr std::size_t kUpstreamCount = 4;
std::string_view upstreamName(Upstream upstream);

class MetricsSink {
 public:
  virtual ~MetricsSink() = default;
  // One per finished check: nullopt = allowed, otherwise the reason of the denial.
  virtual void decision(std::optional<Reason> /*denied*/) {}
  // A lookup of the validation cache.
  virtual void cacheLookup(bool /*hit*/) {}
  // One outbound call: its duration and whether it produced a usable answer.
  virtual void upstreamCall(Upstream /*which*/, double /*seconds*/, bool /*ok*/) {}
  // A check used a JWKS older than its refresh interval because refreshing failed.
  virtual void staleJwksServed() {}
};

}  // namespace gridgate::validator
