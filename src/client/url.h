// URLs as the client needs them: split into parts, compared by origin, resolved against a page
// (HTML form actions, Location headers), and with query parameters appended.
//
//   GG_TRY(Url u, Url::parse("https://as.example:8000/authorize?x=1"));
//   u.origin();                                        // "https://as.example:8000"
//   GG_TRY(std::string next, resolveUrl(page_url, "/login"));   // "https://as.example:8000/login"
//   std::string auth = appendQuery(endpoint, {{"client_id", id}, {"request_uri", uri}});
//
// Only http and https are accepted (no userinfo, no other schemes), so a page cannot send the
// client to javascript:, data: or file: URLs. Hosts are compared as written, lowercased.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gridgate::client {

class Url {
 public:
  [[nodiscard]] static Result<Url> parse(std::string_view text);

  bool https() const { return https_; }
  const std::string& host() const { return host_; }    // lowercased, IPv6 without brackets
  std::uint16_t port() const { return port_; }         // explicit or the scheme's default
  const std::string& path() const { return path_; }    // at least "/"
  const std::string& query() const { return query_; }  // after '?', without it; may be empty
  bool hasQuery() const { return has_query_; }
  bool hostIsIp() const;

  // "https://host:port" with the port always written (so two spellings compare equal).
  std::string origin() const;
  // origin + path: what a redirect URI is compared by (the query carries the response).
  std::string withoutQuery() const { return origin() + path_; }
  // The whole URL, normalised (scheme and host lowercased, explicit port, no fragment).
  std::string str() const;

 private:
  Url() = default;
  bool https_ = true;
  std::string host_{};
  std::uint16_t port_ = 443;
  std::string path_ = "/";
  std::string query_{};
  bool has_query_ = false;
};

// RFC 3986 section 5.2 reference resolution for the references an HTML page or a Location header
// uses: absolute http(s) URLs, "//host/..." network paths, "/path" absolute paths, relative paths
// (with "." and ".." segments) and "?query" or "" (the page itself). The result must be http(s).
[[nodiscard]] Result<std::string> resolveUrl(std::string_view base, std::string_view reference);

// `url` with the pairs form-encoded and appended after '?' (or '&' when it has a query already).
std::string appendQuery(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace gridgate::client
