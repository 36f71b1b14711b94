// The synthetic readings: deterministic per meter, shaped like UK households (time of day, season,
// weekends, solar), with flagged missing reads; and the built-in dataset.
#include "resource/generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/clock.h"
#include "resource/dataset.h"

namespace gridgate::resource {
namespace {

std::int64_t day(std::string_view date) { return *parseDate(date); }

GeneratorParams household(std::uint64_t seed = 42) {
  return GeneratorParams{.seed = seed, .annual_kwh = 3000, .missing_rate = 0.0};
}

std::vector<Reading> read(const GeneratedSource& s, Measure m, std::int64_t from, std::int64_t to) {
  std::vector<Reading> out;
  s.readings(m, from, to, out);
  return out;
}

double sumKwh(const std::vector<Reading>& r) {
  double wh = 0;
  for (const Reading& x : r) wh += x.wh;
  return wh / 1000.0;
}

TEST(Generator, SameRequestSameReadingsWhateverTheOrder) {
  const GeneratedSource a(household()), b(household());
  const std::int64_t d = day("2024-03-10");
  const auto first = read(a, Measure::kImport, d, d + 7 * kDaySeconds);
  // Another instance, asked for later days first, then for a sub-range.
  (void)read(b, Measure::kImport, d + 30 * kDaySeconds, d + 40 * kDaySeconds);
  const auto again = read(b, Measure::kImport, d, d + 7 * kDaySeconds);
  ASSERT_EQ(first.size(), 7u * 48);
  ASSERT_EQ(again.size(), first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    EXPECT_EQ(first[i].from, again[i].from);
    EXPECT_EQ(first[i].wh, again[i].wh) << i;
    EXPECT_EQ(first[i].missing, again[i].missing);
  }
  const auto middle = read(a, Measure::kImport, d + kDaySeconds + 10 * kSlotSeconds,
                           d + kDaySeconds + 20 * kSlotSeconds);
  ASSERT_EQ(middle.size(), 10u);
  for (std::size_t i = 0; i < middle.size(); ++i) EXPECT_EQ(middle[i].wh, first[58 + i].wh);
}

TEST(Generator, MetersDifferBySeed) {
  const GeneratedSource a(household(1)), b(household(2));
  const std::int64_t d = day("2024-05-01");
  const auto ra = read(a, Measure::kImport, d, d + kDaySeconds);
  const auto rb = read(b, Measure::kImport, d, d + kDaySeconds);
  int same = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) same += ra[i].wh == rb[i].wh ? 1 : 0;
  EXPECT_LT(same, 10);
  EXPECT_NE(seedFromId("abcd1234"), seedFromId("abcd1235"));
}

TEST(Generator, SlotsAreHalfHoursAlignedOnUtc) {
  const GeneratedSource s(household());
  const std::int64_t d = day("2024-01-15");
  const auto r = read(s, Measure::kImport, d, d + kDaySeconds);
  ASSERT_EQ(r.size(), 48u);
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].from, d + static_cast<std::int64_t>(i) * kSlotSeconds);
  }
}

TEST(Generator, YearSumsToTheAnnualConsumption) {
  const GeneratedSource s(household());
  const std::int64_t from = day("2023-01-01");
  const double kwh = sumKwh(read(s, Measure::kImport, from, day("2024-01-01")));
  EXPECT_NEAR(kwh, 3000, 3000 * 0.05);
}

TEST(Generator, EveningPeakAndNightTrough) {
  // Averaged over a month of weekdays: 17:30-19:00 local is well above 02:00-04:00.
  const GeneratedSource s(household());
  double evening = 0, night = 0;
  for (std::int64_t d = day("2024-02-05"); d < day("2024-03-01"); d += kDaySeconds) {
    evening += s.consumptionWh(d + 18 * 3600);  // GMT in February: local == UTC
    night += s.consumptionWh(d + 3 * 3600);
  }
  EXPECT_GT(evening, 2.5 * night);
}

