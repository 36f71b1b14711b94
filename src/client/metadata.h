// Authorization server metadata (RFC 8414), as the client uses it: the only source of endpoint
// URLs (FAPI-CHECKLIST 85), with the mTLS aliases of RFC 8705 section 5 (90).
//
//   for (const std::string& url : wellKnownUrls(issuer)) { fetch; ... }   // RFC 8414, then OIDC
//   GG_TRY(ServerMetadata m, ServerMetadata::parse(body, issuer));
//   const std::string& token = m.endpoint(Endpoint::kToken);   // the mTLS alias when published
//
// parse() refuses metadata whose `issuer` is not exactly the configured one (no trailing-slash or
// case folding), and any endpoint that is not an https URL. The client's tokens are always bound
// to its certificate, so an endpoint's mTLS alias, when the server publishes one, is always
// preferred; without aliases the plain endpoints are used.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"

namespace gridgate::client {

enum class Endpoint {
  kAuthorization,  // browser-facing: never aliased
  kPar,
  kToken,
  kIntrospection,
  kRevocation,
  kUserinfo,
  kPermission,  // ib1_permission_endpoint (Perseus)
  kJwks,        // jwks_uri: public, never aliased
};

// The metadata member name of an endpoint ("token_endpoint", "ib1_permission_endpoint"...).
std::string_view endpointMember(Endpoint e);

// RFC 8414 section 3.1 (the well-known segment goes between host and path), then OpenID Connect
// Discovery (appended to the issuer).
std::vector<std::string> wellKnownUrls(std::string_view issuer);

class ServerMetadata {
 public:
  // kInvalidClaim when `issuer` differs from `expected_issuer`; kMalformed for non-JSON or wrong
  // member types; kInvalidArgument for an endpoint that is not https.
  [[nodiscard]] static Result<ServerMetadata> parse(std::string_view json,
                                                    std::string_view expected_issuer);

  const std::string& issuer() const { return issuer_; }
  // The URL to call for `e`: the mTLS alias when there is one, else the plain endpoint; empty
  // when the server publishes neither.
  const std::string& endpoint(Endpoint e) const;
  // Like endpoint(), but kNotFound naming the member when the server does not publish it.
  [[nodiscard]] Result<std::string> require(Endpoint e) const;
  bool usesAlias(Endpoint e) const;
  bool hasMtlsAliases() const { return has_aliases_; }

  bool requiresPar() const { return require_par_; }
  bool issParameterSupported() const { return iss_parameter_; }
  bool supportsS256() const { return s256_; }
  const std::vector<std::string>& scopesSupported() const { return scopes_; }

  const Json& json() const { return json_; }

 private:
  ServerMetadata() = default;
  static constexpr std::size_t kCount = 8;
  std::string issuer_{};
  std::string plain_[kCount];
  std::string alias_[kCount];
  bool has_aliases_ = false;
  bool require_par_ = false;
  bool iss_parameter_ = false;
  bool s256_ = false;
  std::vector<std::string> scopes_{};
  Json json_{};
};

}  // namespace gridgate::client
