// Where the dev trust framework keeps its files: one directory, stable names (README.txt in the
// directory says what uses each file).
//
//   const pki::Layout layout = pki::Layout::in(dir);
//   GG_TRY(auto trust, x509::TrustStore::fromPem(*readFile(layout.client.verify_bundle)));
//   server_config.cert_chain = layout.server_leaf.bundle;   // leaf + issuer + root
//   server_config.key = layout.server_leaf.key;
//   client_config.cert = layout.client_demo.bundle;          // leaf + issuer
//
// Per hierarchy H in {client, server, signing}:
//   H-ca.pem, H-ca-key.pem             root (EC P-384, 9132 days)
//   H-issuer.pem, H-issuer-key.pem     issuing CA (EC P-256, 365 days, pathlen 0)
//   H-verify-bundle.pem                issuer + root: what a verifier of this hierarchy trusts
//   H-crl.pem                          CRLs of the issuer and the root (both: CRL_CHECK_ALL)
//   H-revoked.txt                      the revocation list `gridgate pki revoke` keeps
// Leaves ("-cert.pem" the certificate alone, "-key.pem" its key, "-bundle.pem" what it presents):
//   server-cert.pem, server-key.pem, server-bundle.pem (leaf + issuer + root), localhost
//   client-demo-*.pem (leaf + issuer): the sandbox's demo client application
//   client-other-*.pem (leaf + issuer): a second member's application (tokens must not cross)
//   signing-provider-*.pem (leaf + issuer): the data provider's provenance signing certificate
//   token-signing-key.pem              EC P-256 key of the authorization server's token signing
// `gridgate pki issue H ... --name N` writes H-N-cert.pem, H-N-key.pem, H-N-bundle.pem.
#pragma once

#include <filesystem>
#include <string_view>

namespace gridgate::pki {

enum class Hierarchy { kClient, kServer, kSigning };

std::string_view hierarchyName(Hierarchy h);   // "client", "server", "signing"
std::string_view hierarchyTitle(Hierarchy h);  // "Client", "Server", "Signing"

struct HierarchyFiles {
  std::filesystem::path ca;
  std::filesystem::path ca_key;
  std::filesystem::path issuer;
  std::filesystem::path issuer_key;
  std::filesystem::path verify_bundle;
  std::filesystem::path crl;
  std::filesystem::path revoked;
};

struct LeafFiles {
  std::filesystem::path cert;
  std::filesystem::path key;
  std::filesystem::path bundle;
};

struct Layout {
  std::filesystem::path dir;
  HierarchyFiles client;
  HierarchyFiles server;
  HierarchyFiles signing;
  LeafFiles server_leaf;
  LeafFiles client_demo;
  LeafFiles client_other;
  LeafFiles signing_provider;
  std::filesystem::path token_signing_key;
  std::filesystem::path readme;

  static Layout in(const std::filesystem::path& dir);
  const HierarchyFiles& hierarchy(Hierarchy h) const;
  // H-<name>-cert.pem etc., for `gridgate pki issue`.
  LeafFiles leaf(Hierarchy h, std::string_view name) const;
};

}  // namespace gridgate::pki
