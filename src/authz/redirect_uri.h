// Redirect URIs the authorization server will send a browser to (RFC 6749 3.1.2, FAPI 2.0 5.3.1.2,
// RFC 8252 7.3): born by parsing, so code that holds a RedirectUri knows it is acceptable.
//
//   GG_TRY(RedirectUri uri, RedirectUri::parse(form.get("redirect_uri")));  // https or loopback
//   std::string location = uri.withQuery({{"code", code}, {"state", state}, {"iss", issuer}});
//
// Accepted: an absolute `https` URI with a host, or `http` to a loopback host (127.0.0.1, [::1],
// localhost: native apps, FAPI-CHECKLIST 28); no fragment, no userinfo, no whitespace or control
// characters, at most 2048 characters. The text is kept exactly as sent: the token endpoint
// compares it byte for byte.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gridgate::authz {

class RedirectUri {
 public:
  static constexpr std::size_t kMaxLength = 2048;

  [[nodiscard]] static Result<RedirectUri> parse(std::string_view text);

  const std::string& str() const { return text_; }
  bool loopback() const { return loopback_; }

  // The URI with `params` appended to its query (after '&' when it already has one), each
  // form-encoded.
  std::string withQuery(const std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  RedirectUri(std::string text, bool loopback) : text_(std::move(text)), loopback_(loopback) {}
  std::string text_;
  bool loopback_ = false;
};

}  // namespace gridgate::authz
