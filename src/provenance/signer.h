// The data provider's provenance signing identity: an EC P-256 key, its signing certificate (from
// the signing CA hierarchy, with the IB1 role and member extensions) and the issuer chain that is
// embedded in each record so that a verifier needs only the signing root.
//
//   GG_TRY(Signer signer, Signer::fromPem(key_pem, cert_bundle_pem));   // bundle: leaf, issuer
//   // or Signer::create(key, leaf, {issuer});
//   builder.sign(signer, clock);                                           // builder.h
//
// Created once at start-up and shared (immutable, cheap to copy). create() refuses at start-up what
// would only fail later in every verifier: a key that is not P-256 or does not match the
// certificate, a CA certificate as the leaf, a leaf without exactly one SAN URI, without the IB1
// member or roles extension, or an issuer list that is not the leaf's chain in order.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "crypto/pkey.h"
#include "crypto/prepared_signer.h"
#include "provenance/record.h"
#include "x509/certificate.h"

namespace gridgate::provenance {

class Signer {
 public:
  [[nodiscard]] static Result<Signer> create(crypto::PKey key, x509::Certificate leaf,
                                             std::vector<x509::Certificate> issuers);
  // A PEM private key and a PEM bundle whose first certificate is the leaf, then its issuers.
  [[nodiscard]] static Result<Signer> fromPem(std::string_view key_pem,
                                              std::string_view bundle_pem);

  const x509::Certificate& leaf() const { return leaf_; }
  const std::vector<x509::Certificate>& issuers() const { return issuers_; }
  const std::string& serial() const { return serial_; }

  // DER ECDSA P-256 SHA-256 over `input`, base64url with `=` padding.
  [[nodiscard]] Result<std::string> sign(std::string_view input) const;

  // The certificates-map entries a record signed by this signer carries.
  const CertificateMap& certificateEntries() const { return entries_; }

 private:
  Signer(std::shared_ptr<const crypto::PreparedSigner> key, x509::Certificate leaf,
         std::vector<x509::Certificate> issuers, std::string serial, CertificateMap entries)
      : key_(std::move(key)),
        leaf_(std::move(leaf)),
        issuers_(std::move(issuers)),
        serial_(std::move(serial)),
        entries_(std::move(entries)) {}

  std::shared_ptr<const crypto::PreparedSigner> key_;  // ES256, set up once
  x509::Certificate leaf_;
  std::vector<x509::Certificate> issuers_;
  std::string serial_;
  CertificateMap entries_;
};

}  // namespace gridgate::provenance
