#include "authz/redirect_uri.h"

#include <cctype>

#include "net/form.h"

namespace gridgate::authz {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<RedirectUri> RedirectUri::parse(std::string_view text) {
  if (text.empty()) return fail(Errc::kInvalidArgument, "redirect_uri is empty");
  if (text.size() > kMaxLength) return fail(Errc::kLimitExceeded, "redirect_uri too long");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return fail(Errc::kInvalidArgument, "redirect_uri has whitespace or non-ASCII characters");
    }
  }
  if (text.find('#') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "redirect_uri has a fragment");
  }
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "redirect_uri is not an absolute URI");
  }
  const std::string scheme = lower(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 3);
  const std::size_t end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "redirect_uri has userinfo");
  }
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) {
      return fail(Errc::kInvalidArgument, "redirect_uri has a bad IPv6 host");
    }
    host = host.substr(0, close + 1);
  } else if (const std::size_t port = host.rfind(':'); port != std::string_view::npos) {
    host = host.substr(0, port);
  }
  if (host.empty()) return fail(Errc::kInvalidArgument, "redirect_uri has no host");
  const std::string h = lower(host);
  const bool loopback = h == "127.0.0.1" || h == "[::1]" || h == "localhost";
  if (scheme == "https") return RedirectUri(std::string(text), loopback);
  if (scheme == "http") {
    if (!loopback) {
      return fail(Errc::kInvalidArgument, "redirect_uri uses http to a non-loopback host");
    }
    return RedirectUri(std::string(text), true);
  }
  return fail(Errc::kInvalidArgument, "redirect_uri scheme must be https");
}

std::string RedirectUri::withQuery(
    const std::vector<std::pair<std::string, std::string>>& params) const {
  std::string out = text_;
  bool first = out.find('?') == std::string::npos;
  if (!first && out.back() != '?' && out.back() != '&') {
    out += '&';
  } else if (first) {
    out += '?';
  }
  bool need_amp = false;
  for (const auto& [name, value] : params) {
    if (need_amp) out += '&';
    out += net::formEncode(name);
    out += '=';
    out += net::formEncode(value);
    need_amp = true;
  }
  return out;
}

}  // namespace gridgate::authz
