#include "store/redis/redis_options.h"

#include <charconv>
#include <string>

namespace gridgate::store {
namespace {

Result<int> parseNumber(std::string_view text, int min, int max, std::string_view what) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return fail(Errc::kInvalidArgument, "redis url: bad " + std::string(what));
  }
  return value;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding of the user-info (a password may contain ':' or '@').
Result<std::string> percentDecode(std::string_view s, std::string_view what) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    const int hi = i + 2 < s.size() ? hexValue(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hexValue(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return fail(Errc::kInvalidArgument, "redis url: bad escape in " + std::string(what));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<int> databaseOf(std::string_view text) { return parseNumber(text, 0, 1 << 20, "database"); }

}  // namespace

Result<RedisEndpoint> parseRedisUrl(std::string_view url) {
  RedisEndpoint ep;
  constexpr std::string_view kTcp = "redis://";
  constexpr std::string_view kUnix = "unix://";
  if (url.starts_with(kUnix)) {
    std::string_view rest = url.substr(kUnix.size());
    const std::size_t q = rest.find('?');
    ep.unix_path = std::string(rest.substr(0, q));
    if (ep.unix_path.empty() || ep.unix_path.front() != '/') {
      return fail(Errc::kInvalidArgument, "redis url: a unix:// URL needs an absolute path");
    }
    if (q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      if (!query.starts_with("db=")) {
        return fail(Errc::kInvalidArgument, "redis url: the only unix:// parameter is db=N");
      }
      GG_TRY(ep.database, databaseOf(query.substr(3)));
    }
    return ep;
  }
  if (!url.starts_with(kTcp)) {
    return fail(Errc::kInvalidArgument, "redis url: must start with redis:// or unix://");
  }
  std::string_view rest = url.substr(kTcp.size());
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view db = rest.substr(slash + 1);
    if (!db.empty()) {
      GG_TRY(ep.database, databaseOf(db));
    }
  }
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      // redis://password@host is a common shorthand (no ACL user).
      GG_TRY(ep.password, percentDecode(userinfo, "password"));
    } else {
      GG_TRY(ep.username, percentDecode(userinfo.substr(0, colon), "username"));
      GG_TRY(ep.password, percentDecode(userinfo.substr(colon + 1), "password"));
    }
  }
  if (authority.starts_with('[')) {  // [IPv6]:port
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(Errc::kInvalidArgument, "redis url: unterminated IPv6 address");
    }
    ep.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') return fail(Errc::kInvalidArgument, "redis url: bad host");
      GG_TRY(ep.port, parseNumber(authority.substr(1), 1, 65535, "port"));
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    ep.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      GG_TRY(ep.port, parseNumber(authority.substr(colon + 1), 1, 65535, "port"));
    }
  }
  if (ep.host.empty()) return fail(Errc::kInvalidArgument, "redis url: no host");
  return ep;
}

Result<RedisEndpoint> resolveRedisEndpoint(const RedisOptions& options) {
  GG_TRY(RedisEndpoint ep, parseRedisUrl(options.url));
  if (options.database) {
    if (*options.database < 0) {
      return fail(Errc::kInvalidArgument, "redis: database must not be negative");
    }
    ep.database = *options.database;
  }
  if (options.username) ep.username = *options.username;
  if (options.password) ep.password = *options.password;
  if (!ep.username.empty() && ep.password.empty()) {
    return fail(Errc::kInvalidArgument, "redis: a username needs a password");
  }
  return ep;
}

std::string redactRedisUrl(std::string_view url) {
  constexpr std::string_view kTcp = "redis://";
  if (!url.starts_with(kTcp)) return std::string(url);
  std::string_view rest = url.substr(kTcp.size());
  const std::size_t slash = rest.find('/');
  const std::size_t at = rest.substr(0, slash).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::string_view userinfo = rest.substr(0, at);
  const std::size_t colon = userinfo.find(':');
  std::string user = colon == std::string_view::npos ? "" : std::string(userinfo.substr(0, colon));
  return std::string(kTcp) + user + ":***@" + std::string(rest.substr(at + 1));
}

}  // namespace gridgate::store
