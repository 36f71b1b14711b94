// Trust anchors (and optionally CRLs) and chain verification at a given time.
//
//   GG_TRY(TrustStore trust, TrustStore::fromPem(client_verify_bundle_pem));
//   // or: TrustStore::Builder b; GG_TRY(b.addAnchorsPem(roots)); GG_TRY(b.addCrlPem(crl));
//   //     GG_TRY(TrustStore trust, std::move(b).build());
//   GG_TRY(verifyChain(leaf, presented_intermediates, trust,
//                      VerifyOptions{.at_time = clock.unixSeconds(), .check_crl = true,
//                                    .purpose = Purpose::kClientAuth}));
//
// A TrustStore is immutable once built and safe to share between threads (copies share one
// X509_STORE; verification only reads it). Partial chains are off: a chain must end at a
// self-signed root that is in the store. Non-root certificates in the store (PERSEUS.md's verify
// bundles are issuer+root) help build the path but are not enough on their own.
//
// Errors: kExpired / kNotYetValid for the validity of any certificate in the chain, kRevoked for a
// certificate listed in a CRL, kUntrustedCertificate for everything else (no path to an anchor,
// bad signature, wrong purpose, CRL missing or stale when CRLs are checked: fail closed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "x509/certificate.h"

namespace gridgate::x509 {

class TrustStore {
 public:
  class Builder {
   public:
    Builder();
    // One certificate or a PEM bundle of anchors (CERTIFICATE blocks only).
    [[nodiscard]] Status addAnchorsPem(std::string_view pem);
    [[nodiscard]] Status addAnchor(const Certificate& anchor);
    // One or more "X509 CRL" PEM blocks. The CRL's signature is checked during verification
    // (OpenSSL checks it against the issuer in the chain), not here.
    [[nodiscard]] Status addCrlPem(std::string_view pem);
    [[nodiscard]] Result<TrustStore> build() &&;

   private:
    std::vector<Certificate> anchors_;
    std::vector<Bytes> crls_der_;
  };

  // Anchors from a PEM bundle, and optionally CRLs (PEM, may be empty).
  [[nodiscard]] static Result<TrustStore> fromPem(std::string_view anchors_pem,
                                                  std::string_view crls_pem = {});

  const std::vector<Certificate>& anchors() const;
  std::size_t crlCount() const;
  X509_STORE* raw() const;  // for TLS contexts (SSL_CTX_set1_cert_store takes a reference)

 private:
  struct Data;
  explicit TrustStore(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

enum class Purpose {
  kAny,         // chain only (provenance signing certificates have no EKU)
  kClientAuth,  // X509_PURPOSE_SSL_CLIENT: EKU absent or containing clientAuth
  kServerAuth,  // X509_PURPOSE_SSL_SERVER
};

struct VerifyOptions {
  std::int64_t at_time = 0;  // unix seconds; required (never "now" implicitly)
  bool check_crl = false;    // every certificate in the chain must have a current CRL
  Purpose purpose = Purpose::kAny;
  bool allow_ca_leaf = false;  // a CA certificate presented as the leaf is refused by default
  int max_depth = 4;           // intermediates between leaf and anchor
  bool x509_strict = true;     // X509_V_FLAG_X509_STRICT (RFC 5280 profile checks: AKI, SKI...)
  std::size_t max_untrusted = 8;
};

[[nodiscard]] Status verifyChain(const Certificate& leaf, std::span<const Certificate> untrusted,
                                 const TrustStore& trust, const VerifyOptions& options);

}  // namespace gridgate::x509
