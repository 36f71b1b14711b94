#include "validator/requirements.h"

#include <algorithm>

#include "validator/entitlement.h"

namespace gridgate::validator {

struct Requirement::Node {
  enum class Kind {
    kScopes,
    kHasClaim,
    kClaimValues,
    kAudience,
    kCertificateRole,
    kClientIdIsCertificateUri,
    kAllOf,
    kAnyOf,
    kAtLeast,
  };
  Kind kind = Kind::kAllOf;
  std::vector<std::string> strings;  // scopes; claim values; [claim, value] for kHasClaim...
  std::string claim;
  std::optional<std::string> value;
  ClaimRule rule;
  std::vector<Entitlement> entitlements;  // rule.values parsed, for AARC syntaxes
  std::size_t n = 0;                      // kAtLeast
  std::vector<Requirement> children;
};

namespace {

using Node = Requirement::Node;
using Kind = Requirement::Node::Kind;

template <class F>
void forEachClaimValue(const Json& claims, std::string_view name, F&& f) {
  const Json* v = jsonMember(claims, name);
  if (v == nullptr) return;
  if (v->is_string()) {
    f(v->get_ref<const std::string&>());
  } else if (v->is_array()) {
    for (const Json& item : *v) {
      if (item.is_string() && !f(item.get_ref<const std::string&>())) return;
    }
  }
}

bool claimHolds(const Json& claims, std::string_view name, std::string_view value) {
  bool found = false;
  forEachClaimValue(claims, name, [&](const std::string& s) {
    if (s == value) found = true;
    return !found;
  });
  return found;
}

std::size_t countSatisfied(const Node& node, const TokenRecord& token) {
  std::size_t count = 0;
  if (node.rule.syntax == ValueSyntax::kPlain) {
    for (const std::string& want : node.rule.values) {
      if (claimHolds(token.claims(), node.rule.claim, want)) ++count;
    }
    return count;
  }
  // Entitlements held by the token, parsed once per evaluation; values that do not parse are
  // not entitlements of this syntax and satisfy nothing.
  std::vector<Entitlement> held;
  forEachClaimValue(token.claims(), node.rule.claim, [&](const std::string& s) {
    if (auto e = Entitlement::parse(s, node.rule.syntax)) held.push_back(std::move(*e));
    return true;
  });
  for (const Entitlement& want : node.entitlements) {
    if (std::any_of(held.begin(), held.end(),
                    [&](const Entitlement& h) { return h.satisfies(want); })) {
      ++count;
    }
  }
  return count;
}

std::size_t needed(const ClaimRule& rule) {
  switch (rule.match) {
    case Match::kAll:
      return rule.values.size();
    case Match::kAny:
      return 1;
    case Match::kAtLeast:
      return rule.at_least;
  }
  return rule.values.size();
}

}  // namespace

Requirement Requirement::scopes(std::vector<std::string> scopes) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kScopes;
  n->strings = std::move(scopes);
  return Requirement(std::move(n));
}

Requirement Requirement::hasClaim(std::string claim) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kHasClaim;
  n->claim = std::move(claim);
  return Requirement(std::move(n));
}

Requirement Requirement::hasClaim(std::string claim, std::string value) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kHasClaim;
  n->claim = std::move(claim);
  n->value = std::move(value);
  return Requirement(std::move(n));
}

Result<Requirement> Requirement::claimValues(const ClaimRule& rule) {
  if (rule.claim.empty()) return fail(Errc::kInvalidArgument, "claim rule: empty claim name");
  if (rule.values.empty()) return fail(Errc::kInvalidArgument, "claim rule: no values");
  if (rule.match == Match::kAtLeast && (rule.at_least == 0 || rule.at_least > rule.values.size())) {
    return fail(Errc::kInvalidArgument, "claim rule: at_least must be 1..number of values");
  }
  auto n = std::make_shared<Node>();
  n->kind = Kind::kClaimValues;
  n->rule = rule;
  if (rule.syntax != ValueSyntax::kPlain) {
    for (const std::string& v : rule.values) {
      auto e = Entitlement::parse(v, rule.syntax);
      if (!e) {
        return fail(Errc::kInvalidArgument, "claim rule: '" + v + "': " + e.error().detail);
      }
      n->entitlements.push_back(std::move(*e));
    }
  }
  return Requirement(std::move(n));
}

Requirement Requirement::audience(std::string audience) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kAudience;
  n->claim = std::move(audience);
  return Requirement(std::move(n));
}

