#include "validator/jwks_cache.h"

#include <algorithm>

#include "core/log.h"
#include "jose/jwks.h"
#include "validator/upstream.h"

namespace gridgate::validator {

bool KeySet::hasKid(std::string_view kid) const {
  return std::find(kids.begin(), kids.end(), kid) != kids.end();
}

JwksCache::JwksCache(const IssuerConfig& config, Fetcher& fetcher, const Clock& clock,
                     MetricsSink& metrics, UrlSource url)
    : config_(config), fetcher_(fetcher), clock_(clock), metrics_(metrics), url_(std::move(url)) {}

std::uint64_t JwksCache::generation() const { return generation_.load(std::memory_order_acquire); }

std::uint64_t JwksCache::fetchCount() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

tl::expected<std::shared_ptr<KeySet>, AuthError> JwksCache::download() {
  auto url = url_(IoPolicy::kAllow);
  if (!url) return tl::unexpected(url.error());
  if (url->empty()) {
    return deny(Reason::kIssuerUnavailable, "issuer " + config_.issuer + " has no jwks_uri");
  }
  FetchRequest req{.method = FetchRequest::Method::kGet, .url = *url, .tls = &config_.tls};
  req.headers.emplace_back("Accept", "application/jwk-set+json, application/json");
  auto res = fetchUpstream(fetcher_, metrics_, Upstream::kJwks, req);
  if (!res) {
    return deny(Reason::kIssuerUnavailable, "jwks " + *url + ": " + res.error().detail);
  }
  if (res->status != 200) {
    return deny(Reason::kIssuerUnavailable,
                "jwks " + *url + ": HTTP " + std::to_string(res->status));
  }
  auto jwks = jose::Jwks::parse(res->body);
  if (!jwks) {
    return deny(Reason::kIssuerUnavailable, "jwks " + *url + ": " + jwks.error().detail);
  }
  for (const jose::SkippedKey& s : jwks->skipped()) {
    log::info("jwks {}: skipped key {} ('{}'): {}", *url, s.index, s.kid, s.error.detail);
  }
  auto verifier = jose::Verifier::fromJwks(*jwks, config_.algs);
  if (!verifier) {
    return deny(Reason::kIssuerUnavailable,
                "jwks " + *url + " has no usable key: " + verifier.error().detail);
  }
  auto set = std::make_shared<KeySet>(KeySet{std::move(*verifier), {}, 0, clock_.unixSeconds()});
  for (const jose::Jwk& k : jwks->keys()) {
    if (!k.kid().empty()) set->kids.push_back(k.kid());
  }
  return set;
}

KeySetResult JwksCache::fetchLocked(std::unique_lock<std::mutex>& lock) {
  fetching_ = true;
  lock.unlock();
  auto fresh = download();
  lock.lock();
  fetching_ = false;
  ++fetches_;
  const std::int64_t now = clock_.unixSeconds();
  KeySetResult out;
  if (fresh) {
    // A kid that vanished may have been withdrawn (compromised): verifications made with the old
    // set must not be served from the cache any more.
    if (keys_) {
      const bool withdrawn = std::any_of(keys_->kids.begin(), keys_->kids.end(),
                                         [&](const auto& k) { return !(*fresh)->hasKid(k); });
      if (withdrawn || (*fresh)->kids.empty()) generation_.fetch_add(1, std::memory_order_acq_rel);
    } else {
      generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    (*fresh)->generation = generation_.load(std::memory_order_acquire);
    keys_ = std::move(*fresh);
    next_refresh_ = now + config_.jwks_refresh_interval.count();
    retry_not_before_ = 0;
    out = keys_;
  } else {
    last_error_ = fresh.error();
    retry_not_before_ = now + config_.fetch_retry_interval.count();
    log::warn("{}", last_error_.detail);
    out = tl::unexpected(fresh.error());
  }
  cv_.notify_all();
  return out;
}

KeySetResult JwksCache::serveStaleLocked(std::int64_t now) {
  if (now - keys_->fetched_at > config_.jwks_max_stale.count()) {
    return deny(
        Reason::kIssuerUnavailable,
        "jwks of " + config_.issuer + " is older than jwks_max_stale and cannot be refreshed");
  }
  metrics_.staleJwksServed();
  return keys_;
}

KeySetResult JwksCache::get(IoPolicy io) {
  std::unique_lock lock(mu_);
  const std::int64_t now = clock_.unixSeconds();
  if (keys_) {
    if (now < next_refresh_ || fetching_) return keys_;
    if (now < retry_not_before_) return serveStaleLocked(now);
    if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "jwks refresh due");
    auto fresh = fetchLocked(lock);
    if (fresh) return fresh;
    return serveStaleLocked(now);
  }
  if (fetching_) {
    if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "jwks being fetched");
    cv_.wait(lock, [&] { return !fetching_; });
    if (keys_) return keys_;
    return tl::unexpected(last_error_);
  }
  if (now < retry_not_before_) return tl::unexpected(last_error_);
  if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "jwks not loaded");
  return fetchLocked(lock);
}

KeySetResult JwksCache::refetchForUnknownKid(std::string_view kid, IoPolicy io) {
  std::unique_lock lock(mu_);
  if (keys_ && keys_->hasKid(kid)) return keys_;  // another check refetched meanwhile
  if (fetching_) {
    if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "jwks being fetched");
    cv_.wait(lock, [&] { return !fetching_; });
    if (keys_) return keys_;
    return tl::unexpected(last_error_);
  }
  const std::int64_t now = clock_.unixSeconds();
  if (last_kid_refetch_ >= 0 &&
      now - last_kid_refetch_ < config_.jwks_min_refetch_interval.count()) {
    if (last_kid_refetch_failed_) return tl::unexpected(last_error_);
    if (keys_) return keys_;  // the caller refuses the token: its kid is unknown
    return tl::unexpected(last_error_);
  }
  if (io == IoPolicy::kForbid) return deny(Reason::kNeedsIo, "unknown kid: refetch");
  last_kid_refetch_ = now;
  auto fresh = fetchLocked(lock);
  last_kid_refetch_failed_ = !fresh.has_value();
  return fresh;
}

}  // namespace gridgate::validator
