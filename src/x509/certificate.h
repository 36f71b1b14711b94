// An X.509 certificate, parsed once and shared: what mTLS, token binding and provenance read.
//
//   GG_TRY(Certificate cert, Certificate::fromPem(pem));           // exactly one CERTIFICATE block
//   Certificate peer = Certificate::adopt(SSL_get0_peer_certificate(ssl));   // TLS peer, up-ref'd
//   if (cert.thumbprint() != cnf_x5t_s256) return fail(Errc::kInvalidClaim, "cnf mismatch");
//   GG_TRY(std::string client_id, cert.applicationUri());           // the single SAN URI
//   GG_TRY(auto roles, cert.ib1Roles());                            // empty if no extension
//   GG_TRY(auto bundle, parsePemBundle(chain_pem));                 // leaf first, as in the file
//
// A Certificate is immutable and cheap to copy (one shared X509 plus the values computed at parse
// time: DER, x5t#S256, IB1 extensions). TARGETS.md: peers lose 38% of their CPU re-parsing the
// client certificate per request; parse it once per connection and keep this object.
// Measured (bench/x509, Release, OpenSSL 3.0): fromDer ~0.4 ms CPU, almost all in OpenSSL 3.0's
// public-key decoding (openssl/openssl#17950); adopt() of an X509 the TLS stack already parsed
// ~7 us; the accessors below are plain reads. So: adopt() for TLS peers, and cache certificates
// decoded from a proxy's header by the header value rather than decoding on every request.
//
// Parsing is strict and bounded: DER at most kMaxDer bytes with nothing after it; PEM with only
// CERTIFICATE blocks (see pem.h). An IB1 extension that does not decode does not make the
// certificate unparseable (a TLS peer is what it is); it makes ib1Roles()/ib1Member() fail, so a
// check that needs the role fails closed.
#pragma once

#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/pkey.h"

namespace gridgate::x509 {

class Certificate {
 public:
  // DER: the whole input must be one certificate (kMalformed for trailing bytes).
  [[nodiscard]] static Result<Certificate> fromDer(ByteView der);
  // PEM: exactly one block, labelled CERTIFICATE.
  [[nodiscard]] static Result<Certificate> fromPem(std::string_view pem);
  // Takes its own reference (X509_up_ref) to a certificate OpenSSL already parsed (a TLS peer);
  // the caller keeps its own. `x` must not be null.
  static Certificate adopt(X509* x);

  X509* raw() const;
  const Bytes& der() const;
  // x5t#S256 (RFC 8705): base64url without padding of SHA-256 over the DER. Computed once.
  const std::string& thumbprint() const;

  // RFC 4514 strings (XN_FLAG_RFC2253: most specific RDN first, "CN=x,O=y,C=GB").
  std::string subjectDn() const;
  std::string issuerDn() const;
  // The value of a subject attribute by short name ("CN", "O", "C"...), UTF-8. Empty if the
  // attribute is absent or appears more than once (an ambiguous name answers nothing).
  std::string subjectAttribute(std::string_view short_name) const;
  std::string serialDecimal() const;
  std::int64_t notBefore() const;  // unix seconds
  std::int64_t notAfter() const;

  // subjectAltName entries by kind, in certificate order. IPs as text ("127.0.0.1", "::1").
  std::vector<std::string> sanUris() const;
  std::vector<std::string> sanDns() const;
  std::vector<std::string> sanIps() const;
  // The application URL: exactly one SAN URI (PERSEUS.md), else kInvalidArgument.
  [[nodiscard]] Result<std::string> applicationUri() const;

  // IB1 roles (1.3.6.1.4.1.62329.1.1): empty if the extension is absent; kMalformed if it does
  // not decode or appears twice.
  [[nodiscard]] Result<std::vector<std::string>> ib1Roles() const;
  // IB1 member (1.3.6.1.4.1.62329.1.3): nullopt if absent.
  [[nodiscard]] Result<std::optional<std::string>> ib1Member() const;
  bool hasIb1Role(std::string_view role) const;  // false also when the extension is malformed

  // basicConstraints CA:TRUE.
  bool isCa() const;
  // Extended key usages as OpenSSL short names ("serverAuth", "clientAuth") or dotted OIDs;
  // empty when the certificate has no EKU extension.
  std::vector<std::string> extendedKeyUsages() const;
  // The subject public key; kUnsupported for key types crypto::PKey does not allow.
  [[nodiscard]] Result<crypto::PKey> publicKey() const;
  // True when `key` is the public half of this certificate's key.
  bool matchesKey(const crypto::PKey& key) const;

  std::string toPem() const;  // 64-character lines, final newline

  // Same DER.
  bool operator==(const Certificate& other) const;

 private:
  struct Data;
  explicit Certificate(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  static Certificate build(X509* owned, Bytes der);
  std::shared_ptr<const Data> data_;
};

// Every certificate of a PEM bundle, in file order. Only CERTIFICATE blocks are allowed; at least
// one and at most `max_certs`.
[[nodiscard]] Result<std::vector<Certificate>> parsePemBundle(std::string_view pem,
                                                              std::size_t max_certs = 16);
// A bundle as PEM, in order.
std::string toPemBundle(std::span<const Certificate> certs);

}  // namespace gridgate::x509
