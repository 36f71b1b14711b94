#include "provenance/cert_checks.h"

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include <algorithm>

#include "crypto/ossl.h"
#include "x509/ib1.h"

namespace gridgate::provenance {
namespace {

using Asn1ObjectPtr = crypto::OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;

bool isCriticalExtension(X509* x, int nid) {
  const int idx = X509_get_ext_by_NID(x, nid, -1);
  return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, idx)) == 1;
}

bool hasExtensionOid(X509* x, std::string_view oid) {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (!obj) {
    ERR_clear_error();
    return false;
  }
  return X509_get_ext_by_OBJ(x, obj.get(), -1) >= 0;
}

std::string who(const x509::Certificate& cert) { return " (" + cert.subjectDn() + ")"; }

}  // namespace

Status checkNoUnknownCriticalExtensions(const x509::Certificate& cert) {
  X509* x = cert.raw();
  const int n = X509_get_ext_count(x);
  for (int i = 0; i < n; ++i) {
    X509_EXTENSION* ext = X509_get_ext(x, i);
    if (X509_EXTENSION_get_critical(ext) != 1) continue;
    switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
      case NID_basic_constraints:
      case NID_key_usage:
      case NID_ext_key_usage:
      case NID_subject_alt_name:
      case NID_name_constraints:
        break;
      default: {
        char oid[128] = {};
        OBJ_obj2txt(oid, sizeof oid, X509_EXTENSION_get_object(ext), 1);
        return fail(Errc::kUntrustedCertificate,
                    std::string("unknown critical extension ") + oid + who(cert));
      }
    }
  }
  return ok();
}

Status checkCaCertificate(const x509::Certificate& cert) {
  X509* x = cert.raw();
  const std::uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_INVALID) != 0) {
    return fail(Errc::kUntrustedCertificate, "CA certificate has invalid extensions" + who(cert));
  }
  if (!cert.isCa() || !isCriticalExtension(x, NID_basic_constraints)) {
    return fail(Errc::kUntrustedCertificate,
                "CA certificate lacks a critical basicConstraints CA:TRUE" + who(cert));
  }
  if ((flags & EXFLAG_KUSAGE) == 0 || (X509_get_key_usage(x) & KU_KEY_CERT_SIGN) == 0) {
    return fail(Errc::kUntrustedCertificate, "CA certificate lacks keyCertSign" + who(cert));
  }
  return checkNoUnknownCriticalExtensions(cert);
}

Status checkSigningCertificate(const x509::Certificate& cert) {
  X509* x = cert.raw();
  const std::uint32_t flags = X509_get_extension_flags(x);
  if ((flags & EXFLAG_INVALID) != 0) {
    return fail(Errc::kUntrustedCertificate, "signing certificate has invalid extensions");
  }
  if (cert.isCa()) {
    return fail(Errc::kUntrustedCertificate, "signing certificate is a CA" + who(cert));
  }
  if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) == 0) {
    return fail(Errc::kUntrustedCertificate,
                "signing certificate keyUsage lacks digitalSignature" + who(cert));
  }
  if ((flags & EXFLAG_XKUSAGE) != 0) {
    const auto ekus = cert.extendedKeyUsages();
    if (std::find(ekus.begin(), ekus.end(), "clientAuth") == ekus.end()) {
      return fail(Errc::kUntrustedCertificate,
                  "signing certificate extendedKeyUsage lacks clientAuth" + who(cert));
    }
  }
  GG_TRY(crypto::PKey key, cert.publicKey());
  if (key.type() != crypto::KeyType::kEcP256) {
    return fail(Errc::kUntrustedCertificate, "signing certificate key is not EC P-256" + who(cert));
  }
  return checkNoUnknownCriticalExtensions(cert);
}

Result<SignerIdentity> readSignerIdentity(const x509::Certificate& cert) {
  SignerIdentity id;
  auto member = cert.ib1Member();
  if (!member || !member->has_value() || (*member)->empty()) {
    return fail(Errc::kInvalidArgument, "signing certificate has no IB1 member" + who(cert));
  }
  id.member = **member;
  id.organisation = cert.subjectAttribute("O");
  if (id.organisation.empty()) {
    return fail(Errc::kInvalidArgument,
                "signing certificate has no (or more than one) organisation" + who(cert));
  }
  GG_TRY(id.application, cert.applicationUri());
  if (!hasExtensionOid(cert.raw(), x509::kIb1RolesOid)) {
    return fail(Errc::kInvalidArgument, "signing certificate has no IB1 roles" + who(cert));
  }
  auto roles = cert.ib1Roles();
  if (!roles) {
    return fail(Errc::kInvalidArgument, "signing certificate IB1 roles: " + roles.error().detail);
  }
  id.roles = std::move(*roles);
  return id;
}

}  // namespace gridgate::provenance
