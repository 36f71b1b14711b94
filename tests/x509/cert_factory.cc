#include "x509/cert_factory.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

#include "crypto/ossl.h"

namespace gridgate::x509::testing {
namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "cert_factory: %s failed\n", what);
  ERR_print_errors_fp(stderr);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) die(what);
}

void addExt(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  if (value.empty()) return;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value.c_str());
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

void addRawExt(X509* cert, const std::string& oid, const Bytes& der) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid.c_str(), 1);
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  check(obj && os && ASN1_OCTET_STRING_set(os, der.data(), static_cast<int>(der.size())) == 1,
        "raw extension");
  X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
  check(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "X509_add_ext raw");
  X509_EXTENSION_free(ext);
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
}

const EVP_MD* digestFor(const crypto::PKey& key) {
  return key.type() == crypto::KeyType::kEcP384 ? EVP_sha384() : EVP_sha256();
}

}  // namespace

Issued issue(const CertSpec& spec, const Issued* issuer, crypto::KeyType type) {
  auto key = crypto::PKey::generate(type);
  check(key.has_value(), "key generation");
  crypto::X509Ptr x(X509_new());
  check(x != nullptr && X509_set_version(x.get(), 2) == 1, "X509_new");

  long serial = spec.serial;
  if (serial == 0) {
    unsigned char r[4];
    check(RAND_bytes(r, sizeof(r)) == 1, "RAND_bytes");
    serial = 1 + static_cast<long>((r[0] << 16) | (r[1] << 8) | r[2]);
  }
  check(ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial) == 1, "serial");
  check(ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<time_t>(spec.not_before)) &&
            ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<time_t>(spec.not_after)),
        "validity");

  X509_NAME* name = X509_get_subject_name(x.get());
  check(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>("GB"), -1, -1, 0) == 1,
        "name C");
  for (const auto& [k, v] : spec.extra_subject) {
    check(X509_NAME_add_entry_by_txt(name, k.c_str(), MBSTRING_UTF8,
                                     reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1,
                                     0) == 1,
          "name extra");
  }
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1,
                                   0) == 1,
        "name CN");
  X509* issuer_cert = issuer ? issuer->cert.raw() : x.get();
  const crypto::PKey& signer = issuer ? issuer->key : *key;
  check(X509_set_issuer_name(x.get(), X509_get_subject_name(issuer_cert)) == 1, "issuer name");
  check(X509_set_pubkey(x.get(), key->raw()) == 1, "pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer_cert, x.get(), nullptr, nullptr, 0);
  if (spec.ca) {
    addExt(x.get(), &ctx, NID_basic_constraints,
           spec.pathlen >= 0 ? "critical,CA:TRUE,pathlen:" + std::to_string(spec.pathlen)
                             : std::string("critical,CA:TRUE"));
  }
  addExt(x.get(), &ctx, NID_key_usage,
         !spec.key_usage.empty() ? spec.key_usage
         : spec.ca               ? std::string("critical,digitalSignature,keyCertSign,cRLSign")
                                 : std::string("critical,digitalSignature"));
  if (spec.with_key_ids) {
    addExt(x.get(), &ctx, NID_subject_key_identifier, "hash");
    if (issuer) addExt(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  }
  addExt(x.get(), &ctx, NID_subject_alt_name, spec.san);
  addExt(x.get(), &ctx, NID_ext_key_usage, spec.eku);
  for (const auto& [oid, der] : spec.raw_extensions) addRawExt(x.get(), oid, der);

  check(X509_sign(x.get(), signer.raw(), digestFor(signer)) > 0, "X509_sign");
  unsigned char* der = nullptr;
  const int len = i2d_X509(x.get(), &der);
  check(len > 0, "i2d_X509");
  auto cert = Certificate::fromDer(ByteView(der, static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  if (!cert) {
    std::fprintf(stderr, "cert_factory: %s\n", cert.error().detail.c_str());
    std::abort();
  }
  return Issued{*key, *cert};
}

std::string makeCrl(const Issued& issuer, const std::vector<Certificate>& revoked,
                    std::int64_t this_update, std::int64_t next_update) {
  crypto::X509CrlPtr crl(X509_CRL_new());
  check(crl && X509_CRL_set_version(crl.get(), 1) == 1, "X509_CRL_new");
  check(X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.raw())) == 1,
        "CRL issuer");
  ASN1_TIME* last = ASN1_TIME_set(nullptr, static_cast<time_t>(this_update));
  ASN1_TIME* next = ASN1_TIME_set(nullptr, static_cast<time_t>(next_update));
  check(X509_CRL_set1_lastUpdate(crl.get(), last) == 1 &&
            X509_CRL_set1_nextUpdate(crl.get(), next) == 1,
        "CRL times");
  for (const Certificate& c : revoked) {
    X509_REVOKED* r = X509_REVOKED_new();
    check(r != nullptr, "X509_REVOKED_new");
    check(X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(c.raw())) == 1 &&
              X509_REVOKED_set_revocationDate(r, last) == 1 && X509_CRL_add0_revoked(crl.get(), r),
          "revoked entry");
  }
  ASN1_TIME_free(last);
  ASN1_TIME_free(next);
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer.cert.raw(), nullptr, nullptr, crl.get(), 0);
  X509_EXTENSION* aki = X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid");
  check(aki != nullptr && X509_CRL_add_ext(crl.get(), aki, -1) == 1, "CRL AKI");
  X509_EXTENSION_free(aki);
  check(X509_CRL_sort(crl.get()) == 1, "X509_CRL_sort");
  check(X509_CRL_sign(crl.get(), issuer.key.raw(), digestFor(issuer.key)) > 0, "X509_CRL_sign");
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509_CRL(bio.get(), crl.get()) == 1, "PEM_write_bio_X509_CRL");
  return crypto::bioToString(bio.get());
}

}  // namespace gridgate::x509::testing
