#include "authz/subject_rules.h"

#include <cctype>
#include <string>

#include "authz/config.h"

namespace gridgate::authz {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool unreserved(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

// Host and path of an https URL already accepted by checkClientId.
struct UrlParts {
  std::string_view host;
  std::string_view path;
};

UrlParts splitHttps(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  std::string_view rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  UrlParts parts;
  parts.host = rest.substr(0, slash);
  if (const std::size_t colon = parts.host.rfind(':');
      colon != std::string_view::npos && parts.host.find(']') == std::string_view::npos) {
    parts.host = parts.host.substr(0, colon);
  }
  parts.path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  return parts;
}

std::string_view lastSegment(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

Status checkClientId(std::string_view client_id) {
  constexpr std::string_view kScheme = "https://";
  if (client_id.size() > 512) return fail(Errc::kInvalidArgument, "client_id too long");
  if (client_id.substr(0, kScheme.size()) != kScheme) {
    return fail(Errc::kInvalidArgument, "client_id must be an https URL (the application URL)");
  }
  for (char c : client_id) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return fail(Errc::kInvalidArgument, "client_id has whitespace or non-ASCII characters");
    }
  }
  if (client_id.find_first_of("?#") != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "client_id may not have a query or fragment");
  }
  const UrlParts parts = splitHttps(client_id);
  if (parts.host.empty()) return fail(Errc::kInvalidArgument, "client_id has no host");
  if (parts.host.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "client_id may not have userinfo");
  }
  return ok();
}

Status checkUserSubject(std::string_view subject, const ClientRegistry* clients) {
  if (subject.empty()) return fail(Errc::kInvalidArgument, "subject is empty");
  if (subject.size() > 128) return fail(Errc::kInvalidArgument, "subject longer than 128");
  for (char c : subject) {
    if (!unreserved(c)) {
      return fail(Errc::kInvalidArgument,
                  "subject may only contain letters, digits, '-', '.', '_' and '~' (so that it "
                  "can never look like a client_id URL)");
    }
  }
  if (clients == nullptr) return ok();
  for (const ClientConfig& client : clients->all()) {
    if (iequal(subject, client.client_id)) {
      return fail(Errc::kInvalidArgument, "subject equals a client_id");
    }
    if (!client.client_id.starts_with("https://")) continue;
    const UrlParts parts = splitHttps(client.client_id);
    const std::string_view segment = lastSegment(parts.path);
    if (iequal(subject, parts.host) || (!segment.empty() && iequal(subject, segment))) {
      return fail(Errc::kInvalidArgument, "subject resembles the client_id " + client.client_id);
    }
  }
  return ok();
}

}  // namespace gridgate::authz
