#include "client/url.h"

#include <arpa/inet.h>

#include <charconv>

#include "net/form.h"

namespace gridgate::client {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

// RFC 3986 5.2.4.
std::string removeDotSegments(std::string_view in) {
  std::vector<std::string_view> out;
  const bool absolute = in.starts_with('/');
  std::size_t pos = absolute ? 1 : 0;
  bool trailing_slash = false;
  while (pos <= in.size()) {
    const std::size_t slash = in.find('/', pos);
    const std::string_view seg =
        in.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    const bool last = slash == std::string_view::npos;
    trailing_slash = false;
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
    }
    if (last) break;
    pos = slash + 1;
  }
  std::string path = absolute ? "/" : "";
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i > 0) path += '/';
    path += out[i];
  }
  if (trailing_slash && !path.ends_with('/')) path += '/';
  if (path.empty()) path = "/";
  return path;
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  Url u;
  if (text.size() > 8192) return fail(Errc::kLimitExceeded, "URL longer than 8192 characters");
  for (const char c : text) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F) {
      return fail(Errc::kMalformed, "URL with a space, control or non-ASCII character");
    }
  }
  if (startsWithNoCase(text, "https://")) {
    text.remove_prefix(8);
  } else if (startsWithNoCase(text, "http://")) {
    u.https_ = false;
    u.port_ = 80;
    text.remove_prefix(7);
  } else {
    return fail(Errc::kInvalidArgument, "not an http(s) URL");
  }
  if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
    text = text.substr(0, hash);
  }
  const std::size_t end = text.find_first_of("/?");
  const std::string_view authority = text.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : text.substr(end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "URL without host, or with userinfo");
  }
  std::string_view port_text;
  std::string_view host;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(Errc::kMalformed, "bad IPv6 literal");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(Errc::kMalformed, "bad authority");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (host.empty()) return fail(Errc::kInvalidArgument, "empty host");
  for (const char c : host) {
    if (c == '/' || c == '\\' || c == '"' || c == '<' || c == '>') {
      return fail(Errc::kMalformed, "bad character in host");
    }
    u.host_.push_back(lower(c));
  }
  if (authority.find('[') == std::string_view::npos && u.host_.find(':') != std::string::npos) {
    return fail(Errc::kMalformed, "bad authority");
  }
  if (!port_text.empty()) {
    unsigned p = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || p == 0 ||
        p > 65535) {
      return fail(Errc::kInvalidArgument, "bad port");
    }
    u.port_ = static_cast<std::uint16_t>(p);
  }
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    u.query_ = std::string(rest.substr(q + 1));
    u.has_query_ = true;
    rest = rest.substr(0, q);
  }
  u.path_ = rest.empty() ? "/" : removeDotSegments(rest);
  return u;
}

bool Url::hostIsIp() const {
  unsigned char buf[16];
  return inet_pton(AF_INET, host_.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, host_.c_str(), buf) == 1;
}

std::string Url::origin() const {
  const bool v6 = host_.find(':') != std::string::npos;
  return std::string(https_ ? "https://" : "http://") + (v6 ? "[" + host_ + "]" : host_) + ":" +
         std::to_string(port_);
}

std::string Url::str() const {
  std::string s = origin() + path_;
  if (has_query_) s += "?" + query_;
  return s;
}

Result<std::string> resolveUrl(std::string_view base_text, std::string_view ref) {
  GG_TRY(const Url base, Url::parse(base_text));
  if (const std::size_t hash = ref.find('#'); hash != std::string_view::npos) {
    ref = ref.substr(0, hash);
  }
  // A reference with a scheme: only http(s) (javascript:, data:, file: are refused by parse).
  const std::size_t colon = ref.find(':');
  const std::size_t first_delim = ref.find_first_of("/?");
  if (colon != std::string_view::npos &&
      (first_delim == std::string_view::npos || colon < first_delim)) {
    GG_TRY(const Url abs, Url::parse(ref));
    return abs.str();
  }
  const std::string scheme = base.https() ? "https:" : "http:";
  if (ref.starts_with("//")) {
    GG_TRY(const Url abs, Url::parse(scheme + std::string(ref)));
    return abs.str();
  }
  std::string target;
  if (ref.empty()) {
    target = base.path() + (base.hasQuery() ? "?" + base.query() : "");
  } else if (ref.front() == '?') {
    target = base.path() + std::string(ref);
  } else if (ref.front() == '/') {
    target = std::string(ref);
  } else {
    // Merge with the base path's directory (RFC 3986 5.2.3).
    const std::string& bp = base.path();
    target = bp.substr(0, bp.rfind('/') + 1) + std::string(ref);
  }
  GG_TRY(const Url out, Url::parse(base.origin() + target));
  return out.str();
}

std::string appendQuery(std::string_view url,
                        const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out(url);
  if (pairs.empty()) return out;
  if (out.find('?') == std::string::npos) {
    out += '?';
  } else if (!out.ends_with('?') && !out.ends_with('&')) {
    out += '&';
  }
  out += net::encodeForm(pairs);
  return out;
}

}  // namespace gridgate::client
