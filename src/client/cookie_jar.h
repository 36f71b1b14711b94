// A minimal cookie jar (RFC 6265) for the user agent that `flow` plays: the login page's CSRF
// cookie and the login session must come back on the next request, and only to the server that
// set them.
//
//   CookieJar jar(clock);
//   jar.store(page_url, response.headers);                  // every Set-Cookie of a response
//   if (auto h = jar.header(next_url)) req.headers.add("Cookie", *h);
//
// Rules kept: host-only cookies (no Domain) go back to exactly that host; a Domain attribute must
// domain-match the host and is refused for IP hosts; Path defaults to the request's directory and
// path-matches by segment; Secure cookies are stored only from https and sent only over https;
// `__Host-` cookies need Secure, Path=/ and no Domain, `__Secure-` cookies need Secure; Max-Age
// wins over Expires; Max-Age <= 0 or a past Expires deletes. Not kept: the public-suffix list
// (Domain may not be a bare TLD here, nothing more), SameSite (the jar acts for one top-level
// site), HttpOnly (there are no scripts). Bounded: at most 50 cookies per host and 4096 bytes each.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "net/http.h"

namespace gridgate::client {

struct Cookie {
  std::string name{};
  std::string value{};
  std::string domain{};  // lowercased host (host_only) or the Domain attribute without a dot
  bool host_only = true;
  std::string path = "/";
  bool secure = false;
  bool http_only = false;
  std::optional<std::int64_t> expires{};  // unix seconds; nullopt: session cookie
};

class CookieJar {
 public:
  explicit CookieJar(const Clock& clock = SystemClock::instance()) : clock_(&clock) {}

  // Stores every Set-Cookie of `headers` received from `url`; returns how many were refused
  // (malformed, wrong Domain, prefix rules, limits). Never fails as a whole.
  std::size_t store(std::string_view url, const net::Headers& headers);
  // One Set-Cookie value; kInvalidArgument (with the reason) when it is refused.
  [[nodiscard]] Status storeOne(std::string_view url, std::string_view set_cookie);

  // The Cookie header value for a request to `url`, or nullopt when no cookie applies. Longer
  // paths first, then older cookies first (RFC 6265 5.4).
  std::optional<std::string> header(std::string_view url) const;

  // Live cookies (expired ones are dropped lazily).
  std::vector<Cookie> cookies() const;
  void clear() { entries_.clear(); }

 private:
  struct Entry {
    Cookie cookie{};
    std::uint64_t created = 0;  // insertion order
  };
  const Clock* clock_{};
  std::vector<Entry> entries_{};
  std::uint64_t counter_ = 0;
};

}  // namespace gridgate::client
