#include "authz/ui/describe.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace gridgate::authz::ui {

namespace {

bool isDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0U, 1U, 2U, 3U, 5U, 6U, 8U, 9U}) {
    if (std::isdigit(static_cast<unsigned char>(s[i])) == 0) return false;
  }
  return true;
}

bool isSlugChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// ".../licence/energy-consumption-data/2024-12-05" -> "Energy consumption data (licence of ...)".
std::string licenceWords(std::string_view scope) {
  if (scope.rfind("https://", 0) != 0) return {};
  constexpr std::string_view kMarker = "/licence/";
  std::size_t at = scope.rfind(kMarker);
  if (at == std::string_view::npos) return {};
  std::string_view rest = scope.substr(at + kMarker.size());
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view slug = rest.substr(0, slash);
  std::string_view date = rest.substr(slash + 1);
  if (slug.empty() || slug.size() > 80 || !std::all_of(slug.begin(), slug.end(), isSlugChar) ||
      !isDate(date)) {
    return {};
  }
  std::string words;
  for (char c : slug) words += c == '-' ? ' ' : c;
  words[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(words[0])));
  return words + " (licence of " + std::string(date) + ")";
}

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};

}  // namespace

ScopeWords describeScope(std::string_view scope, const ScopeNames& names) {
  if (auto it = names.find(scope); it != names.end()) {
    return {it->second, std::string(scope)};
  }
  if (scope == "offline_access") {
    return {"Continued access while you are not using the app, until the end date below", ""};
  }
  if (scope == "openid") return {"Your account identifier at this provider", ""};
  std::string words = licenceWords(scope);
  if (!words.empty()) return {std::move(words), std::string(scope)};
  return {std::string(scope), ""};
}

std::vector<ScopeWords> describeScopes(std::string_view scopes, const ScopeNames& names) {
  std::vector<ScopeWords> out;
  std::vector<std::string_view> seen;
  while (!scopes.empty()) {
    std::size_t sp = scopes.find(' ');
    std::string_view s = scopes.substr(0, sp);
    scopes = sp == std::string_view::npos ? std::string_view{} : scopes.substr(sp + 1);
    if (s.empty() || std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
    seen.push_back(s);
    out.push_back(describeScope(s, names));
  }
  return out;
}

std::string describeDuration(Seconds duration) {
  std::int64_t s = duration.count();
  auto plural = [](std::int64_t n, const char* unit) {
    return std::to_string(n) + " " + unit + (n == 1 ? "" : "s");
  };
  constexpr std::int64_t kDay = 86400;
  if (s >= 365 * kDay && s % (365 * kDay) == 0) return plural(s / (365 * kDay) * 12, "month");
  if (s >= kDay) return plural(s / kDay, "day");
  if (s >= 3600) return plural(s / 3600, "hour");
  return plural(std::max<std::int64_t>(s / 60, 1), "minute");
}

std::string formatLongDate(std::int64_t unix_seconds) {
  std::string iso = formatDate(unix_seconds);  // YYYY-MM-DD
  auto two = [&](std::size_t at) { return (iso[at] - '0') * 10 + (iso[at + 1] - '0'); };
  int month = two(5);
  int day = two(8);
  return std::to_string(day) + " " + kMonths[static_cast<std::size_t>(month - 1)] + " " +
         iso.substr(0, 4);
}

std::string formatLongDateTime(std::int64_t unix_seconds) {
  std::string utc = formatUtc(unix_seconds);  // YYYY-MM-DDTHH:MM:SSZ
  return formatLongDate(unix_seconds) + " at " + utc.substr(11, 5) + " UTC";
}

}  // namespace gridgate::authz::ui
