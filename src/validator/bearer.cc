#include "validator/bearer.h"

#include <array>
#include <cstdint>

namespace gridgate::validator {

namespace {

constexpr std::array<bool, 256> makeB64TokenTable() {
  std::array<bool, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
  for (const char c : {'-', '.', '_', '~', '+', '/'}) t[static_cast<unsigned char>(c)] = true;
  return t;
}
constexpr std::array<bool, 256> kB64Token = makeB64TokenTable();

bool iequalsAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Compares a form/query parameter name, percent-decoded and '+' as space, with `want`. An invalid
// escape compares unequal (such a request is refused elsewhere or is not a token carrier).
bool nameEquals(std::string_view encoded, std::string_view want) {
  std::size_t j = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i, ++j) {
    char c = encoded[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      if (i + 2 >= encoded.size()) return false;
      const int hi = hexValue(encoded[i + 1]);
      const int lo = hexValue(encoded[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (j >= want.size() || want[j] != c) return false;
  }
  return j == want.size();
}

bool hasAccessTokenParameter(std::string_view text) {
  // Fast exit: the name, in any encoding, contains "token" or an escape.
  if (text.find("token") == std::string_view::npos && text.find('%') == std::string_view::npos) {
    return false;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(start, end - start);
    const std::string_view name = pair.substr(0, pair.find('='));
    if (nameEquals(name, "access_token")) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

bool queryHasAccessToken(std::string_view query) { return hasAccessTokenParameter(query); }
bool formHasAccessToken(std::string_view body) { return hasAccessTokenParameter(body); }

bool isB64Token(std::string_view token) {
  std::size_t end = token.size();
  while (end > 0 && token[end - 1] == '=') --end;
  if (end == 0) return false;
  for (std::size_t i = 0; i < end; ++i) {
    if (!kB64Token[static_cast<unsigned char>(token[i])]) return false;
  }
  return true;
}

tl::expected<std::string_view, AuthError> extractBearer(const RequestView& view) {
  if (view.token_in_query) return deny(Reason::kTokenInQuery, "access_token in the query");
  if (view.token_in_body) return deny(Reason::kTokenInBody, "access_token in the body");
  if (view.authorization.size() > 1) {
    return deny(Reason::kDuplicateAuthorization, "more than one Authorization header");
  }
  if (view.authorization.empty()) return deny(Reason::kNoToken, "no Authorization header");

  std::string_view value = view.authorization.front();
  // Optional whitespace around a field value is not part of it (RFC 9110 section 5.5).
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);

  const std::size_t sp = value.find(' ');
  const std::string_view scheme = value.substr(0, sp);
  if (!iequalsAscii(scheme, "Bearer")) {
    return deny(Reason::kNoToken, "Authorization scheme is not Bearer");
  }
  if (sp == std::string_view::npos) {
    return deny(Reason::kMalformedAuthorization, "Bearer without a token");
  }
  std::string_view token = value.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return deny(Reason::kMalformedAuthorization, "Bearer without a token");
  if (token.size() > kMaxTokenBytes) {
    return deny(Reason::kMalformedAuthorization, "token longer than the limit");
  }
  if (!isB64Token(token)) {
    return deny(Reason::kMalformedAuthorization, "token is not a b64token");
  }
  return token;
}

}  // namespace gridgate::validator
