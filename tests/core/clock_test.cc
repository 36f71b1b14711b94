#include "core/clock.h"

#include <gtest/gtest.h>

namespace gridgate {
namespace {

TEST(ClockTest, FakeClockAdvances) {
  FakeClock clock(1000);
  EXPECT_EQ(clock.unixSeconds(), 1000);
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(clock.unixSeconds(), 1061);
  clock.set(5);
  EXPECT_EQ(clock.unixSeconds(), 5);
}

TEST(ClockTest, FormatsAndParsesUtc) {
  EXPECT_EQ(formatUtc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(formatUtc(1'700'000'000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(formatUtc(951'782'400), "2000-02-29T00:00:00Z");
  EXPECT_EQ(*parseUtc("2023-11-14T22:13:20Z"), 1'700'000'000);
  EXPECT_EQ(*parseUtc("2000-02-29T00:00:00Z"), 951'782'400);
  EXPECT_FALSE(parseUtc("2023-11-14T22:13:20"));
  EXPECT_FALSE(parseUtc("2023-11-14 22:13:20Z"));
  EXPECT_FALSE(parseUtc("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(parseUtc("2023-11-14T24:00:00Z"));
  EXPECT_FALSE(parseUtc("2023-11-14T22:13:20.5Z"));
  EXPECT_FALSE(parseUtc("+023-11-14T22:13:20Z"));
}

TEST(ClockTest, Dates) {
  EXPECT_EQ(*parseDate("2024-01-01"), 1'704'067'200);
  EXPECT_EQ(formatDate(1'704'067'200 + 3600), "2024-01-01");
  EXPECT_FALSE(parseDate("2024-1-01"));
  EXPECT_FALSE(parseDate("2024-13-01"));
  EXPECT_FALSE(parseDate("2024-00-10"));
  EXPECT_FALSE(parseDate("2024-04-31"));
  EXPECT_TRUE(parseDate("2024-02-29"));
  EXPECT_FALSE(parseDate("2100-02-29"));
}

TEST(ClockTest, HttpDate) {
  EXPECT_EQ(formatHttpDate(784'111'777), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(formatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
}

}  // namespace
}  // namespace gridgate
