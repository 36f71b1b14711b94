#include "pki/authority.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "crypto/ossl.h"
#include "x509/ib1.h"

namespace gridgate::pki {
namespace {

using crypto::opensslFailure;
using BasicConstraintsPtr = crypto::OsslPtr<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>;
using BitStringPtr = crypto::OsslPtr<ASN1_BIT_STRING, ASN1_BIT_STRING_free>;
using OctetStringPtr = crypto::OsslPtr<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>;
using AuthorityKeyIdPtr = crypto::OsslPtr<AUTHORITY_KEYID, AUTHORITY_KEYID_free>;
using GeneralNamesPtr = crypto::OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using GeneralNamePtr = crypto::OsslPtr<GENERAL_NAME, GENERAL_NAME_free>;
using Asn1ObjectPtr = crypto::OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;
using Asn1IntegerPtr = crypto::OsslPtr<ASN1_INTEGER, ASN1_INTEGER_free>;
using Asn1TimePtr = crypto::OsslPtr<ASN1_TIME, ASN1_TIME_free>;
using ExtensionPtr = crypto::OsslPtr<X509_EXTENSION, X509_EXTENSION_free>;
using RevokedPtr = crypto::OsslPtr<X509_REVOKED, X509_REVOKED_free>;

void freeEku(EXTENDED_KEY_USAGE* eku) { sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free); }
using EkuPtr = crypto::OsslPtr<EXTENDED_KEY_USAGE, freeEku>;

bool isCaProfile(Profile p) { return p == Profile::kRoot || p == Profile::kIssuer; }

Status checkRequest(const CertificateRequest& r, bool self_signed) {
  const auto bad = [](std::string what) { return fail(Errc::kInvalidArgument, std::move(what)); };
  if (r.not_after <= r.not_before) return bad("validity ends before it starts");
  if (r.subject.country.size() != 2 ||
      !std::all_of(r.subject.country.begin(), r.subject.country.end(),
                   [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return bad("country must be two capital letters");
  }
  if (r.subject.common_name.empty()) return bad("subject needs a common name");
  if ((r.profile == Profile::kRoot) != self_signed) {
    return bad("only a root is self-signed, and a root is always self-signed");
  }
  switch (r.profile) {
    case Profile::kRoot:
    case Profile::kIssuer:
      if (!r.san_uris.empty() || !r.san_dns.empty() || !r.san_ips.empty() || !r.ib1_roles.empty() ||
          !r.ib1_member.empty()) {
        return bad("a CA certificate carries no SAN or IB1 extension");
      }
      break;
    case Profile::kClientLeaf:
    case Profile::kSigningLeaf:
      if (r.san_uris.size() != 1) return bad("a client or signing leaf has exactly one SAN URI");
      if (r.subject.common_name != r.san_uris[0]) return bad("CN must equal the SAN URI");
      if (!r.san_dns.empty() || !r.san_ips.empty()) return bad("no DNS/IP SAN on this leaf");
      if (r.ib1_roles.empty()) return bad("at least one IB1 role is needed");
      if (r.ib1_member.empty()) return bad("an IB1 member URL is needed");
      break;
    case Profile::kServerLeaf:
      if (r.san_dns.empty() && r.san_ips.empty()) return bad("a server leaf needs a DNS or IP SAN");
      if (!r.ib1_roles.empty() || !r.ib1_member.empty() || !r.san_uris.empty()) {
        return bad("a server leaf carries no SAN URI or IB1 extension");
      }
      break;
  }
  return ok();
}

Status addNameEntry(X509_NAME* name, int nid, int type, const std::string& value) {
  if (value.empty()) return ok();
  // A string type (not MBSTRING_*) stores the value as given: OpenSSL's ub-common-name (64)
  // would otherwise refuse the application URLs that PERSEUS.md puts in CN.
  if (X509_NAME_add_entry_by_NID(name, nid, type,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return opensslFailure("X509_NAME_add_entry_by_NID");
  }
  return ok();
}

Result<crypto::OsslPtr<X509_NAME, X509_NAME_free>> buildName(const DistinguishedName& dn) {
  crypto::OsslPtr<X509_NAME, X509_NAME_free> name(X509_NAME_new());
  if (!name) return opensslFailure("X509_NAME_new");
  GG_TRY(addNameEntry(name.get(), NID_countryName, V_ASN1_PRINTABLESTRING, dn.country));
  GG_TRY(addNameEntry(name.get(), NID_stateOrProvinceName, V_ASN1_UTF8STRING, dn.state));
  GG_TRY(addNameEntry(name.get(), NID_organizationName, V_ASN1_UTF8STRING, dn.organization));
  GG_TRY(addNameEntry(name.get(), NID_commonName, V_ASN1_UTF8STRING, dn.common_name));
  return name;
}

// RFC 5280 4.1.2.2: positive, at most 20 octets; 127 random bits make collisions irrelevant.
Status setRandomSerial(X509* x) {
  crypto::BnPtr bn(BN_new());
  if (!bn || BN_rand(bn.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1) {
    return opensslFailure("BN_rand");
  }
  if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x)) == nullptr) {
    return opensslFailure("BN_to_ASN1_INTEGER");
  }
  return ok();
}

Status setTime(ASN1_TIME* t, std::int64_t unix_seconds) {
  if (ASN1_TIME_set(t, static_cast<time_t>(unix_seconds)) == nullptr) {
    return opensslFailure("ASN1_TIME_set");
  }
  return ok();
}

Status addExt(X509* x, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x, nid, value, critical ? 1 : 0, X509V3_ADD_REPLACE) != 1) {
    return opensslFailure("X509_add1_ext_i2d");
  }
  return ok();
}

