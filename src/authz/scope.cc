#include "authz/scope.h"

#include <algorithm>

namespace gridgate::authz {

std::vector<std::string> splitScope(std::string_view scope) {
  std::vector<std::string> out;
  while (!scope.empty()) {
    const std::size_t sp = scope.find(' ');
    std::string_view item = scope.substr(0, sp);
    if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) {
      out.emplace_back(item);
    }
    if (sp == std::string_view::npos) break;
    scope.remove_prefix(sp + 1);
  }
  return out;
}

std::string joinScope(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ' ';
    out += v;
  }
  return out;
}

bool hasScope(std::string_view scope, std::string_view value) {
  const std::vector<std::string> values = splitScope(scope);
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool isSubset(const std::vector<std::string>& subset, const std::vector<std::string>& of) {
  return std::all_of(subset.begin(), subset.end(), [&](const std::string& v) {
    return std::find(of.begin(), of.end(), v) != of.end();
  });
}

bool isScopeToken(std::string_view value) {
  if (value.empty()) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x5b) || (u >= 0x5d && u <= 0x7e);
  });
}

}  // namespace gridgate::authz
