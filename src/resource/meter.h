// The smart meters a data provider holds and the half-hourly readings they record.
//
//   GG_TRY(checkMeterId(id));                                  // [A-Za-z0-9_-]{1,64}
//   GG_TRY(checkOutcode(outcode));                             // "SW1A", "M1", "EH9"
//   std::optional<Measure> m = parseMeasure("export");         // URL segment -> measure
//   std::vector<Reading> out;
//   meter.source->readings(Measure::kImport, slot_start, slot_end, out);   // [start, end)
//
// Time is cut into half-hour slots aligned on UTC (every slot starts at a multiple of 1800 s).
// A Reading is the energy of one slot in whole watt-hours, or a read the meter did not deliver
// (`missing`): missing reads are kept in the series, flagged, never filled in with a guess.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gridgate::resource {

inline constexpr std::int64_t kSlotSeconds = 1800;
inline constexpr std::int64_t kDaySeconds = 86400;
inline constexpr int kSlotsPerDay = 48;

enum class Measure : std::uint8_t {
  kImport,  // energy taken from the grid
  kExport,  // energy sent to the grid (meters with generation, e.g. solar panels)
};

std::string_view measureName(Measure m);  // "import", "export"
std::optional<Measure> parseMeasure(std::string_view name);

struct Reading {
  std::int64_t from = 0;  // slot start, unix seconds (to = from + kSlotSeconds)
  std::uint32_t wh = 0;   // energy in the slot, Wh; 0 when missing
  bool missing = false;   // the meter delivered no read for this slot
};

// Where a meter's readings come from: the deterministic generator or an imported series.
class ReadingSource {
 public:
  virtual ~ReadingSource() = default;
  // Appends the readings of the slots in [start, end) that the source covers, in time order.
  // `start` and `end` are slot boundaries. Slots outside the source's coverage are not appended.
  virtual void readings(Measure measure, std::int64_t start, std::int64_t end,
                        std::vector<Reading>& out) const = 0;
  // The first slot start covered, and the end of the last covered slot (exclusive).
  virtual std::int64_t coverageStart() const = 0;
  virtual std::int64_t coverageEnd() const = 0;
  virtual std::string_view kind() const = 0;  // "generated", "imported"
};

struct Meter {
  std::string id{};
  std::string outcode{};    // UK postcode outcode (location.ukPostcodeOutcode)
  bool has_export = false;  // availableMeasures: ["import"] or ["import", "export"]
  // The account (token `sub`) the meter belongs to. Empty: the meter is shown to every account
  // (the demo dataset); otherwise only a token of that account sees it, and to anyone else it
  // does not exist (404, never 403: its existence is not disclosed).
  std::string account{};
  std::shared_ptr<const ReadingSource> source{};

  bool hasMeasure(Measure m) const { return m == Measure::kImport || has_export; }
  bool visibleTo(std::string_view subject) const { return account.empty() || account == subject; }
};

// [A-Za-z0-9_-], 1 to 64 characters: safe in a URL path segment, a file name and a log line.
[[nodiscard]] Status checkMeterId(std::string_view id);
// A UK postcode outcode: A9, A99, AA9, AA99, A9A or AA9A (upper case).
[[nodiscard]] Status checkOutcode(std::string_view outcode);
// An account id written into a dataset file: 1 to 256 printable ASCII characters.
[[nodiscard]] Status checkAccount(std::string_view account);

}  // namespace gridgate::resource
