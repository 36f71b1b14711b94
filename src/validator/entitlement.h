// AARC-G002 / AARC-G069 group entitlements (eduPersonEntitlement, FLAAT's aarc_entitlement rules).
//
//   GG_TRY(Entitlement need, Entitlement::parse("urn:geant:h-df.de:group:aai-admin",
//                                               ValueSyntax::kAarcG002));
//   GG_TRY(Entitlement have, Entitlement::parse(
//       "urn:geant:h-df.de:group:aai-admin:role=member#unity.helmholtz-data-federation.de",
//       ValueSyntax::kAarcG002));
//   have.satisfies(need);   // true: a role was assigned but none is required
//
// Syntax: urn:<NID>:<delegated-namespace>[:<subnamespace>...]:group:<group>[:<subgroup>...]
//         [:role=<role>][#<group-authority>]
//
// `have` satisfies `need` when
//   - the namespaces (NID, delegated namespace, every subnamespace, in order) are equal,
//   - the root groups are equal,
//   - need's subgroups are a prefix of have's (a member of a subgroup is a member of its parents),
//   - if need names a role: have names the same role on exactly the same (sub)group path (a role
//     in a subgroup is not a role in the parent);
//   - the group authority is never compared (it says who asserted the entitlement).
// G002 compares every part exactly, except the "urn" scheme and the NID, which RFC 8141 makes
// case-insensitive. G069 normalises first: "urn", the NID and the delegated namespace lowercased,
// percent-encoding hex digits uppercased; the authority is optional in both.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "validator/config.h"

namespace gridgate::validator {

class Entitlement {
 public:
  static constexpr std::size_t kMaxLength = 1024;

  // kMalformed when the text does not follow the syntax. `syntax` is kAarcG002 or kAarcG069.
  [[nodiscard]] static Result<Entitlement> parse(std::string_view text, ValueSyntax syntax);

  bool satisfies(const Entitlement& required) const;

  const std::string& nid() const { return nid_; }
  const std::string& delegatedNamespace() const { return delegated_; }
  const std::vector<std::string>& subnamespaces() const { return subnamespaces_; }
  const std::string& group() const { return group_; }
  const std::vector<std::string>& subgroups() const { return subgroups_; }
  const std::optional<std::string>& role() const { return role_; }
  const std::optional<std::string>& authority() const { return authority_; }

  // The entitlement in its (normalised, for G069) text form.
  std::string toString() const;

 private:
  Entitlement() = default;

  std::string nid_;
  std::string delegated_;
  std::vector<std::string> subnamespaces_;
  std::string group_;
  std::vector<std::string> subgroups_;
  std::optional<std::string> role_;
  std::optional<std::string> authority_;
};

}  // namespace gridgate::validator
