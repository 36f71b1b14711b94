// Test-only certificate factory over the OpenSSL API: roots, intermediates, leaves with any
// extension (including malformed IB1 values), and CRLs, at chosen times. x509's tests must not
// depend on the pki module (which depends on x509), so they make their own certificates here.
//
//   auto root = issue({.cn = "Root", .ca = true}, nullptr, crypto::KeyType::kEcP384);
//   auto leaf = issue({.cn = "https://a.example/app", .san = "URI:https://a.example/app",
//                      .raw_extensions = {{kIb1RolesOid, *encodeIb1Roles(roles)}}}, &root);
//   std::string crl = makeCrl(root, {leaf.cert}, t0, t0 + 86400);
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "crypto/pkey.h"
#include "x509/certificate.h"

namespace gridgate::x509::testing {

inline constexpr std::int64_t kT0 = 1'750'000'000;  // 2025-06-15, "now" in these tests
inline constexpr std::int64_t kDay = 86'400;

struct CertSpec {
  std::string cn = "test";
  std::vector<std::pair<std::string, std::string>> extra_subject{};  // appended RDNs
  std::int64_t not_before = kT0 - kDay;
  std::int64_t not_after = kT0 + 365 * kDay;
  bool ca = false;
  int pathlen = -1;
  std::string san{};        // OpenSSL config syntax: "URI:https://x,DNS:localhost,IP:127.0.0.1"
  std::string eku{};        // "serverAuth", "clientAuth", or empty for none
  std::string key_usage{};  // default: CA "critical,keyCertSign,cRLSign", leaf "digitalSignature"
  std::vector<std::pair<std::string, Bytes>> raw_extensions{};  // dotted OID, DER value
  long serial = 0;                                              // 0: a random serial
  bool with_key_ids = true;                                     // SKI and AKI
};

struct Issued {
  crypto::PKey key;
  Certificate cert;
};

// Aborts the test binary on failure: a broken fixture is not a test result.
Issued issue(const CertSpec& spec, const Issued* issuer,
             crypto::KeyType type = crypto::KeyType::kEcP256);
// A CRL of `issuer` listing `revoked`, PEM.
std::string makeCrl(const Issued& issuer, const std::vector<Certificate>& revoked,
                    std::int64_t this_update, std::int64_t next_update);

}  // namespace gridgate::x509::testing
