// Period parsing (every 400 names its parameter) and the readings' JSON.
#include "resource/period.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/json.h"

namespace gridgate::resource {
namespace {

void expectBad(std::string_view query, std::string_view parameter, std::int64_t max_days = 366) {
  const auto p = parsePeriod(query, max_days);
  ASSERT_FALSE(p) << query;
  EXPECT_EQ(p.error().parameter, parameter) << query;
  EXPECT_FALSE(p.error().description.empty());
}

TEST(Period, OneDayIsFortyEightSlots) {
  const auto p = parsePeriod("from=2024-01-01&to=2024-01-01", 366);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->start(), *parseUtc("2024-01-01T00:00:00Z"));
  EXPECT_EQ(p->end(), *parseUtc("2024-01-02T00:00:00Z"));
  EXPECT_EQ(p->days(), 1);
  EXPECT_EQ((p->end() - p->start()) / kSlotSeconds, 48);
  EXPECT_EQ(p->from, "2024-01-01");
  EXPECT_EQ(p->to, "2024-01-01");
}

TEST(Period, OrderAndOtherParametersDoNotMatter) {
  const auto p = parsePeriod("to=2024-02-29&x=1&from=2024-02-01", 366);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->days(), 29);
}

TEST(Period, Errors) {
  expectBad("", "from");
  expectBad("to=2024-01-01", "from");
  expectBad("from=2024-01-01", "to");
  expectBad("from=2024-01-01&from=2024-01-02&to=2024-01-03", "from");
  expectBad("from=2024-01-01&to=2024-01-03&to=2024-01-04", "to");
  expectBad("from=2024-1-1&to=2024-01-03", "from");
  expectBad("from=2024-01-01&to=2024-02-30", "to");
  expectBad("from=2024-13-01&to=2024-12-31", "from");
  expectBad("from=01/01/2024&to=2024-01-03", "from");
  expectBad("from=2024-01-01T00:00:00Z&to=2024-01-03", "from");
  expectBad("from=&to=2024-01-03", "from");
  expectBad("from=2024-01-03&to=2024-01-02", "from");  // from after to
  expectBad("from=%zz&to=2024-01-02", "query");
  // Maximum period: 366 days inclusive is fine, 367 is not.
  EXPECT_TRUE(parsePeriod("from=2024-01-01&to=2024-12-31", 366));  // leap year: 366 days
  expectBad("from=2023-01-01&to=2024-01-02", "to");
  expectBad("from=2024-01-01&to=2024-01-08", "to", 7);
  EXPECT_TRUE(parsePeriod("from=2024-01-01&to=2024-01-07", 7));
}

Json readingsJson(const std::vector<Reading>& r) {
  std::string out;
  appendReadingsJson(out, r);
  auto j = parseJson(out);
  EXPECT_TRUE(j) << out;
  return j ? *j : Json();
}

TEST(ReadingsJson, ShapeAndRunningTotal) {
  const std::int64_t d = *parseDate("2024-03-31");
  const std::vector<Reading> r = {
      {.from = d + 46 * kSlotSeconds, .wh = 120},
      {.from = d + 47 * kSlotSeconds, .wh = 80},
      {.from = d + 48 * kSlotSeconds, .wh = 0, .missing = true},
      {.from = d + 49 * kSlotSeconds, .wh = 5},
  };
  const Json j = readingsJson(r);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 4u);
  EXPECT_EQ(j[0], (Json{{"type", "Electricity"},
                        {"from", "2024-03-31T23:00:00Z"},
                        {"to", "2024-03-31T23:30:00Z"},
                        {"takenAt", "2024-03-31T23:30:00Z"},
                        {"energy", {{"value", 120}, {"unitCode", "WHR"}}},
                        {"cumulative", {{"value", 120}, {"unitCode", "WHR"}}},
                        {"quality", "measured"}}));
  // The slot ending at midnight ends on the next date.
  EXPECT_EQ(j[1]["to"], "2024-04-01T00:00:00Z");
  EXPECT_EQ(j[1]["takenAt"], "2024-04-01T00:00:00Z");
  EXPECT_EQ(j[1]["cumulative"]["value"], 200);
  // Missing: flagged, no takenAt, energy null, total unchanged.
  EXPECT_EQ(j[2]["quality"], "missing");
  EXPECT_FALSE(j[2].contains("takenAt"));
  EXPECT_TRUE(j[2]["energy"]["value"].is_null());
  EXPECT_EQ(j[2]["cumulative"]["value"], 200);
  EXPECT_EQ(j[2]["from"], "2024-04-01T00:00:00Z");
  EXPECT_EQ(j[3]["cumulative"]["value"], 205);
  EXPECT_EQ(j[3]["from"], "2024-04-01T00:30:00Z");
}

TEST(ReadingsJson, EveryTimestampMatchesFormatUtc) {
  std::vector<Reading> r;
  const std::int64_t d = *parseDate("2023-12-30");
  for (int i = 0; i < 48 * 3; ++i) r.push_back({.from = d + i * kSlotSeconds, .wh = 1});
  const Json j = readingsJson(r);
  ASSERT_EQ(j.size(), r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(j[i]["from"], formatUtc(r[i].from));
    EXPECT_EQ(j[i]["to"], formatUtc(r[i].from + kSlotSeconds));
  }
  EXPECT_EQ(readingsJson({}), Json::array());
}

}  // namespace
}  // namespace gridgate::resource
