// Verifying a provenance record against the signing root of a trust framework.
//
//   GG_TRY(Verifier verifier, Verifier::fromPem(signing_root_pem));     // once, shared
//   GG_TRY(Record record, Record::parse(body));
//   GG_TRY(VerifiedRecord v, verifier.verify(record));
//   GG_TRY(requireRole(v, kEnergyDataProviderRole));                      // outermost signer
//   for (const VerifiedStep& s : v.steps) use(s.step, v.signatures[s.signed_by]);
//
// For every signature block, outermost first (PERSEUS.md, Verification):
//   - version 0 and a canonical decimal serial (Record parsing);
//   - the serial's certificate path from the record's certificates map: each certificate must
//     carry the serial it is listed under and be in canonical PEM (64-character lines);
//   - x509::verifyChain to the signing root AT THE SIGNATURE TIME (every certificate on the path
//     within its validity then), client-auth purpose, RFC 5280 strict; then this module's rules
//     (cert_checks.h): critical basicConstraints + keyCertSign on every CA, no unknown critical
//     extension anywhere on the path (roots included), an end-entity P-256 signing certificate;
//   - the ECDSA P-256 SHA-256 signature (DER, padded base64url) over the signing input;
//   - the signer's identity: member, organisation, application, roles.
// Then every step decodes strictly, and the recomputed origins equal `origins`. The first failure
// is returned; nothing of a record that fails is returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "provenance/cert_checks.h"
#include "provenance/record.h"
#include "x509/trust_store.h"

namespace gridgate::provenance {

inline constexpr std::string_view kEnergyDataProviderRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/energy-data-provider";

struct SignerInfo {
  SignerIdentity identity;  // member, organisation, application, roles
  std::string serial;       // of the signing certificate
  std::string signed_at;    // the signature block's timestamp
  int depth = 0;            // 0 for the outermost signature, 1 for a record it includes...
};

struct VerifiedStep {
  OrderedJson step;                      // decoded: id, timestamp, type, then the rest
  std::size_t signed_by = 0;             // index into VerifiedRecord::signatures
  std::vector<std::size_t> included_by;  // enclosing signatures, outermost first
};

struct VerifiedRecord {
  std::string trust_framework;
  std::vector<std::string> origins;    // recomputed (and equal to the record's)
  std::vector<VerifiedStep> steps;     // document order, depth first
  std::vector<SignerInfo> signatures;  // pre-order: [0] is the outermost signature

  // The reference library's decoded() form: each step with "_signature": {"signed": {member,
  // name, application, roles}, "includedBy": [...]}.
  OrderedJson toReferenceJson() const;
};

struct VerifierOptions {
  // When set, the record's trust framework must be this URL.
  std::optional<std::string> trust_framework;
  // When non-zero, a signature dated after this unix time is refused (set it to now plus a small
  // skew: a record cannot have been signed in the future).
  std::int64_t latest_signing_time = 0;
  int max_chain_depth = 4;
};

class Verifier {
 public:
  // The trust store holds the signing CA root(s). Each anchor must itself satisfy the CA rules.
  [[nodiscard]] static Result<Verifier> create(x509::TrustStore signing_roots,
                                               VerifierOptions options = {});
  [[nodiscard]] static Result<Verifier> fromPem(std::string_view signing_root_pem,
                                                VerifierOptions options = {});

  [[nodiscard]] Result<VerifiedRecord> verify(const Record& record) const;

 private:
  Verifier(x509::TrustStore roots, VerifierOptions options)
      : roots_(std::move(roots)), options_(std::move(options)) {}
  x509::TrustStore roots_;
  VerifierOptions options_;
};

enum class RoleScope {
  kOutermostSigner,  // the party that signed the record as delivered
  kEverySigner,      // every signature block, nested records included
};

// Indexes (into v.signatures) of the signers in `scope` whose certificate lacks `role`.
std::vector<std::size_t> signersLackingRole(const VerifiedRecord& v, std::string_view role,
                                            RoleScope scope = RoleScope::kOutermostSigner);
// kForbidden naming the first signer in `scope` lacking `role`.
[[nodiscard]] Status requireRole(const VerifiedRecord& v, std::string_view role,
                                 RoleScope scope = RoleScope::kOutermostSigner);

}  // namespace gridgate::provenance
