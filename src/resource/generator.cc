#include "resource/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace gridgate::resource {

namespace {

// Relative consumption per half hour of local time (UK domestic profile class 1 shape: overnight
// base load, a morning peak, a midday plateau and the evening peak). Normalised to a mean of 1.
constexpr std::array<double, kSlotsPerDay> kWeekday = {
    0.62, 0.55, 0.50, 0.47, 0.45, 0.44, 0.43, 0.43, 0.43, 0.44, 0.46, 0.52, 0.65, 0.85, 1.05, 1.15,
    1.10, 0.98, 0.88, 0.82, 0.80, 0.80, 0.82, 0.85, 0.90, 0.92, 0.88, 0.84, 0.82, 0.82, 0.86, 0.95,
    1.10, 1.30, 1.55, 1.70, 1.78, 1.72, 1.60, 1.50, 1.42, 1.36, 1.30, 1.22, 1.10, 0.98, 0.85, 0.72};
// Weekends: a later, broader morning and a busier midday.
constexpr std::array<double, kSlotsPerDay> kWeekend = {
    0.66, 0.60, 0.54, 0.50, 0.47, 0.45, 0.44, 0.44, 0.44, 0.44, 0.45, 0.47, 0.50, 0.56, 0.66, 0.80,
    0.96, 1.10, 1.20, 1.22, 1.18, 1.12, 1.10, 1.12, 1.18, 1.20, 1.12, 1.04, 0.98, 0.96, 0.98, 1.04,
    1.14, 1.30, 1.50, 1.64, 1.70, 1.64, 1.54, 1.46, 1.40, 1.34, 1.28, 1.20, 1.10, 0.98, 0.86, 0.74};

constexpr double kSpikeProbability = 0.06;
constexpr double kSpikeMean = 1.5;  // in units of the mean slot consumption
// The mean of the multiplicative factors is 1, spikes add kSpikeProbability * kSpikeMean on top:
// dividing the base by this keeps a year's sum at annual_kwh.
constexpr double kSpikeCompensation = 1.0 + kSpikeProbability * kSpikeMean;
constexpr double kYearDays = 365.2425;
// Solar: output per kWp at the top of a clear sky, before cloud and per-slot variation; gives
// about 850 kWh/kWp/year at 52 degrees north (checked by the unit tests).
constexpr double kSolarPerformance = 0.98;

// Streams: independent random draws for the same slot or day.
enum Stream : std::uint64_t {
  kSlotNoise = 1,
  kSpike,
  kSpikeSize,
  kDayFactor,
  kCloud,
  kSolarVariation,
  kMissingSlot,
  kOutageDay,
  kOutageStart,
  kOutageLength,
};

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// A uniform draw in [0, 1) that depends only on (seed, stream, index).
double uniform(std::uint64_t seed, Stream stream, std::int64_t index) {
  const std::uint64_t key =
      splitmix64(seed ^ splitmix64(static_cast<std::uint64_t>(stream) * 0xD1B54A32D192ED03ULL ^
                                   static_cast<std::uint64_t>(index)));
  return static_cast<double>(key >> 11) * 0x1.0p-53;
}

std::int64_t floorDiv(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Civil {
  std::int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's civil_from_days).
Civil civilFromDays(std::int64_t z) {
  z += 719468;
  const std::int64_t era = floorDiv(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floorDiv(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Unix seconds of 01:00 UTC on the last Sunday of `month` in `year`.
std::int64_t lastSundayOneAm(std::int64_t year, unsigned month) {
  const unsigned next_month = month == 12 ? 1 : month + 1;
  const std::int64_t next_year = month == 12 ? year + 1 : year;
  const std::int64_t last_day = daysFromCivil(next_year, next_month, 1) - 1;
  // 1970-01-01 was a Thursday: weekday 0 = Sunday is (days + 4) mod 7.
  const std::int64_t weekday = ((last_day + 4) % 7 + 7) % 7;
  return (last_day - weekday) * kDaySeconds + 3600;
}

double dayOfYear(std::int64_t unix_seconds) {
  const std::int64_t days = floorDiv(unix_seconds, kDaySeconds);
  const Civil c = civilFromDays(days);
  return static_cast<double>(days - daysFromCivil(c.year, 1, 1)) + 1.0;
}

const std::array<double, kSlotsPerDay>& normalised(bool weekend) {
  static const auto norm = [](const std::array<double, kSlotsPerDay>& w) {
    double sum = 0;
    for (const double v : w) sum += v;
    std::array<double, kSlotsPerDay> out{};
    for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] * kSlotsPerDay / sum;
    return out;
  };
  static const std::array<double, kSlotsPerDay> weekdays = norm(kWeekday);
  static const std::array<double, kSlotsPerDay> weekends = norm(kWeekend);
  return weekend ? weekends : weekdays;
}

std::uint32_t roundWh(double wh) {
  if (!(wh > 0)) return 0;
  return static_cast<std::uint32_t>(std::lround(std::min(wh, 4.0e9)));
}

}  // namespace

std::uint64_t seedFromId(std::string_view id) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const char c : id) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  return h;
}

std::int64_t ukLocalOffset(std::int64_t t) {
  const Civil c = civilFromDays(floorDiv(t, kDaySeconds));
  const std::int64_t bst_start = lastSundayOneAm(c.year, 3);
  const std::int64_t bst_end = lastSundayOneAm(c.year, 10);
  return (t >= bst_start && t < bst_end) ? 3600 : 0;
}

GeneratedSource::GeneratedSource(GeneratorParams params)
    : p_(params),
      mean_slot_wh_(params.annual_kwh * 1000.0 / (kYearDays * kSlotsPerDay) / kSpikeCompensation) {}

double GeneratedSource::consumptionWh(std::int64_t slot_start) const {
  const std::int64_t local = slot_start + ukLocalOffset(slot_start);
  const std::int64_t local_day = floorDiv(local, kDaySeconds);
  const auto slot_of_day = static_cast<std::size_t>((local - local_day * kDaySeconds) / 1800);
  // 1970-01-01 was a Thursday: Saturday and Sunday are 2 and 3 days later (mod 7).
  const std::int64_t weekday = ((local_day % 7) + 7) % 7;
  const bool weekend = weekday == 2 || weekday == 3;
  const double profile = normalised(weekend)[slot_of_day];

  const double doy = dayOfYear(local);
  const double season =
      1.0 + p_.winter_amplitude * std::cos(2.0 * std::numbers::pi * (doy - 15.0) / kYearDays);
  const double day_factor = 0.85 + 0.3 * uniform(p_.seed, kDayFactor, local_day);
  const std::int64_t slot = floorDiv(slot_start, kSlotSeconds);
  const double noise = 0.7 + 0.6 * uniform(p_.seed, kSlotNoise, slot);
  double wh = mean_slot_wh_ * profile * season * day_factor * noise;
  if (uniform(p_.seed, kSpike, slot) < kSpikeProbability) {
    // A kettle, an oven, a washing machine: 0.5x to 2.5x the mean slot on top.
    wh += mean_slot_wh_ * (0.5 + 2.0 * uniform(p_.seed, kSpikeSize, slot));
  }
  return wh;
}

double GeneratedSource::generationWh(std::int64_t slot_start) const {
  if (p_.solar_kwp <= 0) return 0;
  const double deg = std::numbers::pi / 180.0;
  const double mid = static_cast<double>(slot_start) + 900.0;
  const double doy = dayOfYear(slot_start);
  const double declination = 23.44 * deg * std::sin(2.0 * std::numbers::pi * (284.0 + doy) / 365.0);
  const double utc_hours = std::fmod(mid, 86400.0) / 3600.0;
  const double solar_hours = utc_hours + p_.longitude / 15.0;
  const double hour_angle = (solar_hours - 12.0) * 15.0 * deg;
  const double lat = p_.latitude * deg;
  const double sin_elevation = std::sin(lat) * std::sin(declination) +
                               std::cos(lat) * std::cos(declination) * std::cos(hour_angle);
  if (sin_elevation <= 0) return 0;
  const std::int64_t day = floorDiv(slot_start, kDaySeconds);
  // Clearness of the day: overcast days make 20% of a clear day's output.
  const double cloud = 0.2 + 0.8 * std::pow(uniform(p_.seed, kCloud, day), 0.7);
  const double variation =
      0.75 + 0.25 * uniform(p_.seed, kSolarVariation, floorDiv(slot_start, kSlotSeconds));
  const double kw = p_.solar_kwp * kSolarPerformance * std::pow(sin_elevation, 1.15) * cloud;
  return kw * variation * 1000.0 * 0.5;
}

bool GeneratedSource::isMissing(std::int64_t slot_start) const {
  const std::int64_t slot = floorDiv(slot_start, kSlotSeconds);
  if (uniform(p_.seed, kMissingSlot, slot) < p_.missing_rate) return true;
  const std::int64_t day = floorDiv(slot_start, kDaySeconds);
  if (uniform(p_.seed, kOutageDay, day) >= 0.01) return false;
  // The day's outage: 2 to 8 consecutive slots, kept within the day.
  const auto first = static_cast<std::int64_t>(uniform(p_.seed, kOutageStart, day) * kSlotsPerDay);
  const auto length = 2 + static_cast<std::int64_t>(uniform(p_.seed, kOutageLength, day) * 7);
  const std::int64_t index = (slot_start - day * kDaySeconds) / kSlotSeconds;
  return index >= first && index < first + length;
}

void GeneratedSource::readings(Measure measure, std::int64_t start, std::int64_t end,
                               std::vector<Reading>& out) const {
  start = std::max(start, p_.start);
  end = std::min(end, p_.end);
  if (start >= end) return;
  if (measure == Measure::kExport && p_.solar_kwp <= 0) return;
  out.reserve(out.size() + static_cast<std::size_t>((end - start) / kSlotSeconds));
  for (std::int64_t t = start; t < end; t += kSlotSeconds) {
    Reading r{.from = t};
    if (isMissing(t)) {
      r.missing = true;
    } else {
      const double consumption = consumptionWh(t);
      const double generation = generationWh(t);
      r.wh = roundWh(measure == Measure::kImport ? consumption - generation
                                                 : generation - consumption);
    }
    out.push_back(r);
  }
}

}  // namespace gridgate::resource
