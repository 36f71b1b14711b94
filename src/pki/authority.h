// Certificates and CRLs of the dev trust framework, made with OpenSSL's API (never by shelling
// out), with exactly the extensions of PERSEUS.md for each profile.
//
//   GG_TRY(auto root_key, crypto::PKey::generate(crypto::KeyType::kEcP384));
//   GG_TRY(auto root, makeCertificate({.profile = Profile::kRoot, .subject = {...},
//                                      .not_before = now, .not_after = now + 9132 * kDay},
//                                     root_key, nullptr));
//   CaMaterial ca{root, root_key};
//   GG_TRY(auto leaf, makeCertificate(client_request, leaf_key, &issuer_ca));
//   GG_TRY(std::string crl, makeCrlPem(issuer_ca, revoked, now, now + 30 * kDay));
//
// Extensions are built from OpenSSL's structures, not from config strings: a URL holding a comma
// can never turn into a second SAN entry.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "crypto/pkey.h"
#include "x509/certificate.h"

namespace gridgate::pki {

inline constexpr std::int64_t kDay = 86'400;

enum class Profile {
  kRoot,         // CA:TRUE (critical), keyUsage keyCertSign+cRLSign+digitalSignature (critical)
  kIssuer,       // as kRoot, pathlen 0
  kClientLeaf,   // keyUsage digitalSignature (critical), one SAN URI, IB1 roles + member, no EKU
  kServerLeaf,   // keyUsage digitalSignature (critical), EKU serverAuth, SAN DNS/IP
  kSigningLeaf,  // as kClientLeaf (provenance signer)
};

struct DistinguishedName {
  std::string country = "GB";  // two letters, PrintableString
  std::string state{};
  std::string organization{};
  std::string common_name{};
};

struct CertificateRequest {
  Profile profile = Profile::kClientLeaf;
  DistinguishedName subject{};
  std::int64_t not_before = 0;  // unix seconds
  std::int64_t not_after = 0;
  std::vector<std::string> san_uris{};
  std::vector<std::string> san_dns{};
  std::vector<std::string> san_ips{};
  std::vector<std::string> ib1_roles{};
  std::string ib1_member{};
};

// A CA's certificate and private key.
struct CaMaterial {
  x509::Certificate cert;
  crypto::PKey key;
};

// Signs `request` for `subject_key` (public half used) with `issuer`, or self-signed when issuer
// is null (roots only). Checks the request fits its profile (kInvalidArgument otherwise).
[[nodiscard]] Result<x509::Certificate> makeCertificate(const CertificateRequest& request,
                                                        const crypto::PKey& subject_key,
                                                        const CaMaterial* issuer);

struct RevokedEntry {
  std::string serial_decimal;
  std::int64_t revoked_at = 0;
};

// A v2 CRL of `ca` (AKI, CRL number = this_update), PEM.
[[nodiscard]] Result<std::string> makeCrlPem(const CaMaterial& ca,
                                             std::span<const RevokedEntry> revoked,
                                             std::int64_t this_update, std::int64_t next_update);

// Loads a CA certificate and its key and checks that they belong together.
[[nodiscard]] Result<CaMaterial> loadCa(std::string_view cert_pem, std::string_view key_pem);

}  // namespace gridgate::pki
