// Deterministic synthetic meter readings with the shapes of real UK households, so that the demo
// API answers something worth looking at and the same request always gets the same readings.
//
//   GeneratorParams p{.seed = seedFromId("abcd1234"), .annual_kwh = 2900, .solar_kwp = 0};
//   auto source = std::make_shared<GeneratedSource>(p);
//   source->readings(Measure::kImport, day_start, day_start + kDaySeconds, out);   // 48 slots
//
// Every value is a pure function of (seed, slot): there is no state and no sequence, so any
// period can be asked in any order and comes out identical (and readings are generated on demand,
// never stored). Shape:
//   - consumption: a domestic profile by local (UK) time of day, weekday and weekend, morning and
//     evening peaks, overnight base load; a seasonal factor (winter higher; larger for electric
//     heating); day-to-day variation; per-slot noise and occasional appliance spikes. Calibrated
//     so that a year sums to about `annual_kwh`.
//   - solar generation (solar_kwp > 0): clear-sky shape from the sun's elevation at the site's
//     latitude for the date and time, a daily cloudiness, per-slot variation; about 850 kWh per
//     kWp per year in the UK. Import is consumption minus generation where positive, export the
//     surplus (half-hourly netting, as a smart meter's half-hourly registers report it).
//   - missing reads: single slots at `missing_rate`, and on about 1 day in 100 an outage of 2-8
//     consecutive slots. A missing slot is missing in both measures.
// Values are rounded to whole Wh. Results are identical for the same binary; a different libm
// could move a value by 1 Wh (sin/cos/pow), which is why tests compare against the generator,
// not against constants.
#pragma once

#include <cstdint>
#include <string_view>

#include "resource/meter.h"

namespace gridgate::resource {

struct GeneratorParams {
  std::uint64_t seed = 0;
  double annual_kwh = 2900;        // household consumption per year (UK typical: 2700-3100)
  double winter_amplitude = 0.22;  // seasonal swing: 0.22 typical, 0.5+ with electric heating
  double solar_kwp = 0;            // installed solar capacity; 0: no generation, no export
  double latitude = 52.0;          // degrees north (sun elevation)
  double longitude = -1.5;         // degrees east (solar noon)
  double missing_rate = 0.002;     // probability that a single slot's read is missing
  // Coverage: readings exist from this day (unix seconds, midnight UTC) to `end` (exclusive).
  std::int64_t start = 1577836800;  // 2020-01-01
  std::int64_t end = 4102444800;    // 2100-01-01
};

// A seed derived from a meter id (FNV-1a 64): each meter gets its own, stable series.
std::uint64_t seedFromId(std::string_view id);

// The offset of UK local time from UTC at `unix_seconds`: 3600 during British Summer Time (from
// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), else 0.
std::int64_t ukLocalOffset(std::int64_t unix_seconds);

class GeneratedSource final : public ReadingSource {
 public:
  explicit GeneratedSource(GeneratorParams params);

  void readings(Measure measure, std::int64_t start, std::int64_t end,
                std::vector<Reading>& out) const override;
  std::int64_t coverageStart() const override { return p_.start; }
  std::int64_t coverageEnd() const override { return p_.end; }
  std::string_view kind() const override { return "generated"; }

  // The components of one slot, in Wh before rounding (for tests of the shapes).
  double consumptionWh(std::int64_t slot_start) const;
  double generationWh(std::int64_t slot_start) const;
  bool isMissing(std::int64_t slot_start) const;

  const GeneratorParams& params() const { return p_; }

 private:
  GeneratorParams p_;
  double mean_slot_wh_;
};

}  // namespace gridgate::resource
