// Authorization server metadata: RFC 8414, then OpenID Connect Discovery, for one issuer.
//
//   for (const std::string& url : discoveryUrls(issuer)) {        // RFC 8414 first, then OIDC
//     ... fetch url; on 200: GG_TRY(Metadata m, parseMetadata(body, issuer));
//   }
//
// The document's `issuer` must equal the configured issuer exactly (RFC 8414 section 3.3: a
// mismatch means the document must not be used, it may be an attacker's). Endpoint URLs must be
// https (http only on loopback). For mTLS client authentication the `mtls_endpoint_aliases`
// (RFC 8705 section 5) are preferred.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace gridgate::validator {

struct Metadata {
  std::string issuer;
  std::string jwks_uri;
  std::string introspection_endpoint;
  std::string userinfo_endpoint;
  // From mtls_endpoint_aliases, empty when not advertised.
  std::string mtls_introspection_endpoint;
  std::string mtls_userinfo_endpoint;
};

inline constexpr std::size_t kMaxMetadataBytes = 64 * 1024;

// RFC 8414 URL (/.well-known/oauth-authorization-server inserted before the issuer's path), then
// the OIDC one (/.well-known/openid-configuration appended). kInvalidArgument for an issuer
// that is not an absolute http(s) URL without query or fragment.
[[nodiscard]] Result<std::vector<std::string>> discoveryUrls(std::string_view issuer);

// kMalformed for a body that is not a JSON object or has members of the wrong type;
// kInvalidClaim when `issuer` differs from `expected_issuer`; kInvalidArgument for an endpoint
// that is not an acceptable URL.
[[nodiscard]] Result<Metadata> parseMetadata(std::string_view body,
                                             std::string_view expected_issuer);

// https://..., or http://... to a loopback host (127.0.0.0/8, ::1, localhost).
bool acceptableEndpointUrl(std::string_view url);

}  // namespace gridgate::validator
