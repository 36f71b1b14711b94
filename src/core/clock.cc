#include "core/clock.h"

#include <array>
#include <charconv>

namespace gridgate {
namespace {

// Howard Hinnant's civil-date algorithms (public domain), for dates without time-zone lookups.
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

Civil civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

void appendPadded(std::string& out, std::int64_t v, int width) {
  std::array<char, 24> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  const auto len = static_cast<int>(end - buf.data());
  for (int i = len; i < width; ++i) out.push_back('0');
  out.append(buf.data(), end);
}

bool parseDigits(std::string_view s, unsigned& out) {
  if (s.empty()) return false;
  unsigned v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

unsigned daysInMonth(std::int64_t y, unsigned m) {
  static constexpr std::array<unsigned, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

Result<std::int64_t> parseDateParts(std::string_view t) {
  unsigned y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (t.size() != 10 || t[4] != '-' || t[7] != '-' || !parseDigits(t.substr(0, 4), y) ||
      !parseDigits(t.substr(5, 2), m) || !parseDigits(t.substr(8, 2), d)) {
    return fail(Errc::kMalformed, "date: expected YYYY-MM-DD");
  }
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return fail(Errc::kMalformed, "date: out of range");
  }
  return daysFromCivil(y, m, d) * 86400;
}

}  // namespace

std::int64_t Clock::unixSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(now().time_since_epoch()).count();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

SysTime FakeClock::now() const { return SysTime(std::chrono::microseconds(micros_.load())); }

std::string formatUtc(std::int64_t t) {
  const std::int64_t days = floorDiv(t, 86400);
  const std::int64_t secs = t - days * 86400;
  const Civil c = civilFromDays(days);
  std::string out;
  out.reserve(20);
  appendPadded(out, c.year, 4);
  out.push_back('-');
  appendPadded(out, c.month, 2);
  out.push_back('-');
  appendPadded(out, c.day, 2);
  out.push_back('T');
  appendPadded(out, secs / 3600, 2);
  out.push_back(':');
  appendPadded(out, (secs / 60) % 60, 2);
  out.push_back(':');
  appendPadded(out, secs % 60, 2);
  out.push_back('Z');
  return out;
}

Result<std::int64_t> parseUtc(std::string_view t) {
  if (t.size() != 20 || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != 'Z') {
    return fail(Errc::kMalformed, "datetime: expected YYYY-MM-DDTHH:MM:SSZ");
  }
  GG_TRY(const std::int64_t midnight, parseDateParts(t.substr(0, 10)));
  unsigned h = 0;
  unsigned mi = 0;
  unsigned s = 0;
  if (!parseDigits(t.substr(11, 2), h) || !parseDigits(t.substr(14, 2), mi) ||
      !parseDigits(t.substr(17, 2), s) || h > 23 || mi > 59 || s > 59) {
    return fail(Errc::kMalformed, "datetime: bad time of day");
  }
  return midnight + h * 3600 + mi * 60 + s;
}

Result<std::int64_t> parseDate(std::string_view text) { return parseDateParts(text); }

std::string formatDate(std::int64_t t) { return formatUtc(t).substr(0, 10); }

std::string formatHttpDate(std::int64_t t) {
  static constexpr std::array<std::string_view, 7> kDays{"Thu", "Fri", "Sat", "Sun",
                                                         "Mon", "Tue", "Wed"};
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::int64_t days = floorDiv(t, 86400);
  const std::int64_t secs = t - days * 86400;
  const Civil c = civilFromDays(days);
  std::string out;
  out.reserve(29);
  out.append(kDays[static_cast<std::size_t>(((days % 7) + 7) % 7)]);
  out.append(", ");
  appendPadded(out, c.day, 2);
  out.push_back(' ');
  out.append(kMonths[c.month - 1]);
  out.push_back(' ');
  appendPadded(out, c.year, 4);
  out.push_back(' ');
  appendPadded(out, secs / 3600, 2);
  out.push_back(':');
  appendPadded(out, (secs / 60) % 60, 2);
  out.push_back(':');
  appendPadded(out, secs % 60, 2);
  out.append(" GMT");
  return out;
}

}  // namespace gridgate
