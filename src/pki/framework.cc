#include "pki/framework.h"

#include <algorithm>

namespace gridgate::pki {
namespace {

constexpr std::size_t kMaxUrl = 512;
constexpr std::string_view kHttps = "https://";

bool isSlugChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

bool isSlug(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), isSlugChar) &&
         s.front() != '-' && s.back() != '-';
}

bool isHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.';
}

}  // namespace

std::string roleUrl(std::string_view registry, std::string_view role, std::string_view scheme) {
  return std::string(registry) + "/scheme/" + std::string(scheme) + "/role/" + std::string(role);
}

std::string applicationUrl(std::string_view directory, std::string_view id) {
  return std::string(directory) + "/a/" + std::string(id);
}

std::string memberUrl(std::string_view directory, std::string_view id) {
  return std::string(directory) + "/m/" + std::string(id);
}

Status checkHttpsUrl(std::string_view url, std::string_view what) {
  const std::string name(what);
  if (url.size() > kMaxUrl) return fail(Errc::kInvalidArgument, name + " URL is too long");
  if (!url.starts_with(kHttps)) {
    return fail(Errc::kInvalidArgument,
                name + " URL must start with https://: " + std::string(url));
  }
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '`' ||
        c == '{' || c == '}' || c == '|' || c == '^') {
      return fail(Errc::kInvalidArgument, name + " URL holds a character not allowed in a URL");
    }
    if (c == '?' || c == '#') {
      return fail(Errc::kInvalidArgument, name + " URL must have no query or fragment");
    }
  }
  const std::string_view rest = url.substr(kHttps.size());
  const std::size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  std::string_view host = authority;
  if (const std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    const std::string_view port = authority.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(Errc::kInvalidArgument, name + " URL has a bad port");
    }
  }
  if (host.empty() || !std::all_of(host.begin(), host.end(), isHostChar) || host.front() == '.' ||
      host.back() == '.' || host.find("..") != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, name + " URL has a bad host");
  }
  return ok();
}

Status checkApplicationUrl(std::string_view url) { return checkHttpsUrl(url, "application"); }

Status checkMemberUrl(std::string_view url) { return checkHttpsUrl(url, "member"); }

Status checkRoleUrl(std::string_view url) {
  GG_TRY(checkHttpsUrl(url, "role"));
  const std::string_view rest = url.substr(kHttps.size());
  const std::size_t slash = rest.find('/');
  const std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  // /scheme/<scheme>/role/<name>
  constexpr std::string_view kScheme = "/scheme/";
  constexpr std::string_view kRole = "/role/";
  const auto bad = [&] {
    return fail(Errc::kInvalidArgument,
                "role URL must look like https://<registry>/scheme/<scheme>/role/<name>: " +
                    std::string(url));
  };
  if (!path.starts_with(kScheme)) return bad();
  const std::string_view after_scheme = path.substr(kScheme.size());
  const std::size_t role_at = after_scheme.find(kRole);
  if (role_at == std::string_view::npos) return bad();
  if (!isSlug(after_scheme.substr(0, role_at))) return bad();
  if (!isSlug(after_scheme.substr(role_at + kRole.size()))) return bad();
  return ok();
}

Status checkDnsName(std::string_view name) {
  std::string_view host = name;
  if (host.starts_with("*.")) host.remove_prefix(2);
  if (host.empty() || host.size() > 253 || !std::all_of(host.begin(), host.end(), isHostChar) ||
      host.front() == '.' || host.back() == '.' || host.front() == '-' ||
      host.find("..") != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "bad DNS name: " + std::string(name));
  }
  return ok();
}

}  // namespace gridgate::pki
