// Meter readings from a CSV file: what `gridgate dataset import` validates before it stores them in
// the compact form (series.h).
//
//   GG_TRY(ImportedSeries s, parseMeterCsv(text, {.id = "m-1", .outcode = "OX4"}));
//
// The format (RFC 4180 subset; one meter per file):
//   from,import_wh,export_wh                  <- header; export column optional
//   2024-01-01T00:00:00Z,152,0                <- slot start, UTC, on :00 or :30, whole seconds
//   2024-01-01T00:30:00Z,,                    <- empty value: a missing read
//   2024-01-01T01:30:00Z,98,0                 <- a gap: the slots in between are missing reads
// A column may be in kWh instead (`import_kwh`, `export_kwh`, at most 3 decimals: exact Wh).
// Rows strictly increase in time. Values are non-negative, at most 100000 Wh per half hour.
// A field may be wrapped in double quotes (no quote, comma or line break inside). Line ends are
// LF or CRLF; a UTF-8 byte order mark at the start is skipped. Anything else is an error naming
// the line and the column: nothing is guessed, rounded or skipped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "resource/series.h"

namespace gridgate::resource {

struct CsvImportOptions {
  std::string id{};
  std::string outcode{};
  std::string account{};  // optional owner (token `sub`)
  std::size_t max_bytes = 64 * 1024 * 1024;
};

[[nodiscard]] Result<ImportedSeries> parseMeterCsv(std::string_view text,
                                                   const CsvImportOptions& options);

}  // namespace gridgate::resource
