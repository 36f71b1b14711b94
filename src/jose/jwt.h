// JWT claims (RFC 7519) and their validation with the FAPI 2.0 clock rules.
//
//   // Resource server: JWT access tokens (RFC 9068) from configured issuers.
//   const ClaimRules rules = ClaimRules::accessToken("https://as.example", "https://rs.example");
//   GG_TRY(VerifiedJwt jwt, verifyJwt(token, verifier, rules, clock));
//   std::string_view thumb = jwt.claims.cnfX5tS256();   // compare with the client certificate
//   if (!jwt.claims.hasScope("meter:read")) ...
//
//   // AS, private_key_jwt: iss == sub == client_id, aud the issuer as a string, jti required.
//   GG_TRY(VerifiedJwt assertion,
//          verifyJwt(body.client_assertion, client_verifier,
//                    ClaimRules::clientAssertion(client_id, issuer), clock));
//
//   // AS, issuing: signJwt(signer, claims, "at+jwt").
//
// Order inside verifyJwt: parse the JWS, verify the signature, then parse and check the claims;
// nothing in the payload is looked at before the signature holds. Errors: kExpired (exp, or iat
// older than max_age), kNotYetValid (nbf or iat in the future beyond the allowance),
// kInvalidClaim (iss, aud, sub, typ, missing required claim), each with a detail naming the claim.
//
// Clock rule (FAPI 2.0 Security Profile): iat and nbf up to 10 s in the future are always
// accepted, more than 60 s never; between 10 and 60 s only within the configured leeway. exp is
// honoured with the leeway (0 by default, at most 60 s).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "jose/jws.h"

namespace gridgate::jose {

class JwtClaims {
 public:
  static constexpr JsonLimits kDefaultLimits{
      .max_bytes = 16 * 1024, .max_depth = 16, .allow_duplicate_keys = false};

  // The payload must be a JSON object without duplicate members; registered claims present with
  // the wrong type (iss not a string, aud not a string or array of strings, exp not a number...)
  // fail with kMalformed.
  [[nodiscard]] static Result<JwtClaims> parse(std::string_view payload,
                                               const JsonLimits& limits = kDefaultLimits);

  const Json& json() const { return json_; }
  // Empty when absent.
  std::string_view iss() const { return str("iss"); }
  std::string_view sub() const { return str("sub"); }
  std::string_view jti() const { return str("jti"); }
  std::string_view scope() const { return str("scope"); }
  std::string_view clientId() const { return str("client_id"); }
  // aud as a list (a single string becomes one element); audIsArray() tells which form it had.
  const std::vector<std::string>& aud() const { return aud_; }
  bool audIsArray() const { return aud_is_array_; }
  // NumericDate claims in whole seconds (a fractional exp is rounded down, nbf and iat up).
  std::optional<std::int64_t> exp() const { return exp_; }
  std::optional<std::int64_t> nbf() const { return nbf_; }
  std::optional<std::int64_t> iat() const { return iat_; }
  // cnf (RFC 8705 / RFC 9449) members, empty when absent.
  std::string_view cnfX5tS256() const;
  std::string_view cnfJkt() const;
  // True when the space-separated scope claim contains `scope` exactly.
  bool hasScope(std::string_view scope) const;

 private:
  JwtClaims() = default;
  std::string_view str(std::string_view name) const;

  Json json_;
  std::vector<std::string> aud_;
  bool aud_is_array_ = false;
  std::optional<std::int64_t> exp_, nbf_, iat_;
};

struct ClaimRules {
  // `iss` must equal one of these exactly. Empty: iss is not checked (DPoP proofs have none);
  // every issuer-signed token must set it.
  std::vector<std::string> issuers;
  // `aud` (string or array) must contain one of these. Empty: aud is not checked.
  std::vector<std::string> audiences;
  // FAPI private_key_jwt: the audience must be a single string, never an array.
  bool audience_must_be_string = false;
  // `sub` must equal this (client assertions: the client_id).
  std::optional<std::string> subject;
  // Required header typ, e.g. "at+jwt": compared case-insensitively, "application/" optional
  // (RFC 7515 section 4.1.9). Empty: typ is not checked.
  std::string typ;
  // Allowance for clock skew, applied to exp, nbf and iat; 0..60 s (more is refused).
  Seconds leeway{0};
  bool require_exp = true;
  bool require_iat = false;
  bool require_jti = false;
  // If set, iat is required and may be at most this old (plus leeway): bounded-lifetime proofs.
  std::optional<Seconds> max_age;

  // RFC 9068 access token at a resource server: typ at+jwt, iss, aud, exp, iat and jti required.
  static ClaimRules accessToken(std::string issuer, std::string audience);
  // FAPI private_key_jwt client assertion: iss == sub == client_id, aud == issuer as a string,
  // exp and jti required.
  static ClaimRules clientAssertion(std::string client_id, std::string issuer);
};

// Checks the claims (and the header typ) against the rules at clock.now().
[[nodiscard]] Status validate(const Jws& jws, const JwtClaims& claims, const ClaimRules& rules,
                              const Clock& clock);

struct VerifiedJwt {
  Jws jws;
  JwtClaims claims;
};

// Parse, verify the signature, parse the claims, validate them.
[[nodiscard]] Result<VerifiedJwt> verifyJwt(std::string_view token, const Verifier& verifier,
                                            const ClaimRules& rules, const Clock& clock,
                                            const JwsLimits& limits = {});

// Signs `claims` (a JSON object) with header typ `typ` (omitted when empty).
[[nodiscard]] Result<std::string> signJwt(const Signer& signer, const Json& claims,
                                          std::string_view typ);

}  // namespace gridgate::jose