Status addBasicConstraints(X509* x, bool pathlen_zero) {
  BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  if (!bc) return opensslFailure("BASIC_CONSTRAINTS_new");
  bc->ca = 0xff;  // DER encodes TRUE as FF; OpenSSL writes the int as given
  if (pathlen_zero) {
    bc->pathlen = ASN1_INTEGER_new();
    if (bc->pathlen == nullptr || ASN1_INTEGER_set(bc->pathlen, 0) != 1) {
      return opensslFailure("pathlen");
    }
  }
  return addExt(x, NID_basic_constraints, bc.get(), true);
}

Status addKeyUsage(X509* x, bool ca) {
  BitStringPtr bits(ASN1_BIT_STRING_new());
  if (!bits) return opensslFailure("ASN1_BIT_STRING_new");
  // Bit numbers from RFC 5280 4.2.1.3.
  constexpr int kDigitalSignature = 0;
  constexpr int kKeyCertSign = 5;
  constexpr int kCrlSign = 6;
  bool ok_bits = ASN1_BIT_STRING_set_bit(bits.get(), kDigitalSignature, 1) == 1;
  if (ca) {
    ok_bits = ok_bits && ASN1_BIT_STRING_set_bit(bits.get(), kKeyCertSign, 1) == 1 &&
              ASN1_BIT_STRING_set_bit(bits.get(), kCrlSign, 1) == 1;
  }
  if (!ok_bits) return opensslFailure("ASN1_BIT_STRING_set_bit");
  return addExt(x, NID_key_usage, bits.get(), true);
}

Result<Bytes> keyIdentifier(X509* x) {
  // RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_pubkey_digest(x, EVP_sha1(), md, &len) != 1) return opensslFailure("key identifier");
  return Bytes(md, md + len);
}

Status addKeyIdentifiers(X509* x, const Bytes& subject_id, const Bytes& authority_id) {
  OctetStringPtr ski(ASN1_OCTET_STRING_new());
  if (!ski || ASN1_OCTET_STRING_set(ski.get(), subject_id.data(),
                                    static_cast<int>(subject_id.size())) != 1) {
    return opensslFailure("SKI");
  }
  GG_TRY(addExt(x, NID_subject_key_identifier, ski.get(), false));
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (!aki) return opensslFailure("AUTHORITY_KEYID_new");
  aki->keyid = ASN1_OCTET_STRING_new();
  if (aki->keyid == nullptr || ASN1_OCTET_STRING_set(aki->keyid, authority_id.data(),
                                                     static_cast<int>(authority_id.size())) != 1) {
    return opensslFailure("AKI");
  }
  return addExt(x, NID_authority_key_identifier, aki.get(), false);
}

Result<GeneralNamePtr> ia5Name(int type, const std::string& value) {
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      })) {
    return fail(Errc::kInvalidArgument, "SAN value must be printable ASCII: " + value);
  }
  GeneralNamePtr gn(GENERAL_NAME_new());
  ASN1_IA5STRING* s = ASN1_IA5STRING_new();
  if (!gn || s == nullptr ||
      ASN1_STRING_set(s, value.data(), static_cast<int>(value.size())) != 1) {
    ASN1_IA5STRING_free(s);
    return opensslFailure("GENERAL_NAME");
  }
  GENERAL_NAME_set0_value(gn.get(), type, s);
  return gn;
}

