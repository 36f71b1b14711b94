#include "provenance/signer.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "core/base64.h"
#include "crypto/ossl.h"
#include "provenance/cert_checks.h"

namespace gridgate::provenance {

Result<Signer> Signer::create(crypto::PKey key, x509::Certificate leaf,
                              std::vector<x509::Certificate> issuers) {
  if (!key.valid() || !key.hasPrivate() || key.type() != crypto::KeyType::kEcP256) {
    return fail(Errc::kInvalidArgument, "provenance signer: key must be a private EC P-256 key");
  }
  if (!leaf.matchesKey(key)) {
    return fail(Errc::kInvalidArgument, "provenance signer: key does not match the certificate");
  }
  GG_TRY(checkSigningCertificate(leaf));
  GG_TRY(readSignerIdentity(leaf));  // member, organisation, application, roles all present
  const x509::Certificate* child = &leaf;
  for (const x509::Certificate& issuer : issuers) {
    if (X509_check_issued(issuer.raw(), child->raw()) != X509_V_OK) {
      ERR_clear_error();
      return fail(Errc::kInvalidArgument, "provenance signer: " + issuer.subjectDn() +
                                              " did not issue " + child->subjectDn() +
                                              " (bundle must be leaf, then its issuers in order)");
    }
    GG_TRY(checkCaCertificate(issuer));
    child = &issuer;
  }
  std::string serial = leaf.serialDecimal();
  if (!isCanonicalSerial(serial)) {
    return fail(Errc::kInvalidArgument, "provenance signer: unusable certificate serial");
  }
  CertificateMap entries;
  std::vector<std::string> path{leaf.toPem()};
  for (const x509::Certificate& issuer : issuers) {
    const std::string s = issuer.serialDecimal();
    if (!isCanonicalSerial(s) || s == serial || entries.contains(s)) {
      return fail(Errc::kInvalidArgument, "provenance signer: issuer serials must be distinct");
    }
    path.push_back(s);
    entries.emplace(s, std::vector<std::string>{issuer.toPem()});
  }
  entries.emplace(serial, std::move(path));
  GG_TRY(std::shared_ptr<const crypto::PreparedSigner> prepared,
         crypto::PreparedSigner::create(key, crypto::SigScheme::kEcdsaSha256));
  return Signer(std::move(prepared), std::move(leaf), std::move(issuers), std::move(serial),
                std::move(entries));
}

Result<Signer> Signer::fromPem(std::string_view key_pem, std::string_view bundle_pem) {
  GG_TRY(crypto::PKey key, crypto::PKey::fromPem(key_pem));
  GG_TRY(std::vector<x509::Certificate> certs, x509::parsePemBundle(bundle_pem));
  x509::Certificate leaf = certs.front();
  certs.erase(certs.begin());
  return create(std::move(key), std::move(leaf), std::move(certs));
}

Result<std::string> Signer::sign(std::string_view input) const {
  GG_TRY(Bytes der, key_->sign(asBytes(input)));
  return base64urlEncode(der, Padding::kRequired);
}

}  // namespace gridgate::provenance
