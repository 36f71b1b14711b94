// The period of a readings request, from its query string, and the readings as the API's JSON.
//
//   auto period = parsePeriod(req.query, 366);     // ?from=2024-01-01&to=2024-01-31
//   if (!period) return badParameter(period.error());   // names the parameter
//   appendReadingsJson(body, readings);            // the `data` array
//
// Period semantics: `from` and `to` are calendar dates (YYYY-MM-DD, UTC) and both are included:
// the readings are those of the half-hour slots starting in [from 00:00:00Z, to+1 day 00:00:00Z).
// from == to asks for one day (48 readings). A period is at most `max_days` days (to - from + 1).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tl/expected.hpp>

#include "resource/meter.h"

namespace gridgate::resource {

struct Period {
  std::int64_t from_day = 0;  // unix seconds of `from` 00:00:00Z
  std::int64_t to_day = 0;    // unix seconds of `to` 00:00:00Z
  std::string from{};         // as asked ("2024-01-01")
  std::string to{};

  std::int64_t start() const { return from_day; }
  std::int64_t end() const { return to_day + kDaySeconds; }  // exclusive
  std::int64_t days() const { return (to_day - from_day) / kDaySeconds + 1; }
};

// What is wrong with a request parameter (answered 400 with the parameter's name).
struct ParameterError {
  std::string parameter{};
  std::string description{};
};

// `from` and `to` must each appear once, be valid dates, from <= to, and span at most `max_days`.
// Other parameters are ignored.
[[nodiscard]] tl::expected<Period, ParameterError> parsePeriod(std::string_view query,
                                                               std::int64_t max_days);

// Appends the readings as a JSON array. Each reading:
//   {"type":"Electricity","from":"2024-01-01T00:00:00Z","to":"2024-01-01T00:30:00Z",
//    "takenAt":"2024-01-01T00:30:00Z","energy":{"value":152,"unitCode":"WHR"},
//    "cumulative":{"value":152,"unitCode":"WHR"},"quality":"measured"}
// takenAt is the end of the half hour (when the meter records the interval). cumulative is the
// running total of the measured energy since the first reading of the array. A missing read has
// "quality":"missing", no takenAt, an energy value of null, and the running total unchanged.
void appendReadingsJson(std::string& out, std::span<const Reading> readings);

}  // namespace gridgate::resource