TEST(Generator, WinterAboveSummer) {
  const GeneratedSource s(household());
  const double january = sumKwh(read(s, Measure::kImport, day("2024-01-01"), day("2024-02-01")));
  const double july = sumKwh(read(s, Measure::kImport, day("2024-07-01"), day("2024-08-01")));
  EXPECT_GT(january, 1.3 * july);
  GeneratorParams heating = household();
  heating.winter_amplitude = 0.6;
  const GeneratedSource h(heating);
  const double hj = sumKwh(read(h, Measure::kImport, day("2024-01-01"), day("2024-02-01")));
  const double hy = sumKwh(read(h, Measure::kImport, day("2024-07-01"), day("2024-08-01")));
  EXPECT_GT(hj / hy, january / july);
}

TEST(Generator, ProfileFollowsUkLocalTime) {
  // In summer the evening peak sits an hour earlier in UTC (BST).
  EXPECT_EQ(ukLocalOffset(day("2024-01-15")), 0);
  EXPECT_EQ(ukLocalOffset(day("2024-07-15")), 3600);
  // 2024: BST from 2024-03-31 01:00Z to 2024-10-27 01:00Z.
  EXPECT_EQ(ukLocalOffset(day("2024-03-31") + 3600 - 1), 0);
  EXPECT_EQ(ukLocalOffset(day("2024-03-31") + 3600), 3600);
  EXPECT_EQ(ukLocalOffset(day("2024-10-27") + 3600 - 1), 3600);
  EXPECT_EQ(ukLocalOffset(day("2024-10-27") + 3600), 0);
  // 2025: 2025-03-30 and 2025-10-26.
  EXPECT_EQ(ukLocalOffset(day("2025-03-30") + 3600), 3600);
  EXPECT_EQ(ukLocalOffset(day("2025-10-26") + 3600), 0);
}

TEST(Generator, NoSolarNoExport) {
  const GeneratedSource s(household());
  EXPECT_TRUE(read(s, Measure::kExport, day("2024-06-01"), day("2024-06-02")).empty());
}

TEST(Generator, SolarExportsInDaylightOnly) {
  GeneratorParams p = household();
  p.solar_kwp = 4.0;
  const GeneratedSource s(p);
  double midday = 0;
  for (std::int64_t d = day("2024-06-15"); d < day("2024-06-22"); d += kDaySeconds) {
    const auto exp = read(s, Measure::kExport, d, d + kDaySeconds);
    const auto imp = read(s, Measure::kImport, d, d + kDaySeconds);
    ASSERT_EQ(exp.size(), 48u);
    for (std::size_t i = 0; i < 48; ++i) {
      const double hour = static_cast<double>(i) / 2.0;  // UTC
      if (hour < 3.0 || hour >= 21.0) {
        EXPECT_EQ(exp[i].wh, 0u) << "export at night, slot " << i;
      }
      if (hour >= 10.0 && hour < 14.0) midday += exp[i].wh;
      // Half-hourly netting: a slot imports or exports, never both.
      EXPECT_TRUE(exp[i].wh == 0 || imp[i].wh == 0) << i;
    }
  }
  // A June midday makes about 1-3 kWh per half hour on 4 kWp, minus what the house uses.
  EXPECT_GT(midday / 7, 3000);
}

TEST(Generator, SolarYieldIsUkLike) {
  GeneratorParams p = household();
  p.solar_kwp = 1.0;
  const GeneratedSource s(p);
  double year = 0, june = 0, december = 0;
  for (std::int64_t t = day("2023-01-01"); t < day("2024-01-01"); t += kSlotSeconds) {
    const double g = s.generationWh(t);
    year += g;
    if (t >= day("2023-06-01") && t < day("2023-07-01")) june += g;
    if (t >= day("2023-12-01")) december += g;
  }
  EXPECT_GT(year / 1000, 750) << "kWh per kWp per year";
  EXPECT_LT(year / 1000, 1000);
  EXPECT_GT(june, 4 * december);
}

