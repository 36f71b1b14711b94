// Login throttling: after too many failed sign-ins for one username or from one address, further
// attempts are refused for a while without checking the password (online guessing costs the
// attacker time, not the server CPU).
//
//   LoginThrottle throttle(clock, ThrottleSettings{});
//   if (auto wait = throttle.blockedFor(username, ip)) return tooManyAttempts(*wait);
//   if (!passwordOk) throttle.recordFailure(username, ip); else throttle.recordSuccess(username);
//
// Counters live in this process (several instances each count their own share: the limit is then
// per instance). Failures are counted in a sliding window; the map is bounded, oldest entries are
// dropped first. The address is clientAddress(request): behind nginx (a listener with a
// trusted_proxy table) the browser's address that nginx forwards, not nginx's own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http.h"

namespace gridgate::authz::ui {

struct ThrottleSettings {
  unsigned max_failures_per_user = 5;  // within `window`
  unsigned max_failures_per_ip = 30;   // within `window`
  Seconds window{15 * 60};             // counting period, and the lockout after the limit
  std::size_t max_tracked = 100'000;   // keys kept in memory
};

// The address a request is throttled under: the TCP peer; or, when the request came from a trusted
// proxy of its listener (PeerInfo::via_proxy), the last entry of its last X-Forwarded-For header,
// which that proxy wrote (deploy/nginx: `proxy_set_header X-Forwarded-For $remote_addr`; entries
// before the last may come from the client and are ignored). An absent or malformed value (not an
// IPv4/IPv6 literal of at most 45 characters) falls back to the peer.
std::string_view clientAddress(const net::Request& request);

class LoginThrottle {
 public:
  LoginThrottle(const Clock& clock, ThrottleSettings settings);

  // How long the caller must wait before another attempt (nullopt: go ahead).
  std::optional<Seconds> blockedFor(std::string_view username, std::string_view ip);
  void recordFailure(std::string_view username, std::string_view ip);
  // A correct password clears the username's failures (not the address's).
  void recordSuccess(std::string_view username);

 private:
  struct Counter {
    unsigned failures = 0;
    std::int64_t window_start = 0;
  };
  std::optional<Seconds> check(const std::string& key, unsigned limit, std::int64_t now);
  void bump(const std::string& key, std::int64_t now);

  const Clock& clock_;
  ThrottleSettings settings_;
  std::mutex mutex_;
  std::map<std::string, Counter, std::less<>> counters_;
};

}  // namespace gridgate::authz::ui