Requirement Requirement::certificateRole(std::string role) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kCertificateRole;
  n->claim = std::move(role);
  return Requirement(std::move(n));
}

Requirement Requirement::clientIdIsCertificateUri() {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kClientIdIsCertificateUri;
  return Requirement(std::move(n));
}

Requirement Requirement::allOf(std::vector<Requirement> requirements) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kAllOf;
  n->children = std::move(requirements);
  return Requirement(std::move(n));
}

Requirement Requirement::anyOf(std::vector<Requirement> requirements) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kAnyOf;
  n->children = std::move(requirements);
  return Requirement(std::move(n));
}

Requirement Requirement::atLeast(std::size_t count, std::vector<Requirement> requirements) {
  auto n = std::make_shared<Node>();
  n->kind = Kind::kAtLeast;
  n->n = count;
  n->children = std::move(requirements);
  return Requirement(std::move(n));
}

Result<Requirement> Requirement::fromAccessLevel(const AccessLevel& level) {
  std::vector<Requirement> parts;
  if (!level.scopes.empty()) parts.push_back(scopes(level.scopes));
  for (const ClaimRule& rule : level.claims) {
    auto r = claimValues(rule);
    if (!r) {
      return fail(Errc::kInvalidArgument, "access level " + level.name + ": " + r.error().detail);
    }
    parts.push_back(std::move(*r));
  }
  for (const std::string& role : level.certificate_roles) parts.push_back(certificateRole(role));
  if (level.client_id_is_certificate_uri) parts.push_back(clientIdIsCertificateUri());
  return allOf(std::move(parts));
}

std::optional<Reason> Requirement::evaluate(const TokenRecord& token,
                                            const x509::Certificate* cert) const {
  const Node& node = *node_;
  switch (node.kind) {
    case Kind::kScopes:
      for (const std::string& s : node.strings) {
        if (!token.hasScope(s)) return Reason::kInsufficientScope;
      }
      return std::nullopt;
    case Kind::kHasClaim: {
      if (!node.value) {
        const Json* v = jsonMember(token.claims(), node.claim);
        if (v == nullptr || v->is_null()) return Reason::kClaimRequirement;
        return std::nullopt;
      }
      if (!claimHolds(token.claims(), node.claim, *node.value)) return Reason::kClaimRequirement;
      return std::nullopt;
    }
    case Kind::kClaimValues:
      if (countSatisfied(node, token) < needed(node.rule)) return Reason::kClaimRequirement;
      return std::nullopt;
    case Kind::kAudience:
      if (std::find(token.audiences.begin(), token.audiences.end(), node.claim) ==
          token.audiences.end()) {
        return Reason::kWrongAudience;
      }
      return std::nullopt;
    case Kind::kCertificateRole:
      if (cert == nullptr || !cert->hasIb1Role(node.claim)) return Reason::kMissingRole;
      return std::nullopt;
    case Kind::kClientIdIsCertificateUri: {
      if (cert == nullptr) return Reason::kNoCertificate;
      const auto& uris = cert->sanUris();
      // Exactly one SAN URI (Certificate::applicationUri's rule), compared without a copy.
      if (uris.size() != 1 || token.client_id.empty() || uris.front() != token.client_id) {
        return Reason::kClientMismatch;
      }
      return std::nullopt;
    }
    case Kind::kAllOf:
      for (const Requirement& child : node.children) {
        if (auto r = child.evaluate(token, cert)) return r;
      }
      return std::nullopt;
    case Kind::kAnyOf:
    case Kind::kAtLeast: {
      const std::size_t want = node.kind == Kind::kAnyOf ? 1 : node.n;
      if (want == 0) return std::nullopt;
      std::size_t held = 0;
      std::optional<Reason> first_failure;
      for (const Requirement& child : node.children) {
        auto r = child.evaluate(token, cert);
        if (!r) {
          if (++held >= want) return std::nullopt;
        } else if (!first_failure) {
          first_failure = r;
        }
      }
      return first_failure.value_or(Reason::kClaimRequirement);
    }
  }
  return Reason::kClaimRequirement;
}

void Requirement::collectScopes(std::vector<std::string>& out) const {
  const Node& node = *node_;
  if (node.kind == Kind::kScopes) {
    for (const std::string& s : node.strings) {
      if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
  }
  for (const Requirement& child : node.children) child.collectScopes(out);
}

std::string RouteRequirements::scopeAttribute() const {
  std::vector<std::string> scopes;
  for (const Requirement& r : all) r.collectScopes(scopes);
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) out += ' ';
    out += s;
  }
  return out;
}

}  // namespace gridgate::validator
