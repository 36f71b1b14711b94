#include "validator/entitlement.h"

#include <algorithm>

namespace gridgate::validator {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Printable ASCII without space, '#' only as the authority separator (checked by the caller).
bool cleanText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f;
  });
}

// G069: %xx escapes with uppercase hex; a '%' not followed by two hex digits is malformed.
Result<std::string> normalisePercent(std::string_view s) {
  std::string out(s);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] != '%') continue;
    if (i + 2 >= out.size() || !isHex(out[i + 1]) || !isHex(out[i + 2])) {
      return fail(Errc::kMalformed, "entitlement: bad percent-encoding");
    }
    out[i + 1] = upper(out[i + 1]);
    out[i + 2] = upper(out[i + 2]);
    i += 2;
  }
  return out;
}

std::vector<std::string_view> splitColons(std::string_view s) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(':', start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace

Result<Entitlement> Entitlement::parse(std::string_view text, ValueSyntax syntax) {
  if (syntax == ValueSyntax::kPlain) {
    return fail(Errc::kInvalidArgument, "entitlement: plain values are not entitlements");
  }
  if (text.empty() || text.size() > kMaxLength) {
    return fail(Errc::kMalformed, "entitlement: empty or too long");
  }
  if (!cleanText(text)) return fail(Errc::kMalformed, "entitlement: not printable ASCII");
  const bool g069 = syntax == ValueSyntax::kAarcG069;

  Entitlement e;
  std::string_view body = text;
  if (const std::size_t hash = text.find('#'); hash != std::string_view::npos) {
    const std::string_view authority = text.substr(hash + 1);
    if (authority.empty()) return fail(Errc::kMalformed, "entitlement: empty group authority");
    e.authority_ = std::string(authority);
    body = text.substr(0, hash);
  }

  // The role runs to the end of the body (it may contain ':').
  const std::size_t group_at = body.find(":group:");
  if (group_at == std::string_view::npos) return fail(Errc::kMalformed, "entitlement: no :group:");
  std::string_view groups = body.substr(group_at + 7);
  if (const std::size_t role_at = groups.find(":role="); role_at != std::string_view::npos) {
    const std::string_view role = groups.substr(role_at + 6);
    if (role.empty()) return fail(Errc::kMalformed, "entitlement: empty role");
    e.role_ = std::string(role);
    groups = groups.substr(0, role_at);
  } else if (groups.starts_with("role=")) {
    return fail(Errc::kMalformed, "entitlement: role without a group");
  }

  const std::vector<std::string_view> ns = splitColons(body.substr(0, group_at));
  // "urn", NID, delegated namespace at least.
  if (ns.size() < 3 || lowered(ns[0]) != "urn") {
    return fail(Errc::kMalformed, "entitlement: not urn:<nid>:<namespace>");
  }
  const std::vector<std::string_view> gs = splitColons(groups);
  for (const auto& part : ns) {
    if (part.empty()) return fail(Errc::kMalformed, "entitlement: empty namespace part");
  }
  for (const auto& part : gs) {
    if (part.empty()) return fail(Errc::kMalformed, "entitlement: empty group part");
  }

  // RFC 8141: the NID is case-insensitive in both syntaxes.
  e.nid_ = lowered(ns[1]);
  e.delegated_ = g069 ? lowered(ns[2]) : std::string(ns[2]);
  for (std::size_t i = 3; i < ns.size(); ++i) e.subnamespaces_.emplace_back(ns[i]);
  e.group_ = std::string(gs[0]);
  for (std::size_t i = 1; i < gs.size(); ++i) e.subgroups_.emplace_back(gs[i]);

  if (g069) {
    auto fix = [](std::string& s) -> Status {
      GG_TRY(s, normalisePercent(s));
      return ok();
    };
    GG_TRY(fix(e.delegated_));
    for (auto& s : e.subnamespaces_) GG_TRY(fix(s));
    GG_TRY(fix(e.group_));
    for (auto& s : e.subgroups_) GG_TRY(fix(s));
    if (e.role_) GG_TRY(fix(*e.role_));
  }
  return e;
}

bool Entitlement::satisfies(const Entitlement& required) const {
  if (nid_ != required.nid_ || delegated_ != required.delegated_ ||
      subnamespaces_ != required.subnamespaces_ || group_ != required.group_) {
    return false;
  }
  if (required.subgroups_.size() > subgroups_.size() ||
      !std::equal(required.subgroups_.begin(), required.subgroups_.end(), subgroups_.begin())) {
    return false;
  }
  if (required.role_) {
    return subgroups_ == required.subgroups_ && role_ == required.role_;
  }
  return true;
}

std::string Entitlement::toString() const {
  std::string out = "urn:" + nid_ + ":" + delegated_;
  for (const auto& s : subnamespaces_) out += ":" + s;
  out += ":group:" + group_;
  for (const auto& s : subgroups_) out += ":" + s;
  if (role_) out += ":role=" + *role_;
  if (authority_) out += "#" + *authority_;
  return out;
}

}  // namespace gridgate::validator