TEST(Generator, MissingReadsAreFlaggedInBothMeasures) {
  GeneratorParams p = household();
  p.missing_rate = 0.002;
  p.solar_kwp = 3.0;
  const GeneratedSource s(p);
  const std::int64_t from = day("2023-01-01");
  const std::int64_t to = day("2024-01-01");
  const auto imp = read(s, Measure::kImport, from, to);
  const auto exp = read(s, Measure::kExport, from, to);
  ASSERT_EQ(imp.size(), exp.size());
  std::size_t missing = 0;
  std::set<std::int64_t> outage_days;
  for (std::size_t i = 0; i < imp.size(); ++i) {
    EXPECT_EQ(imp[i].missing, exp[i].missing);
    if (imp[i].missing) {
      ++missing;
      EXPECT_EQ(imp[i].wh, 0u);
      if (i > 0 && imp[i - 1].missing) outage_days.insert(imp[i].from / kDaySeconds);
    }
  }
  // ~0.2% single slots (35/year) + ~3.65 outages of 2-8 slots.
  EXPECT_GT(missing, 10u);
  EXPECT_LT(missing, 120u);
  EXPECT_FALSE(outage_days.empty()) << "no multi-slot outage in a year";
}

TEST(Generator, CoverageBounds) {
  GeneratorParams p = household();
  p.start = day("2024-01-01");
  p.end = day("2024-01-03");
  const GeneratedSource s(p);
  const auto r = read(s, Measure::kImport, day("2023-12-31"), day("2024-01-05"));
  ASSERT_EQ(r.size(), 96u);
  EXPECT_EQ(r.front().from, day("2024-01-01"));
}

TEST(Dataset, BuiltInMeters) {
  const Dataset ds = Dataset::builtIn();
  ASSERT_GE(ds.meters().size(), 4u);
  bool with_solar = false, without = false;
  for (const Meter& m : ds.meters()) {
    EXPECT_TRUE(checkMeterId(m.id));
    EXPECT_TRUE(checkOutcode(m.outcode)) << m.outcode;
    EXPECT_TRUE(m.account.empty());
    (m.has_export ? with_solar : without) = true;
    EXPECT_EQ(ds.find(m.id), &m);
  }
  EXPECT_TRUE(with_solar);
  EXPECT_TRUE(without);
  EXPECT_EQ(ds.find("nope"), nullptr);
  ASSERT_NE(ds.find("abcd1234"), nullptr);  // the seed's meter id
}

TEST(Dataset, DuplicateIdRefused) {
  Dataset ds = Dataset::builtIn();
  Meter m = ds.meters().front();
  EXPECT_EQ(ds.add(m).error().code, Errc::kConflict);
}

TEST(Meter, IdsAndOutcodes) {
  for (const char* ok : {"SW1A", "M1", "M14", "EH9", "CF10", "W1A", "B33", "EC1A"}) {
    EXPECT_TRUE(checkOutcode(ok)) << ok;
  }
  for (const char* bad : {"", "1", "sw1a", "SW1A 1AA", "ABC1", "A", "AB", "A1AB", "A1-"}) {
    EXPECT_FALSE(checkOutcode(bad)) << bad;
  }
  EXPECT_TRUE(checkMeterId("abcd-1234_X"));
  for (const char* bad : {"", "a/b", "..", "a b", "ü", "a.b"}) EXPECT_FALSE(checkMeterId(bad));
  EXPECT_FALSE(checkMeterId(std::string(65, 'a')));
  EXPECT_EQ(parseMeasure("import"), Measure::kImport);
  EXPECT_EQ(parseMeasure("export"), Measure::kExport);
  EXPECT_FALSE(parseMeasure("Import"));
  EXPECT_FALSE(parseMeasure("gas"));
}

}  // namespace
}  // namespace gridgate::resource
