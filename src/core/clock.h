// Injected time. Everything that checks `exp`, `nbf`, lifetimes or cache TTLs takes a Clock&;
// tests use FakeClock and never sleep.
//
//   FakeClock clock(1'700'000'000);
//   validator.check(request, clock);
//   clock.advance(std::chrono::seconds(61));
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace gridgate {

using SysTime = std::chrono::system_clock::time_point;
using Seconds = std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual SysTime now() const = 0;
  // Whole seconds since the Unix epoch (JWT NumericDate).
  std::int64_t unixSeconds() const;
};

class SystemClock final : public Clock {
 public:
  SysTime now() const override { return std::chrono::system_clock::now(); }
  static const SystemClock& instance();
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t unix_seconds = 1'700'000'000)
      : micros_(unix_seconds * 1'000'000) {}
  SysTime now() const override;
  void set(std::int64_t unix_seconds) { micros_ = unix_seconds * 1'000'000; }
  void advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  std::atomic<std::int64_t> micros_;
};

// RFC 3339 UTC with whole seconds and `Z`: "2026-11-25T15:04:05Z" (PERSEUS.md datetimes).
std::string formatUtc(std::int64_t unix_seconds);
// Parses exactly the format above.
[[nodiscard]] Result<std::int64_t> parseUtc(std::string_view text);
// "YYYY-MM-DD" to the Unix time of its midnight UTC, and back.
[[nodiscard]] Result<std::int64_t> parseDate(std::string_view text);
std::string formatDate(std::int64_t unix_seconds);
// RFC 7231 IMF-fixdate for the HTTP Date header: "Wed, 25 Nov 2026 15:04:05 GMT".
std::string formatHttpDate(std::int64_t unix_seconds);

}  // namespace gridgate
