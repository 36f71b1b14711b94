#include "authz/ui/cookies.h"

namespace gridgate::authz::ui {

namespace {
std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

std::optional<std::string> cookieValue(const net::Headers& headers, std::string_view name) {
  std::optional<std::string> found;
  int matches = 0;
  for (std::string_view header : headers.getAll("cookie")) {
    while (!header.empty()) {
      std::size_t semi = header.find(';');
      std::string_view pair = trimSpaces(header.substr(0, semi));
      header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
      std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      if (trimSpaces(pair.substr(0, eq)) != name) continue;
      std::string_view value = trimSpaces(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      found = std::string(value);
      ++matches;
    }
  }
  if (matches != 1) return std::nullopt;
  return found;
}

std::string setCookie(std::string_view name, std::string_view value, Seconds max_age) {
  return std::string(name) + "=" + std::string(value) +
         "; Max-Age=" + std::to_string(max_age.count()) +
         "; Path=/; Secure; HttpOnly; SameSite=Lax";
}

std::string clearCookie(std::string_view name) {
  return std::string(name) + "=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax";
}

}  // namespace gridgate::authz::ui
