#include "validator/upstream.h"

#include <chrono>

namespace gridgate::validator {

std::string_view upstreamName(Upstream upstream) {
  switch (upstream) {
    case Upstream::kDiscovery:
      return "discovery";
    case Upstream::kJwks:
      return "jwks";
    case Upstream::kIntrospection:
      return "introspection";
    case Upstream::kUserinfo:
      return "userinfo";
  }
  return "unknown";
}

Result<FetchResponse> fetchUpstream(Fetcher& fetcher, MetricsSink& metrics, Upstream which,
                                    const FetchRequest& request) {
  // Latency is real elapsed time, not the injected Clock (which only governs validity and TTLs).
  const auto start = std::chrono::steady_clock::now();
  Result<FetchResponse> res = fetcher.fetch(request);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  metrics.upstreamCall(which, took.count(), res.has_value() && res->status < 500);
  return res;
}

}  // namespace gridgate::validator
