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
// dropped first.
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

namespace gridgate::authz::ui {

struct ThrottleSettings {
  unsigned max_failures_per_user = 5;  // within `window`
  unsigned max_failures_per_ip = 30;   // within `window`
  Seconds window{15 * 60};             // counting period, and the lockout after the limit
  std::size_t max_tracked = 100'000;   // keys kept in memory
};

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
