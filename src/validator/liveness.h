// Token liveness from exp / nbf / iat, checked on every request, cached or not (the seed's rule:
// a cached introspection answer is not a licence to serve an expired token).
//
//   if (auto reason = checkLiveness(record, clock.unixSeconds(), {.leeway = Seconds(30)})) deny...
//
// FAPI 2.0 clock rule, as jose::validate applies it to JWTs: exp is honoured with the leeway
// (0..60 s); nbf and iat up to 10 s in the future are always accepted, more than 60 s never, in
// between only within the leeway.
#pragma once

#include <cstdint>
#include <optional>

#include "core/clock.h"
#include "validator/auth_error.h"
#include "validator/token_info.h"

namespace gridgate::validator {

struct LivenessRules {
  Seconds leeway{0};
  bool require_exp = true;
};

// nullopt when live; otherwise kExpired, kNotYetValid or kMissingClaim (no exp).
std::optional<Reason> checkLiveness(const TokenRecord& record, std::int64_t now,
                                    const LivenessRules& rules);

}  // namespace gridgate::validator
