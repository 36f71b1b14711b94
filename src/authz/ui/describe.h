// Plain words for what a person agrees to: licences, scopes, durations and dates.
//
//   for (const ScopeWords& w : describeScopes(par.scope, overrides))
//     ... w.description ("Energy consumption data (licence of 2024-12-05)"), w.detail (the URL)
//   describeDuration(Seconds(365 * 86400))   // "12 months"
//   formatLongDate(1764892800)               // "5 December 2025"
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace gridgate::authz::ui {

struct ScopeWords {
  std::string description;  // what a person reads
  std::string detail;       // the scope itself when the description is a translation, else ""
};

// Configured names for scopes (licence URL -> words) take precedence over the built-in ones.
using ScopeNames = std::map<std::string, std::string, std::less<>>;

// A trust-framework licence URL (".../scheme/<scheme>/licence/<name>/<YYYY-MM-DD>") becomes
// "<Name in words> (licence of <date>)"; offline_access and openid get sentences; anything else is
// shown verbatim, so that nothing a client asks for is hidden or invented.
ScopeWords describeScope(std::string_view scope, const ScopeNames& names = {});
// Each space-separated scope, in order, duplicates once.
std::vector<ScopeWords> describeScopes(std::string_view scopes, const ScopeNames& names = {});

// "12 months" (whole years are said in months, as the Perseus scheme does), "30 days", "1 day",
// "6 hours".
std::string describeDuration(Seconds duration);

// "5 December 2025" (UTC).
std::string formatLongDate(std::int64_t unix_seconds);
// "5 December 2025 at 14:03 UTC".
std::string formatLongDateTime(std::int64_t unix_seconds);

}  // namespace gridgate::authz::ui
