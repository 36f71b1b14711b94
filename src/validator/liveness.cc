#include "validator/liveness.h"

#include <algorithm>

namespace gridgate::validator {

std::optional<Reason> checkLiveness(const TokenRecord& record, std::int64_t now,
                                    const LivenessRules& rules) {
  const std::int64_t leeway = std::clamp<std::int64_t>(rules.leeway.count(), 0, 60);
  const std::int64_t ahead = std::clamp<std::int64_t>(leeway, 10, 60);
  if (!record.exp) {
    if (rules.require_exp) return Reason::kMissingClaim;
  } else if (now >= *record.exp + leeway) {
    return Reason::kExpired;
  }
  if (record.nbf && *record.nbf > now + ahead) return Reason::kNotYetValid;
  if (record.iat && *record.iat > now + ahead) return Reason::kNotYetValid;
  return std::nullopt;
}

}  // namespace gridgate::validator
