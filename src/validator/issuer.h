// One trusted issuer at run time: its endpoints (configured or discovered once), its keys, and
// the introspection and userinfo calls made to it.
//
//   IssuerClient as(config.issuers[0], 0, fetcher, clock, metrics);
//   auto ep = as.endpoints(IoPolicy::kAllow);        // discovery on first use, single-flight
//   auto keys = as.jwks().get(IoPolicy::kAllow);
//   auto answer = as.introspect(token);              // {active, the answer object}
//
// Discovery runs once successfully and its result is kept for the life of the validator (a
// change of endpoints is a configuration change: restart or rebuild the validator). A failed
// discovery is retried no sooner than fetch_retry_interval; meanwhile checks get a 503.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "validator/auth_error.h"
#include "validator/config.h"
#include "validator/discovery.h"
#include "validator/fetcher.h"
#include "validator/jwks_cache.h"
#include "validator/metrics.h"

namespace gridgate::validator {

struct Endpoints {
  std::string jwks_uri;
  std::string introspection_endpoint;  // the mTLS alias when introspection uses mTLS
  std::string userinfo_endpoint;
};

// An issuer's answer about a token (introspection or userinfo).
struct IssuerAnswer {
  bool active = false;  // introspection active=true; userinfo 200
  Json body;            // the answer object when active
};

inline constexpr std::size_t kMaxAnswerBytes = 64 * 1024;

class IssuerClient {
 public:
  IssuerClient(const IssuerConfig& config, std::size_t index, Fetcher& fetcher, const Clock& clock,
               MetricsSink& metrics);
  IssuerClient(const IssuerClient&) = delete;
  IssuerClient& operator=(const IssuerClient&) = delete;

  const IssuerConfig& config() const { return config_; }
  std::size_t index() const { return index_; }

  tl::expected<std::shared_ptr<const Endpoints>, AuthError> endpoints(IoPolicy io);
  JwksCache& jwks() { return jwks_; }
  const JwksCache& jwks() const { return jwks_; }

  // RFC 7662 with the configured client authentication. kIssuerUnavailable when the endpoint
  // cannot be reached or answers anything but 200 with a JSON object holding a boolean `active`.
  tl::expected<IssuerAnswer, AuthError> introspect(std::string_view token);
  // OpenID Connect userinfo with the token as bearer: 200 JSON object = active; 401/403 =
  // refused; anything else kIssuerUnavailable.
  tl::expected<IssuerAnswer, AuthError> userinfo(std::string_view token);

  // How many calls went out (for tests and benchmarks).
  std::uint64_t introspectionCalls() const;

 private:
  tl::expected<std::shared_ptr<const Endpoints>, AuthError> discoverLocked(
      std::unique_lock<std::mutex>& lock);

  const IssuerConfig& config_;
  const std::size_t index_;
  Fetcher& fetcher_;
  const Clock& clock_;
  MetricsSink& metrics_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::shared_ptr<const Endpoints> endpoints_;
  bool discovering_ = false;
  std::int64_t retry_not_before_ = 0;
  AuthError last_error_;
  std::atomic<std::uint64_t> introspection_calls_{0};

  JwksCache jwks_;
};

// application/x-www-form-urlencoded encoding of one value (RFC 3986 unreserved kept).
std::string formUrlEncode(std::string_view value);

}  // namespace gridgate::validator