Status addSubjectAltName(X509* x, const CertificateRequest& r) {
  if (r.san_uris.empty() && r.san_dns.empty() && r.san_ips.empty()) return ok();
  GeneralNamesPtr names(GENERAL_NAMES_new());
  if (!names) return opensslFailure("GENERAL_NAMES_new");
  const auto push = [&](GeneralNamePtr gn) -> Status {
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0) return opensslFailure("push SAN");
    gn.release();
    return ok();
  };
  for (const std::string& uri : r.san_uris) {
    GG_TRY(GeneralNamePtr gn, ia5Name(GEN_URI, uri));
    GG_TRY(push(std::move(gn)));
  }
  for (const std::string& dns : r.san_dns) {
    GG_TRY(GeneralNamePtr gn, ia5Name(GEN_DNS, dns));
    GG_TRY(push(std::move(gn)));
  }
  for (const std::string& ip : r.san_ips) {
    ASN1_OCTET_STRING* bytes = a2i_IPADDRESS(ip.c_str());
    if (bytes == nullptr) {
      ERR_clear_error();
      return fail(Errc::kInvalidArgument, "not an IP address: " + ip);
    }
    GeneralNamePtr gn(GENERAL_NAME_new());
    if (!gn) {
      ASN1_OCTET_STRING_free(bytes);
      return opensslFailure("GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(gn.get(), GEN_IPADD, bytes);
    GG_TRY(push(std::move(gn)));
  }
  return addExt(x, NID_subject_alt_name, names.get(), false);
}

Status addServerAuth(X509* x) {
  EkuPtr eku(sk_ASN1_OBJECT_new_null());
  ASN1_OBJECT* server_auth = OBJ_nid2obj(NID_server_auth);
  if (!eku || server_auth == nullptr || sk_ASN1_OBJECT_push(eku.get(), server_auth) <= 0) {
    return opensslFailure("EKU");
  }
  return addExt(x, NID_ext_key_usage, eku.get(), false);
}

Status addRawExtension(X509* x, std::string_view oid, const Bytes& der) {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  OctetStringPtr value(ASN1_OCTET_STRING_new());
  if (!obj || !value ||
      ASN1_OCTET_STRING_set(value.get(), der.data(), static_cast<int>(der.size())) != 1) {
    return opensslFailure("extension value");
  }
  ExtensionPtr ext(X509_EXTENSION_create_by_OBJ(nullptr, obj.get(), 0, value.get()));
  if (!ext || X509_add_ext(x, ext.get(), -1) != 1) return opensslFailure("X509_add_ext");
  return ok();
}

const EVP_MD* digestFor(const crypto::PKey& signer) {
  return signer.type() == crypto::KeyType::kEcP384 ? EVP_sha384() : EVP_sha256();
}

Result<Bytes> toDer(X509* x) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(x, &der);
  if (len <= 0) return opensslFailure("i2d_X509");
  Bytes out(der, der + len);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<x509::Certificate> makeCertificate(const CertificateRequest& request,
                                          const crypto::PKey& subject_key,
                                          const CaMaterial* issuer) {
  GG_TRY(checkRequest(request, issuer == nullptr));
  if (!subject_key.valid()) return fail(Errc::kInvalidArgument, "no subject key");
  if (issuer != nullptr && !issuer->cert.isCa()) {
    return fail(Errc::kInvalidArgument, "the issuer is not a CA");
  }
  crypto::X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return opensslFailure("X509_new");
  GG_TRY(setRandomSerial(x.get()));
  GG_TRY(setTime(X509_getm_notBefore(x.get()), request.not_before));
  GG_TRY(setTime(X509_getm_notAfter(x.get()), request.not_after));
  GG_TRY(auto subject, buildName(request.subject));
  if (X509_set_subject_name(x.get(), subject.get()) != 1) return opensslFailure("subject");
  X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer->cert.raw()) : subject.get();
  if (X509_set_issuer_name(x.get(), issuer_name) != 1) return opensslFailure("issuer name");
  if (X509_set_pubkey(x.get(), subject_key.raw()) != 1) return opensslFailure("X509_set_pubkey");

  const bool ca = isCaProfile(request.profile);
  if (ca) GG_TRY(addBasicConstraints(x.get(), request.profile == Profile::kIssuer));
  GG_TRY(addKeyUsage(x.get(), ca));
  GG_TRY(Bytes ski, keyIdentifier(x.get()));
  Bytes aki = ski;
  if (issuer != nullptr) {
    const ASN1_OCTET_STRING* issuer_ski = X509_get0_subject_key_id(issuer->cert.raw());
    if (issuer_ski == nullptr) return fail(Errc::kInvalidArgument, "the issuer has no SKI");
    const unsigned char* p = ASN1_STRING_get0_data(issuer_ski);
    aki.assign(p, p + ASN1_STRING_length(issuer_ski));
  }
  GG_TRY(addKeyIdentifiers(x.get(), ski, aki));
  GG_TRY(addSubjectAltName(x.get(), request));
  if (request.profile == Profile::kServerLeaf) GG_TRY(addServerAuth(x.get()));
  if (!request.ib1_roles.empty()) {
    GG_TRY(Bytes roles, x509::encodeIb1Roles(request.ib1_roles));
    GG_TRY(addRawExtension(x.get(), x509::kIb1RolesOid, roles));
  }
  if (!request.ib1_member.empty()) {
    GG_TRY(Bytes member, x509::encodeIb1Member(request.ib1_member));
    GG_TRY(addRawExtension(x.get(), x509::kIb1MemberOid, member));
  }

  const crypto::PKey& signer = issuer ? issuer->key : subject_key;
  if (!signer.hasPrivate()) return fail(Errc::kInvalidArgument, "the signing key is not private");
  if (X509_sign(x.get(), signer.raw(), digestFor(signer)) <= 0) return opensslFailure("X509_sign");
  GG_TRY(Bytes der, toDer(x.get()));
  return x509::Certificate::fromDer(der);
}

