// Step 5 of the pipeline: what a route requires of a valid, bound token (FLAAT's decorators).
//
//   using validator::Requirement;
//   validator::RouteRequirements route;
//   route.require(Requirement::scopes({kLicence}))                          // all of them
//        .require(Requirement::certificateRole(kCarbonAccountingProvider))  // IB1 roles extension
//        .require(Requirement::clientIdIsCertificateUri());                 // client_id == SAN URI
//   // FLAAT group_required(group=[a, b, c], claim="eduperson_scoped_affiliation", match=2):
//   route.require(Requirement::claimValues({.claim = "eduperson_scoped_affiliation",
//                                           .values = {a, b, c}, .match = Match::kAtLeast,
//                                           .at_least = 2}).value());
//   // Composition: AnyOf(AllOf(x, y), z)
//   route.require(Requirement::anyOf({Requirement::allOf({x, y}), z}));
//   route.require_binding = false;   // non-FAPI routes only: cnf.x5t#S256 not required
//
// A Requirement is immutable and cheap to copy (a shared node tree). Evaluation never allocates
// on success. Failures map to 403 insufficient_scope (scopes, claims, entitlements, roles) or 401
// invalid_token (audience, client_id != certificate URI: the token is not meant for this use).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "validator/auth_error.h"
#include "validator/config.h"
#include "validator/token_info.h"
#include "x509/certificate.h"

namespace gridgate::validator {

class Requirement {
 public:
  // Every scope must be granted, by `scope` (space-separated) or `scp` (array).
  static Requirement scopes(std::vector<std::string> scopes);
  // The claim is present and not null (FLAAT HasClaim without a value).
  static Requirement hasClaim(std::string claim);
  // The claim equals `value` (a string) or contains it (an array of strings).
  static Requirement hasClaim(std::string claim, std::string value);
  // The claim's values (a string or an array of strings) hold the required ones: all, any, or at
  // least `at_least`, compared as plain strings or as AARC entitlements. kInvalidArgument for an
  // empty claim name or value list, an at_least of 0 or above the list size, or a required value
  // that is not a valid entitlement of the chosen syntax.
  [[nodiscard]] static Result<Requirement> claimValues(const ClaimRule& rule);
  // `aud` contains this value.
  static Requirement audience(std::string audience);
  // The client certificate carries this IB1 role (1.3.6.1.4.1.62329.1.1).
  static Requirement certificateRole(std::string role);
  // The token's client_id equals the certificate's single SAN URI (PERSEUS.md).
  static Requirement clientIdIsCertificateUri();
  static Requirement allOf(std::vector<Requirement> requirements);
  static Requirement anyOf(std::vector<Requirement> requirements);
  // At least n of them (FLAAT N_Of). n == 0 always holds.
  static Requirement atLeast(std::size_t n, std::vector<Requirement> requirements);
  // Everything an access level asks for, as one requirement.
  [[nodiscard]] static Result<Requirement> fromAccessLevel(const AccessLevel& level);

  // nullopt when satisfied; otherwise the reason of the first failing check.
  std::optional<Reason> evaluate(const TokenRecord& token, const x509::Certificate* cert) const;

  // The scopes this requirement asks for (for the `scope` attribute of a 403), space-separated
  // words appended to `out` without duplicates.
  void collectScopes(std::vector<std::string>& out) const;

  struct Node;

 private:
  explicit Requirement(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  std::shared_ptr<const Node> node_;
};

struct RouteRequirements {
  std::vector<Requirement> all;  // every one must hold
  // Step 1: a client certificate must be presented (FAPI: always).
  bool require_certificate = true;
  // Step 4: nullopt takes the issuer's require_binding (true by default).
  std::optional<bool> require_binding;

  RouteRequirements& require(Requirement r) {
    all.push_back(std::move(r));
    return *this;
  }
  // The required scopes, space-separated (the `scope` attribute of a 403).
  std::string scopeAttribute() const;
};

}  // namespace gridgate::validator
