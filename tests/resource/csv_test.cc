// CSV import (every bad_* file of tests/testdata/resource/csv is refused, naming its line) and the
// compact meter file format (round trip; truncated, altered or mislabelled files never load).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "resource/csv_import.h"
#include "resource/dataset.h"
#include "resource/series.h"
#include "support.h"

namespace gridgate::resource {
namespace {

const std::filesystem::path kCsvDir = std::filesystem::path(GRIDGATE_TESTDATA_DIR) / "resource/csv";

CsvImportOptions options() { return {.id = "m-1", .outcode = "OX4"}; }

TEST(CsvImport, WattHoursWithGapsAndMissingValues) {
  auto s = parseMeterCsv(test::readText(kCsvDir / "good_wh.csv"), options());
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->id, "m-1");
  EXPECT_EQ(s->outcode, "OX4");
  EXPECT_TRUE(s->has_export);
  EXPECT_EQ(s->first, *parseUtc("2024-06-01T00:00:00Z"));
  // 00:00 .. 03:00 inclusive: 7 slots; 00:30 empty, 01:30 and 02:00 absent (gap).
  const std::vector<std::uint32_t> imp = {152, kMissingWh, 98, kMissingWh, kMissingWh, 75, 60};
  const std::vector<std::uint32_t> exp = {0, kMissingWh, 0, kMissingWh, kMissingWh, kMissingWh, 12};
  EXPECT_EQ(s->import, imp);
  EXPECT_EQ(s->exports, exp);
  EXPECT_EQ(s->end(), *parseUtc("2024-06-01T03:30:00Z"));
}

TEST(CsvImport, KilowattHoursBomCrlf) {
  auto s = parseMeterCsv(test::readText(kCsvDir / "good_kwh_bom_crlf.csv"), options());
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_FALSE(s->has_export);
  EXPECT_TRUE(s->exports.empty());
  EXPECT_EQ(s->import, (std::vector<std::uint32_t>{152, 1500, 2000}));
  EXPECT_EQ(s->first, *parseUtc("2024-01-01T23:30:00Z"));
}

TEST(CsvImport, EveryBadFileIsRefused) {
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCsvDir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("bad_")) continue;
    ++files;
    auto s = parseMeterCsv(test::readText(entry.path()), options());
    EXPECT_FALSE(s) << name << " was accepted";
    if (!s && name != "bad_empty.csv" && name != "bad_header_only.csv") {
      EXPECT_NE(s.error().detail.find("line "), std::string::npos)
          << name << ": " << s.error().detail;
    }
  }
  EXPECT_GE(files, 18);
}

TEST(CsvImport, MeterMetadataChecked) {
  const std::string csv = "from,import_wh\n2024-06-01T00:00:00Z,1\n";
  EXPECT_FALSE(parseMeterCsv(csv, {.id = "../x", .outcode = "OX4"}));
  EXPECT_FALSE(parseMeterCsv(csv, {.id = "m", .outcode = "ox4"}));
  EXPECT_FALSE(parseMeterCsv(csv, {.id = "m", .outcode = "OX4", .account = "a b"}));
  EXPECT_FALSE(parseMeterCsv(csv, {.id = "m", .outcode = "OX4", .max_bytes = 10}));
  EXPECT_TRUE(parseMeterCsv(csv, {.id = "m", .outcode = "OX4", .account = "user-1"}));
}

ImportedSeries sample() {
  auto s = parseMeterCsv(test::readText(kCsvDir / "good_wh.csv"),
                         {.id = "m-1", .outcode = "OX4", .account = "alice"});
  EXPECT_TRUE(s);
  return *s;
}

TEST(Series, RoundTrip) {
  const ImportedSeries s = sample();
  const Bytes b = encodeSeries(s);
  auto back = decodeSeries(b);
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->id, s.id);
  EXPECT_EQ(back->outcode, s.outcode);
  EXPECT_EQ(back->account, "alice");
  EXPECT_EQ(back->has_export, s.has_export);
  EXPECT_EQ(back->first, s.first);
  EXPECT_EQ(back->import, s.import);
  EXPECT_EQ(back->exports, s.exports);
}

TEST(Series, EveryTruncationAndByteFlipIsRefused) {
  const Bytes b = encodeSeries(sample());
  for (std::size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(decodeSeries(ByteView(b).first(n))) << "truncated to " << n;
  }
  for (std::size_t i = 0; i < b.size(); ++i) {
    Bytes c = b;
    c[i] ^= 0x01;
    EXPECT_FALSE(decodeSeries(c)) << "bit flipped at " << i;
  }
  Bytes longer = b;
  longer.push_back(0);
  EXPECT_FALSE(decodeSeries(longer));
}

TEST(Series, ImportedSourceReadings) {
  const ImportedSource src(sample());
  std::vector<Reading> r;
  src.readings(Measure::kImport, *parseUtc("2024-05-31T23:00:00Z"),
               *parseUtc("2024-06-01T01:30:00Z"), r);
  ASSERT_EQ(r.size(), 3u);  // only the covered slots
  EXPECT_EQ(r[0].wh, 152u);
  EXPECT_TRUE(r[1].missing);
  EXPECT_EQ(r[2].wh, 98u);
  r.clear();
  src.readings(Measure::kExport, src.coverageStart(), src.coverageEnd(), r);
  ASSERT_EQ(r.size(), 7u);
  EXPECT_EQ(r[6].wh, 12u);
  EXPECT_TRUE(r[5].missing);
}

TEST(Series, DirectoryLoading) {
  test::TempDir dir;
  const ImportedSeries s = sample();
  ASSERT_TRUE(writeSeriesFile(dir.path() / seriesFileName(s.id), s, pki::Overwrite::kNo));
  EXPECT_FALSE(writeSeriesFile(dir.path() / seriesFileName(s.id), s, pki::Overwrite::kNo));
  test::writeText(dir.path() / "notes.txt", "ignored");
  Dataset ds = Dataset::builtIn();
  ASSERT_TRUE(ds.addDirectory(dir.path()));
  const Meter* m = ds.find("m-1");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->account, "alice");
  EXPECT_TRUE(m->visibleTo("alice"));
  EXPECT_FALSE(m->visibleTo("bob"));
  EXPECT_EQ(m->source->kind(), "imported");

  // A file whose name does not match its meter id does not load.
  test::TempDir other;
  ASSERT_TRUE(writeSeriesFile(other.path() / "m-2.ggmd", s, pki::Overwrite::kNo));
  Dataset ds2;
  EXPECT_FALSE(ds2.addDirectory(other.path()));
  // Nor a corrupted one.
  test::TempDir third;
  Bytes b = encodeSeries(s);
  b[b.size() / 2] ^= 0xFF;
  test::writeText(third.path() / "m-1.ggmd", std::string(asChars(b)));
  Dataset ds3;
  EXPECT_FALSE(ds3.addDirectory(third.path()));
  // A built-in id imported again is a conflict.
  test::TempDir fourth;
  ImportedSeries clash = s;
  clash.id = "abcd1234";
  ASSERT_TRUE(writeSeriesFile(fourth.path() / "abcd1234.ggmd", clash, pki::Overwrite::kNo));
  Dataset ds4 = Dataset::builtIn();
  EXPECT_EQ(ds4.addDirectory(fourth.path()).error().code, Errc::kConflict);
}

}  // namespace
}  // namespace gridgate::resource
