// One outbound call to an issuer, timed and counted (introspection and JWKS latency and failures
// are FAPI-CHECKLIST 84 metrics).
//
//   GG_TRY(FetchResponse res, fetchUpstream(fetcher, metrics, Upstream::kJwks, request));
//
// The call counts as failed in the metrics when the issuer could not be reached or answered 5xx.
#pragma once

#include "core/result.h"
#include "validator/fetcher.h"
#include "validator/metrics.h"

namespace gridgate::validator {

[[nodiscard]] Result<FetchResponse> fetchUpstream(Fetcher& fetcher, MetricsSink& metrics,
                                                  Upstream which, const FetchRequest& request);

}  // namespace gridgate::validator
