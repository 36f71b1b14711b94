// Certificate rules for provenance signing, on top of x509::verifyChain (which builds the path and
// checks signatures, validity at a time, purpose and RFC 5280 strictness):
//
//   GG_TRY(checkSigningCertificate(leaf));
//   for (const auto& ca : path_above_leaf) GG_TRY(checkCaCertificate(ca));
//   GG_TRY(SignerIdentity who, readSignerIdentity(leaf));
//
// PERSEUS.md, Provenance record / Verification: CA certificates need a CRITICAL basicConstraints
// with CA:TRUE and a keyUsage with keyCertSign (OpenSSL accepts a non-critical basicConstraints and
// a CA without keyUsage); no certificate may carry a critical extension outside the ones whose
// meaning is enforced (basicConstraints, keyUsage, extendedKeyUsage, subjectAltName,
// nameConstraints). The signing certificate is an end entity with an EC P-256 key, keyUsage (if
// present) including digitalSignature, extendedKeyUsage (if present) including clientAuth (what
// the reference library's client verifier demands), exactly one SAN URI, and the IB1 member and
// roles extensions.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "x509/certificate.h"

namespace gridgate::provenance {

struct SignerIdentity {
  std::string member;              // IB1 member URL (1.3.6.1.4.1.62329.1.3)
  std::string organisation;        // subject O
  std::string application;         // the single SAN URI
  std::vector<std::string> roles;  // IB1 roles (1.3.6.1.4.1.62329.1.1)
};

[[nodiscard]] Status checkNoUnknownCriticalExtensions(const x509::Certificate& cert);
[[nodiscard]] Status checkCaCertificate(const x509::Certificate& cert);
[[nodiscard]] Status checkSigningCertificate(const x509::Certificate& cert);
// Fails (kInvalidArgument) if any of the four is missing or malformed.
[[nodiscard]] Result<SignerIdentity> readSignerIdentity(const x509::Certificate& cert);

}  // namespace gridgate::provenance
