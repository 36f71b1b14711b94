// An encoded IB1 provenance record (PERSEUS.md, Provenance record), as it travels:
//
//   {"ib1:provenance": "<trust framework URL>",
//    "origins": ["<origin step id>", ...],                 // not signed: verifiers recompute it
//    "steps": [<encoded step | nested step list>..., [0, "<serial>", "<time>", "<signature>"]],
//    "certificates": {"<serial>": ["<leaf PEM>", "<issuer serial>", ...],
//                     "<issuer serial>": ["<issuer PEM>"]}}
//
//   GG_TRY(Record r, Record::parse(response_body));      // a bare record or {"provenance": {...}}
//   GG_TRY(VerifiedRecord v, verifier.verify(r));          // verifier.h: nothing is trusted before
//   body["provenance"] = r.toJson();                        // embed in an API response
//
// Parsing checks the shape and the bounds only (types, canonical serials, the signature blocks'
// format, sizes); the steps' contents, the signatures, the certificates and `origins` are checked
// by Verifier. Records are built by RecordBuilder (builder.h).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "provenance/container.h"

namespace gridgate::provenance {

inline constexpr std::string_view kIb1TrustFramework =
    "https://registry.core.trust.ib1.org/trust-framework";
inline constexpr std::string_view kIb1SandboxTrustFramework =
    "https://registry.core.sandbox.trust.ib1.org/trust-framework";

struct RecordLimits {
  std::size_t max_bytes = 1024 * 1024;  // the record's (or response's) JSON text
  ContainerLimits container;
  std::size_t max_certificates = 32;      // entries in the certificates map
  std::size_t max_path = 4;               // issuer serials after a leaf's PEM
  std::size_t max_pem_chars = 24 * 1024;  // one embedded PEM
  std::size_t max_url_chars = 2048;       // the trust framework URL
};

// serial -> [PEM, issuer serials...] for a signing certificate, [PEM] for an issuer. Sorted by
// serial text; the map is not signed, so its order carries no meaning.
using CertificateMap = std::map<std::string, std::vector<std::string>>;

class Record {
 public:
  // The record object itself.
  [[nodiscard]] static Result<Record> fromJson(const Json& record, const RecordLimits& limits = {});
  // JSON text holding the record object, or an API response whose `provenance` member is the
  // record object (or, leniently, a string holding its JSON).
  [[nodiscard]] static Result<Record> parse(std::string_view text, const RecordLimits& limits = {});

  const std::string& trustFramework() const { return trust_framework_; }
  // As stated in the record, which nothing signs: see VerifiedRecord::origins.
  const std::vector<std::string>& origins() const { return origins_; }
  const Container& steps() const { return steps_; }
  const CertificateMap& certificates() const { return certificates_; }

  // The record object, for embedding in an API response (nlohmann::json orders its members
  // alphabetically; nothing in a record depends on member order outside the encoded steps).
  Json toJson() const;
  // Compact JSON text with the members in the reference library's order: ib1:provenance,
  // origins, steps, certificates (omitted when empty).
  std::string serialize() const;

 private:
  friend class RecordBuilder;
  Record() = default;

  std::string trust_framework_;
  std::vector<std::string> origins_;
  Container steps_;
  CertificateMap certificates_;
};

// The ids of the `origin` steps in document order, depth first, nested records included; fails
// if a step does not decode.
[[nodiscard]] Result<std::vector<std::string>> computeOrigins(const Container& steps);

}  // namespace gridgate::provenance
