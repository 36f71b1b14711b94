// OAuth scope values (RFC 6749 3.3): space-delimited, case-sensitive, order irrelevant.
//
//   std::vector<std::string> requested = splitScope(form_scope);
//   if (!isSubset(requested, splitScope(granted))) return invalid_scope;
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gridgate::authz {

inline constexpr std::string_view kScopeOfflineAccess = "offline_access";
inline constexpr std::string_view kScopeOpenid = "openid";

// The values of a scope string, each once, in first-seen order; empty items (double spaces)
// skipped.
std::vector<std::string> splitScope(std::string_view scope);
std::string joinScope(const std::vector<std::string>& values);
bool hasScope(std::string_view scope, std::string_view value);
// Every value of `subset` is in `of`.
bool isSubset(const std::vector<std::string>& subset, const std::vector<std::string>& of);
// RFC 6749 appendix A.4: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool isScopeToken(std::string_view value);

}  // namespace gridgate::authz
