// One issuer's signing keys, fetched from its jwks_uri and kept imported (TARGETS.md: peers lose
// time re-importing keys; the seed fetched the JWKS on every request).
//
//   JwksCache jwks(issuer_config, fetcher, clock, metrics, [&](IoPolicy io) { return jwksUri(io);
//   }); auto keys = jwks.get(IoPolicy::kAllow);                       // shared_ptr<const KeySet>
//   Status st = (*keys)->verifier.verify(jws);
//   if (!st && st.error().code == Errc::kKeyNotFound)
//     keys = jwks.refetchForUnknownKid(*jws.kid(), IoPolicy::kAllow);   // at most one refetch
//
// - Refreshed every jwks_refresh_interval, by the first check that finds it due (others keep
//   using the current set meanwhile).
// - An unknown kid causes one refetch, single-flight, and at most one per
//   jwks_min_refetch_interval (FAPI-CHECKLIST 74): a flood of tokens with made-up kids costs the
//   issuer one request per interval.
// - While the issuer is down the last good set is served (MetricsSink::staleJwksServed) for at
//   most jwks_max_stale; failed fetches are retried no sooner than fetch_retry_interval. With no
//   set at all, checks fail with kIssuerUnavailable (503): fail closed.
// - The set's generation increases when a kid disappears from it, so that cached verifications
//   made with a withdrawn key stop being served.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <vector>

#include "core/clock.h"
#include "jose/jws.h"
#include "validator/auth_error.h"
#include "validator/config.h"
#include "validator/fetcher.h"
#include "validator/metrics.h"

namespace gridgate::validator {

struct KeySet {
  jose::Verifier verifier;
  std::vector<std::string> kids;
  std::uint64_t generation = 0;
  std::int64_t fetched_at = 0;  // unix seconds

  bool hasKid(std::string_view kid) const;
};

using KeySetResult = tl::expected<std::shared_ptr<const KeySet>, AuthError>;

class JwksCache {
 public:
  // Where the JWKS lives (discovery may have to run first): an error is passed through.
  using UrlSource = std::function<tl::expected<std::string, AuthError>(IoPolicy)>;

  JwksCache(const IssuerConfig& config, Fetcher& fetcher, const Clock& clock, MetricsSink& metrics,
            UrlSource url);
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The keys to verify with now. kNeedsIo when a fetch is due and `io` forbids it.
  KeySetResult get(IoPolicy io);
  // After a token named a kid the current set lacks: the refetched set (or the current one when a
  // refetch is not allowed yet: the caller then refuses the token). kIssuerUnavailable when the
  // refetch failed.
  KeySetResult refetchForUnknownKid(std::string_view kid, IoPolicy io);
  // Current generation (0 before the first successful fetch).
  std::uint64_t generation() const;
  // Successful and failed fetches so far (for tests and the CLI).
  std::uint64_t fetchCount() const;

 private:
  KeySetResult fetchLocked(std::unique_lock<std::mutex>& lock);
  KeySetResult serveStaleLocked(std::int64_t now);
  tl::expected<std::shared_ptr<KeySet>, AuthError> download();

  const IssuerConfig& config_;
  Fetcher& fetcher_;
  const Clock& clock_;
  MetricsSink& metrics_;
  UrlSource url_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const KeySet> keys_;
  bool fetching_ = false;
  std::int64_t next_refresh_ = 0;       // keys_ are fresh until then
  std::int64_t retry_not_before_ = 0;   // after a failed fetch
  std::int64_t last_kid_refetch_ = -1;  // when the last unknown-kid refetch started
  bool last_kid_refetch_failed_ = false;
  AuthError last_error_;
  std::atomic<std::uint64_t> generation_{0};  // read without the lock on the cached path
  std::uint64_t fetches_ = 0;
};

}  // namespace gridgate::validator
