#include "client/cookie_jar.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "client/url.h"

namespace gridgate::client {
namespace {

constexpr std::size_t kMaxCookieBytes = 4096;
constexpr std::size_t kMaxPerHost = 50;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool validName(std::string_view n) {
  if (n.empty()) return false;
  for (const char c : n) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F) return false;
    if (std::string_view("()<>@,;:\\\"/[]?={}").find(c) != std::string_view::npos) return false;
  }
  return true;
}

bool validValue(std::string_view v) {
  for (const char c : v) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x21 || b > 0x7E || c == '"' || c == ',' || c == ';' || c == '\\') return false;
  }
  return true;
}

// "Wed, 25 Nov 2026 15:04:05 GMT" (IMF-fixdate, the form servers send); nullopt otherwise.
std::optional<std::int64_t> parseHttpDate(std::string_view s) {
  s = trim(s);
  const std::size_t comma = s.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  s.remove_prefix(comma + 2);
  if (s.size() != 24 || !s.ends_with(" GMT")) return std::nullopt;
  static constexpr std::array<std::string_view, 12> kMonths{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::string_view mon = s.substr(3, 3);
  std::size_t m = 0;
  while (m < kMonths.size() && kMonths[m] != mon) ++m;
  if (m == kMonths.size()) return std::nullopt;
  const std::string month = (m + 1 < 10 ? "0" : "") + std::to_string(m + 1);
  const std::string iso = std::string(s.substr(7, 4)) + "-" + month + "-" +
                          std::string(s.substr(0, 2)) + "T" + std::string(s.substr(12, 8)) + "Z";
  auto t = parseUtc(iso);
  if (!t) return std::nullopt;
  return *t;
}

bool domainMatch(std::string_view host, std::string_view domain) {
  if (host == domain) return true;
  return host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

bool pathMatch(std::string_view request_path, std::string_view cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.ends_with('/') || request_path[cookie_path.size()] == '/';
}

std::string defaultPath(std::string_view request_path) {
  if (!request_path.starts_with('/')) return "/";
  const std::size_t last = request_path.rfind('/');
  return last == 0 ? "/" : std::string(request_path.substr(0, last));
}

}  // namespace

std::size_t CookieJar::store(std::string_view url, const net::Headers& headers) {
  std::size_t refused = 0;
  for (const std::string_view set : headers.getAll("set-cookie")) {
    if (!storeOne(url, set)) ++refused;
  }
  return refused;
}

Status CookieJar::storeOne(std::string_view url_text, std::string_view set_cookie) {
  GG_TRY(const Url url, Url::parse(url_text));
  if (set_cookie.size() > kMaxCookieBytes) {
    return fail(Errc::kLimitExceeded, "Set-Cookie longer than 4096 bytes");
  }
  const std::size_t semi = set_cookie.find(';');
  const std::string_view pair = set_cookie.substr(0, semi);
  const std::size_t eq = pair.find('=');
  if (eq == std::string_view::npos) return fail(Errc::kMalformed, "cookie without '='");
  Cookie c;
  c.name = std::string(trim(pair.substr(0, eq)));
  std::string_view value = trim(pair.substr(eq + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  c.value = std::string(value);
  if (!validName(c.name) || !validValue(c.value)) {
    return fail(Errc::kMalformed, "cookie name or value with forbidden characters");
  }

  std::optional<std::int64_t> max_age;
  std::optional<std::int64_t> expires;
  std::optional<std::string> domain_attr;
  std::optional<std::string> path_attr;
  std::string_view rest =
      semi == std::string_view::npos ? std::string_view{} : set_cookie.substr(semi + 1);
  while (!rest.empty()) {
    const std::size_t next = rest.find(';');
    const std::string_view av = trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
    const std::size_t aeq = av.find('=');
    const std::string key = lowered(trim(av.substr(0, aeq)));
    const std::string_view val =
        aeq == std::string_view::npos ? std::string_view{} : trim(av.substr(aeq + 1));
    if (key == "max-age") {
      std::int64_t n = 0;
      const bool neg = val.starts_with('-');
      const std::string_view digits = neg ? val.substr(1) : val;
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
      if (!digits.empty() && r.ec == std::errc() && r.ptr == digits.data() + digits.size()) {
        max_age = neg ? -n : n;
      } else if (r.ec == std::errc::result_out_of_range) {
        max_age = neg ? -1 : std::int64_t{400} * 86400;
      }
    } else if (key == "expires") {
      expires = parseHttpDate(val);
    } else if (key == "domain") {
      std::string d = lowered(val);
      if (d.starts_with('.')) d.erase(0, 1);
      if (!d.empty()) domain_attr = std::move(d);
    } else if (key == "path") {
      if (val.starts_with('/')) path_attr = std::string(val);
    } else if (key == "secure") {
      c.secure = true;
    } else if (key == "httponly") {
      c.http_only = true;
    }
  }

  const std::int64_t now = clock_->unixSeconds();
  if (max_age) {
    // At most 400 days (RFC 6265bis), and no overflow.
    const std::int64_t capped = std::min<std::int64_t>(*max_age, std::int64_t{400} * 86400);
    c.expires = capped <= 0 ? now - 1 : now + capped;
  } else if (expires) {
    c.expires = std::min<std::int64_t>(*expires, now + std::int64_t{400} * 86400);
  }

  if (domain_attr) {
    if (url.hostIsIp()) {
      if (*domain_attr != url.host()) return fail(Errc::kInvalidArgument, "Domain on an IP host");
    } else {
      if (domain_attr->find('.') == std::string::npos && *domain_attr != url.host()) {
        return fail(Errc::kInvalidArgument, "Domain is a bare top-level name");
      }
      if (!domainMatch(url.host(), *domain_attr)) {
        return fail(Errc::kInvalidArgument, "Domain does not match the host");
      }
    }
    c.domain = *domain_attr;
    c.host_only = *domain_attr == url.host() && url.hostIsIp();
  } else {
    c.domain = url.host();
    c.host_only = true;
  }
  c.path = path_attr ? *path_attr : defaultPath(url.path());

  if (c.secure && !url.https()) return fail(Errc::kInvalidArgument, "Secure cookie over http");
  if (c.name.starts_with("__Secure-") && !c.secure) {
    return fail(Errc::kInvalidArgument, "__Secure- cookie without Secure");
  }
  if (c.name.starts_with("__Host-") && (!c.secure || domain_attr || path_attr != "/")) {
    return fail(Errc::kInvalidArgument, "__Host- cookie needs Secure, Path=/ and no Domain");
  }

  // Replace a cookie of the same name, domain and path; keep its creation order (RFC 6265 5.3.11).
  const auto same = [&](const Entry& e) {
    return e.cookie.name == c.name && e.cookie.domain == c.domain && e.cookie.path == c.path;
  };
  auto it = std::find_if(entries_.begin(), entries_.end(), same);
  const bool deleting = c.expires && *c.expires <= now;
  if (it != entries_.end()) {
    if (deleting) {
      entries_.erase(it);
    } else {
      it->cookie = std::move(c);
    }
    return ok();
  }
  if (deleting) return ok();
  const auto per_host = std::count_if(entries_.begin(), entries_.end(),
                                      [&](const Entry& e) { return e.cookie.domain == c.domain; });
  if (static_cast<std::size_t>(per_host) >= kMaxPerHost) {
    return fail(Errc::kLimitExceeded, "too many cookies for one host");
  }
  entries_.push_back({std::move(c), counter_++});
  return ok();
}

std::optional<std::string> CookieJar::header(std::string_view url_text) const {
  auto url = Url::parse(url_text);
  if (!url) return std::nullopt;
  const std::int64_t now = clock_->unixSeconds();
  std::vector<const Entry*> match;
  for (const Entry& e : entries_) {
    const Cookie& c = e.cookie;
    if (c.expires && *c.expires <= now) continue;
    const bool host_ok = c.host_only ? url->host() == c.domain : domainMatch(url->host(), c.domain);
    if (!host_ok || !pathMatch(url->path(), c.path)) continue;
    if (c.secure && !url->https()) continue;
    match.push_back(&e);
  }
  if (match.empty()) return std::nullopt;
  std::stable_sort(match.begin(), match.end(), [](const Entry* a, const Entry* b) {
    if (a->cookie.path.size() != b->cookie.path.size()) {
      return a->cookie.path.size() > b->cookie.path.size();
    }
    return a->created < b->created;
  });
  std::string out;
  for (const Entry* e : match) {
    if (!out.empty()) out += "; ";
    out += e->cookie.name + "=" + e->cookie.value;
  }
  return out;
}

std::vector<Cookie> CookieJar::cookies() const {
  const std::int64_t now = clock_->unixSeconds();
  std::vector<Cookie> out;
  for (const Entry& e : entries_) {
    if (!e.cookie.expires || *e.cookie.expires > now) out.push_back(e.cookie);
  }
  return out;
}

}  // namespace gridgate::client