Result<std::string> makeCrlPem(const CaMaterial& ca, std::span<const RevokedEntry> revoked,
                               std::int64_t this_update, std::int64_t next_update) {
  if (next_update <= this_update) return fail(Errc::kInvalidArgument, "CRL ends before it starts");
  crypto::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1) {
    return opensslFailure("X509_CRL_new");
  }
  if (X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.raw())) != 1) {
    return opensslFailure("CRL issuer");
  }
  Asn1TimePtr last(ASN1_TIME_set(nullptr, static_cast<time_t>(this_update)));
  Asn1TimePtr next(ASN1_TIME_set(nullptr, static_cast<time_t>(next_update)));
  if (!last || !next || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return opensslFailure("CRL times");
  }
  for (const RevokedEntry& entry : revoked) {
    BIGNUM* raw_bn = nullptr;
    if (entry.serial_decimal.empty() || entry.serial_decimal.size() > 60 ||
        BN_dec2bn(&raw_bn, entry.serial_decimal.c_str()) !=
            static_cast<int>(entry.serial_decimal.size())) {
      BN_free(raw_bn);
      ERR_clear_error();
      return fail(Errc::kMalformed, "bad serial number: " + entry.serial_decimal);
    }
    crypto::BnPtr bn(raw_bn);
    Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
    Asn1TimePtr when(ASN1_TIME_set(nullptr, static_cast<time_t>(entry.revoked_at)));
    RevokedPtr r(X509_REVOKED_new());
    if (!serial || !when || !r || X509_REVOKED_set_serialNumber(r.get(), serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(r.get(), when.get()) != 1) {
      return opensslFailure("revoked entry");
    }
    if (X509_CRL_add0_revoked(crl.get(), r.get()) != 1) return opensslFailure("add revoked");
    r.release();
  }
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(ca.cert.raw());
  if (ski == nullptr) return fail(Errc::kInvalidArgument, "the CA has no SKI");
  AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
  if (!aki) return opensslFailure("AUTHORITY_KEYID_new");
  aki->keyid = ASN1_OCTET_STRING_dup(ski);
  if (aki->keyid == nullptr ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_authority_key_identifier, aki.get(), 0, 0) != 1) {
    return opensslFailure("CRL AKI");
  }
  Asn1IntegerPtr number(ASN1_INTEGER_new());
  if (!number || ASN1_INTEGER_set_int64(number.get(), this_update) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0) != 1) {
    return opensslFailure("CRL number");
  }
  if (X509_CRL_sort(crl.get()) != 1) return opensslFailure("X509_CRL_sort");
  if (X509_CRL_sign(crl.get(), ca.key.raw(), digestFor(ca.key)) <= 0) {
    return opensslFailure("X509_CRL_sign");
  }
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
    return opensslFailure("PEM_write_bio_X509_CRL");
  }
  return crypto::bioToString(bio.get());
}

Result<CaMaterial> loadCa(std::string_view cert_pem, std::string_view key_pem) {
  GG_TRY(x509::Certificate cert, x509::Certificate::fromPem(cert_pem));
  GG_TRY(crypto::PKey key, crypto::PKey::fromPem(key_pem));
  if (!key.hasPrivate())
    return fail(Errc::kInvalidArgument, "the CA key file holds no private key");
  if (!cert.matchesKey(key)) {
    return fail(Errc::kInvalidArgument, "the key does not match the certificate");
  }
  if (!cert.isCa()) return fail(Errc::kInvalidArgument, "the certificate is not a CA");
  return CaMaterial{std::move(cert), std::move(key)};
}

}  // namespace gridgate::pki
