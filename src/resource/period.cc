#include "resource/period.h"

#include <charconv>

#include "core/clock.h"
#include "net/form.h"

namespace gridgate::resource {

namespace {

tl::unexpected<ParameterError> bad(std::string parameter, std::string description) {
  return tl::unexpected<ParameterError>(
      ParameterError{std::move(parameter), std::move(description)});
}

void appendUint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// "THH:MM:00Z" for a slot `seconds_of_day` after midnight (a multiple of 1800).
void appendTime(std::string& out, std::string_view date, std::int64_t seconds_of_day) {
  const auto h = static_cast<int>(seconds_of_day / 3600);
  const auto m = static_cast<int>((seconds_of_day % 3600) / 60);
  out.append(date);
  const char t[] = {'T',
                    static_cast<char>('0' + h / 10),
                    static_cast<char>('0' + h % 10),
                    ':',
                    static_cast<char>('0' + m / 10),
                    static_cast<char>('0' + m % 10),
                    ':',
                    '0',
                    '0',
                    'Z'};
  out.append(t, sizeof t);
}

}  // namespace

tl::expected<Period, ParameterError> parsePeriod(std::string_view query, std::int64_t max_days) {
  auto form = net::parseQuery(query);
  if (!form) return bad("query", "the query string is not well-formed");
  Period p;
  for (const char* name : {"from", "to"}) {
    const std::size_t n = form->count(name);
    if (n == 0) return bad(name, std::string(name) + " is required (YYYY-MM-DD)");
    if (n > 1) return bad(name, std::string(name) + " is given more than once");
    const std::string& text = *form->get(name);
    auto day = parseDate(text);
    if (!day) return bad(name, std::string(name) + " is not a valid date YYYY-MM-DD");
    (std::string_view(name) == "from" ? p.from_day : p.to_day) = *day;
    (std::string_view(name) == "from" ? p.from : p.to) = text;
  }
  if (p.from_day > p.to_day) return bad("from", "from is after to");
  if (p.days() > max_days) {
    return bad("to", "the period is longer than " + std::to_string(max_days) + " days");
  }
  return p;
}

void appendReadingsJson(std::string& out, std::span<const Reading> readings) {
  out.reserve(out.size() + readings.size() * 230 + 2);
  out += '[';
  std::uint64_t cumulative = 0;
  std::int64_t day = -1;
  std::string date;  // "YYYY-MM-DD" of `day`
  std::string next_date;
  std::int64_t next_day = -1;
  bool first = true;
  for (const Reading& r : readings) {
    const std::int64_t d = r.from - (r.from % kDaySeconds + kDaySeconds) % kDaySeconds;
    if (d != day) {
      day = d;
      date = d == next_day ? next_date : formatDate(d);
    }
    const std::int64_t end = r.from + kSlotSeconds;
    const std::int64_t end_offset = end - day;
    // The slot ending at midnight ends on the next date.
    std::string_view end_date = date;
    if (end_offset == kDaySeconds) {
      if (next_day != day + kDaySeconds) {
        next_day = day + kDaySeconds;
        next_date = formatDate(next_day);
      }
      end_date = next_date;
    }
    const std::int64_t end_tod = end_offset == kDaySeconds ? 0 : end_offset;

    if (!first) out += ',';
    first = false;
    out += R"({"type":"Electricity","from":")";
    appendTime(out, date, r.from - day);
    out += R"(","to":")";
    appendTime(out, end_date, end_tod);
    if (r.missing) {
      out += R"(","energy":{"value":null,"unitCode":"WHR"},"cumulative":{"value":)";
      appendUint(out, cumulative);
      out += R"(,"unitCode":"WHR"},"quality":"missing"})";
      continue;
    }
    cumulative += r.wh;
    out += R"(","takenAt":")";
    appendTime(out, end_date, end_tod);
    out += R"(","energy":{"value":)";
    appendUint(out, r.wh);
    out += R"(,"unitCode":"WHR"},"cumulative":{"value":)";
    appendUint(out, cumulative);
    out += R"(,"unitCode":"WHR"},"quality":"measured"})";
  }
  out += ']';
}

}  // namespace gridgate::resource
