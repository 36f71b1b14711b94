#include "authz/request_form.h"

namespace gridgate::authz {

OAuthResult<net::Form> requestForm(const net::Request& request) {
  if (!request.isForm()) {
    return oauthFail(OAuthErrc::kInvalidRequest,
                     "Content-Type must be application/x-www-form-urlencoded",
                     "media type " + request.mediaType());
  }
  auto form = net::parseForm(request.body,
                             net::FormLimits{.max_pairs = 64, .max_bytes = request.body.size()});
  if (!form) {
    return oauthFail(OAuthErrc::kInvalidRequest, "Malformed form body", form.error().detail);
  }
  if (auto dups = form->duplicates(); !dups.empty()) {
    return oauthFail(OAuthErrc::kInvalidRequest, "A parameter is repeated",
                     "repeated " + dups.front());
  }
  return std::move(*form);
}

OAuthResult<std::string> requiredParam(const net::Form& form, std::string_view name) {
  const std::string* v = form.get(name);
  if (v == nullptr || v->empty()) {
    return oauthFail(OAuthErrc::kInvalidRequest, "Missing parameter: " + std::string(name),
                     "missing " + std::string(name));
  }
  return *v;
}

}  // namespace gridgate::authz
