#include "resource/csv_import.h"

#include <vector>

#include "core/clock.h"

namespace gridgate::resource {

namespace {

enum class Unit { kWh, kKwh };

struct Column {
  Measure measure;
  Unit unit;
};

Error lineError(std::size_t line, std::string_view what) {
  return Error{Errc::kMalformed, "line " + std::to_string(line) + ": " + std::string(what)};
}

// Splits one line into fields; strips a pair of surrounding double quotes.
Result<std::vector<std::string_view>> splitFields(std::string_view line, std::size_t line_no) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    std::string_view f = line.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!f.empty() && f.front() == '"') {
      if (f.size() < 2 || f.back() != '"') return fail(lineError(line_no, "unterminated quote"));
      f = f.substr(1, f.size() - 2);
    }
    if (f.find('"') != std::string_view::npos) {
      return fail(lineError(line_no, "a quote inside a field"));
    }
    fields.push_back(f);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

Result<Column> parseHeaderColumn(std::string_view name) {
  if (name == "import_wh") return Column{Measure::kImport, Unit::kWh};
  if (name == "import_kwh") return Column{Measure::kImport, Unit::kKwh};
  if (name == "export_wh") return Column{Measure::kExport, Unit::kWh};
  if (name == "export_kwh") return Column{Measure::kExport, Unit::kKwh};
  return fail(Errc::kMalformed, "unknown column");
}

// Exact conversion to whole Wh: "152" (Wh) or "0.152" (kWh, at most 3 decimals).
Result<std::uint32_t> parseValue(std::string_view text, Unit unit) {
  std::uint64_t whole = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    whole = whole * 10 + static_cast<std::uint64_t>(text[i] - '0');
    if (whole > kMaxSlotWh) return fail(Errc::kInvalidArgument, "above 100000 Wh");
  }
  if (i == 0) return fail(Errc::kMalformed, "not a non-negative number");
  std::uint64_t wh = whole;
  if (unit == Unit::kKwh) {
    wh = whole * 1000;
    if (i < text.size() && text[i] == '.') {
      ++i;
      std::uint64_t scale = 100;
      std::size_t digits = 0;
      for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
        if (digits == 3) return fail(Errc::kInvalidArgument, "more than 3 decimals of kWh");
        wh += static_cast<std::uint64_t>(text[i] - '0') * scale;
        scale /= 10;
      }
      if (digits == 0) return fail(Errc::kMalformed, "not a number");
    }
  }
  if (i != text.size()) return fail(Errc::kMalformed, "not a non-negative number");
  if (wh > kMaxSlotWh) return fail(Errc::kInvalidArgument, "above 100000 Wh");
  return static_cast<std::uint32_t>(wh);
}

}  // namespace

Result<ImportedSeries> parseMeterCsv(std::string_view text, const CsvImportOptions& options) {
  if (text.size() > options.max_bytes) return fail(Errc::kLimitExceeded, "CSV file too large");
  ImportedSeries s;
  s.id = options.id;
  s.outcode = options.outcode;
  s.account = options.account;
  GG_TRY(checkMeterId(s.id));
  GG_TRY(checkOutcode(s.outcode));
  if (!s.account.empty()) GG_TRY(checkAccount(s.account));

  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<Column> columns;
  std::int64_t previous = -1;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (const char c : line) {
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
        return fail(lineError(line_no, "control character"));
      }
    }
    if (line.empty()) {
      if (pos >= text.size()) break;  // the final line end
      return fail(lineError(line_no, "empty line"));
    }
    GG_TRY(auto fields, splitFields(line, line_no));
    if (columns.empty()) {
      if (fields.size() < 2 || fields.size() > 3 || fields[0] != "from") {
        return fail(lineError(line_no, "header must be from,import_wh[,export_wh]"));
      }
      for (std::size_t i = 1; i < fields.size(); ++i) {
        auto col = parseHeaderColumn(fields[i]);
        if (!col) return fail(lineError(line_no, "unknown column " + std::to_string(i + 1)));
        columns.push_back(*col);
      }
      if (columns[0].measure != Measure::kImport ||
          (columns.size() == 2 && columns[1].measure != Measure::kExport)) {
        return fail(lineError(line_no, "columns must be from, import, then optionally export"));
      }
      s.has_export = columns.size() == 2;
      continue;
    }
    if (fields.size() != columns.size() + 1) {
      return fail(lineError(line_no, "expected " + std::to_string(columns.size() + 1) + " fields"));
    }
    auto from = parseUtc(fields[0]);
    if (!from) return fail(lineError(line_no, "from: expected YYYY-MM-DDTHH:MM:SSZ"));
    if (*from % kSlotSeconds != 0) {
      return fail(lineError(line_no, "from: not the start of a half hour (:00:00 or :30:00)"));
    }
    if (*from <= previous) return fail(lineError(line_no, "from: not after the previous row"));
    if (s.import.empty()) {
      s.first = *from;
    } else {
      // A gap: the slots in between are missing reads.
      const std::int64_t gap = (*from - previous) / kSlotSeconds - 1;
      if (static_cast<std::uint64_t>(gap) + s.import.size() >= kMaxSeriesSlots) {
        return fail(lineError(line_no, "more than 20 years of readings"));
      }
      s.import.insert(s.import.end(), static_cast<std::size_t>(gap), kMissingWh);
      if (s.has_export)
        s.exports.insert(s.exports.end(), static_cast<std::size_t>(gap), kMissingWh);
    }
    previous = *from;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string_view field = fields[i + 1];
      std::uint32_t wh = kMissingWh;
      if (!field.empty()) {
        auto v = parseValue(field, columns[i].unit);
        if (!v) {
          return fail(
              lineError(line_no, "column " + std::to_string(i + 2) + ": " + v.error().detail));
        }
        wh = *v;
      }
      (columns[i].measure == Measure::kImport ? s.import : s.exports).push_back(wh);
    }
    if (s.import.size() > kMaxSeriesSlots) {
      return fail(lineError(line_no, "more than 20 years of readings"));
    }
  }
  if (columns.empty()) return fail(Errc::kMalformed, "empty file: no header");
  if (s.import.empty()) return fail(Errc::kMalformed, "no readings after the header");
  GG_TRY(checkSeries(s));
  return s;
}

}  // namespace gridgate::resource
