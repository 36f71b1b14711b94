// Imported meter readings: a contiguous run of half-hour slots held in memory, and the compact file
// format `gridgate dataset import` writes and the server loads (one file per meter).
//
//   GG_TRY(ImportedSeries s, parseCsv(csv_text, {.id = "m-1", .outcode = "SW1A"}));  //
//   csv_import.h GG_TRY(writeSeriesFile(dir / seriesFileName(s.id), s, pki::Overwrite::kNo));
//   GG_TRY(ImportedSeries back, readSeriesFile(dir / "m-1.ggmd"));
//   auto source = std::make_shared<ImportedSource>(std::move(back));
//
// File layout (little-endian), 8 bytes per slot with export, 4 without (a year: 140 KB / 70 KB):
//   "GGMD" | version u8 = 1 | flags u8 (bit 0: has export) | reserved u16 = 0
//   u16 length + meter id | u16 length + outcode | u16 length + account (may be 0)
//   i64 first slot start (unix seconds, a multiple of 1800) | u32 slot count
//   u32 import[count] | u32 export[count] (only with the export flag)
//   SHA-256 of everything before it (32 bytes)
// A slot value of 0xFFFFFFFF is a missing read. Reading refuses a wrong magic, version or flags,
// a field out of bounds, trailing or missing bytes, and a checksum mismatch: a truncated or
// altered file never loads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "pki/files.h"
#include "resource/meter.h"

namespace gridgate::resource {

inline constexpr std::uint32_t kMissingWh = 0xFFFFFFFF;
inline constexpr std::uint32_t kMaxSlotWh = 100'000;  // 200 kW for half an hour: beyond a home
inline constexpr std::size_t kMaxSeriesSlots = 48 * 366 * 20;  // 20 years
inline constexpr std::string_view kSeriesExtension = ".ggmd";

struct ImportedSeries {
  std::string id{};
  std::string outcode{};
  std::string account{};  // empty: every account sees the meter
  bool has_export = false;
  std::int64_t first = 0;                // start of the first slot
  std::vector<std::uint32_t> import{};   // per slot, kMissingWh for a missing read
  std::vector<std::uint32_t> exports{};  // same length as `import` when has_export, else empty

  std::int64_t end() const {
    return first + static_cast<std::int64_t>(import.size()) * kSlotSeconds;
  }
};

// Checks the invariants above (id, outcode, account, alignment, lengths, value bounds).
[[nodiscard]] Status checkSeries(const ImportedSeries& s);

[[nodiscard]] Bytes encodeSeries(const ImportedSeries& s);
[[nodiscard]] Result<ImportedSeries> decodeSeries(ByteView data);

// "<id>.ggmd"
std::string seriesFileName(std::string_view id);
[[nodiscard]] Status writeSeriesFile(const std::filesystem::path& path, const ImportedSeries& s,
                                     pki::Overwrite overwrite);
[[nodiscard]] Result<ImportedSeries> readSeriesFile(const std::filesystem::path& path);

class ImportedSource final : public ReadingSource {
 public:
  explicit ImportedSource(ImportedSeries series) : s_(std::move(series)) {}

  void readings(Measure measure, std::int64_t start, std::int64_t end,
                std::vector<Reading>& out) const override;
  std::int64_t coverageStart() const override { return s_.first; }
  std::int64_t coverageEnd() const override { return s_.end(); }
  std::string_view kind() const override { return "imported"; }
  const ImportedSeries& series() const { return s_; }

 private:
  ImportedSeries s_;
};

}  // namespace gridgate::resource
