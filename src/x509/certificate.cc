#include "x509/certificate.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>

#include "crypto/digest.h"
#include "crypto/ossl.h"
#include "x509/ib1.h"
#include "x509/pem.h"

namespace gridgate::x509 {
namespace {

using GeneralNamesPtr = crypto::OsslPtr<GENERAL_NAMES, GENERAL_NAMES_free>;
using EkuPtr = crypto::OsslPtr<EXTENDED_KEY_USAGE, EXTENDED_KEY_USAGE_free>;
using Asn1ObjectPtr = crypto::OsslPtr<ASN1_OBJECT, ASN1_OBJECT_free>;

struct Sans {
  std::vector<std::string> uris;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
};

std::string asn1Text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

Sans readSans(X509* x) {
  Sans sans;
  int crit = 0;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, &crit, nullptr)));
  ERR_clear_error();
  if (!names) return sans;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    switch (gn->type) {
      case GEN_URI:
        sans.uris.push_back(asn1Text(gn->d.uniformResourceIdentifier));
        break;
      case GEN_DNS:
        sans.dns.push_back(asn1Text(gn->d.dNSName));
        break;
      case GEN_IPADD: {
        const ASN1_OCTET_STRING* ip = gn->d.iPAddress;
        char buf[INET6_ADDRSTRLEN] = {};
        const int len = ASN1_STRING_length(ip);
        const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
        if (family != 0 && inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof(buf))) {
          sans.ips.emplace_back(buf);
        }
        break;
      }
      default:
        break;
    }
  }
  return sans;
}

// The value of the extension with `oid`: nullopt if absent, kMalformed if present twice.
Result<std::optional<Bytes>> extensionValue(X509* x, std::string_view oid) {
  Asn1ObjectPtr obj(OBJ_txt2obj(std::string(oid).c_str(), 1));
  if (!obj) return crypto::opensslFailure("OBJ_txt2obj");
  std::optional<Bytes> value;
  for (int i = 0; i < X509_get_ext_count(x); ++i) {
    X509_EXTENSION* ext = X509_get_ext(x, i);
    if (OBJ_cmp(X509_EXTENSION_get_object(ext), obj.get()) != 0) continue;
    if (value) return fail(Errc::kMalformed, "extension " + std::string(oid) + " appears twice");
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
    const unsigned char* p = ASN1_STRING_get0_data(data);
    value = Bytes(p, p + ASN1_STRING_length(data));
  }
  return value;
}

Result<std::vector<std::string>> readRoles(X509* x) {
  GG_TRY(auto value, extensionValue(x, kIb1RolesOid));
  if (!value) return std::vector<std::string>{};
  return decodeIb1Roles(*value);
}

Result<std::optional<std::string>> readMember(X509* x) {
  GG_TRY(auto value, extensionValue(x, kIb1MemberOid));
  if (!value) return std::optional<std::string>{};
  GG_TRY(std::string member, decodeIb1Member(*value));
  return std::optional<std::string>(std::move(member));
}

// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm): no timegm(), no time zone.
std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t asn1TimeToUnix(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return 0;
  }
  const std::int64_t days = daysFromCivil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                                          static_cast<unsigned>(tm.tm_mday));
  return days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

std::string nameToString(const X509_NAME* name) {
  // XN_FLAG_RFC2253 escapes every non-ASCII byte as \XX; RFC 4514 keeps UTF-8 as is, so that a
  // subject with a non-ASCII organisation name reads the same here as in the certificate.
  constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) {
    ERR_clear_error();
    return {};
  }
  return crypto::bioToString(bio.get());
}

// RFC 5280 4.2: "A certificate MUST NOT include more than one instance of a particular
// extension". OpenSSL 3.0 flags duplicates only among the extensions it knows; the IB1 ones it
// does not, and two roles extensions would leave "which one counts" to the reader.
bool hasDuplicateExtension(X509* x) {
  const int n = X509_get_ext_count(x);
  for (int i = 0; i < n; ++i) {
    const ASN1_OBJECT* a = X509_EXTENSION_get_object(X509_get_ext(x, i));
    for (int j = i + 1; j < n; ++j) {
      if (OBJ_cmp(a, X509_EXTENSION_get_object(X509_get_ext(x, j))) == 0) return true;
    }
  }
  return false;
}

}  // namespace

struct Certificate::Data {
  crypto::X509Ptr x509;
  Bytes der;
  std::string thumbprint;
  Sans sans;
  Result<std::vector<std::string>> roles;
  Result<std::optional<std::string>> member;
  std::int64_t not_before = 0;
  std::int64_t not_after = 0;
};

Certificate Certificate::build(X509* owned, Bytes der) {
  auto data = std::make_shared<Data>();
  data->x509.reset(owned);
  data->thumbprint = crypto::sha256B64url(der);
  data->der = std::move(der);
  data->sans = readSans(owned);
  data->roles = readRoles(owned);
  data->member = readMember(owned);
  data->not_before = asn1TimeToUnix(X509_get0_notBefore(owned));
  data->not_after = asn1TimeToUnix(X509_get0_notAfter(owned));
  ERR_clear_error();
  return Certificate(std::move(data));
}

Result<Certificate> Certificate::fromDer(ByteView der) {
  if (der.empty()) return fail(Errc::kMalformed, "empty certificate");
  if (der.size() > kMaxDer) return fail(Errc::kLimitExceeded, "certificate too large");
  const unsigned char* p = der.data();
  crypto::X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) return crypto::opensslFailure("certificate DER", Errc::kMalformed);
  if (p != der.data() + der.size()) return fail(Errc::kMalformed, "bytes after certificate DER");
  // Computes the cached extension flags; EXFLAG_INVALID marks extensions OpenSSL could not
  // decode or that appear twice (RFC 5280 4.2). Such a certificate is refused at parse time.
  X509_check_purpose(x.get(), -1, 0);
  if ((X509_get_extension_flags(x.get()) & EXFLAG_INVALID) != 0 || hasDuplicateExtension(x.get())) {
    ERR_clear_error();
    return fail(Errc::kMalformed, "certificate has invalid or duplicate extensions");
  }
  ERR_clear_error();
  return build(x.release(), Bytes(der.begin(), der.end()));
}

Result<Certificate> Certificate::fromPem(std::string_view pem) {
  GG_TRY(auto blocks, scanPem(pem, PemOptions{.max_blocks = 2}));
  if (blocks.size() != 1) return fail(Errc::kMalformed, "expected exactly one certificate");
  if (blocks[0].label != "CERTIFICATE") {
    return fail(Errc::kMalformed, "PEM block is " + blocks[0].label + ", not CERTIFICATE");
  }
  return fromDer(blocks[0].der);
}

Certificate Certificate::adopt(X509* x) {
  X509_up_ref(x);
  Bytes der;
  const int len = i2d_X509(x, nullptr);
  if (len > 0) {
    der.resize(static_cast<std::size_t>(len));
    unsigned char* p = der.data();
    if (i2d_X509(x, &p) != len) der.clear();
  }
  ERR_clear_error();
  return build(x, std::move(der));
}

X509* Certificate::raw() const { return data_->x509.get(); }
const Bytes& Certificate::der() const { return data_->der; }
const std::string& Certificate::thumbprint() const { return data_->thumbprint; }

std::string Certificate::subjectDn() const {
  return nameToString(X509_get_subject_name(data_->x509.get()));
}
std::string Certificate::issuerDn() const {
  return nameToString(X509_get_issuer_name(data_->x509.get()));
}

std::string Certificate::subjectAttribute(std::string_view short_name) const {
  const int nid = OBJ_sn2nid(std::string(short_name).c_str());
  if (nid == NID_undef) return {};
  const X509_NAME* name = X509_get_subject_name(data_->x509.get());
  const int first = X509_NAME_get_index_by_NID(name, nid, -1);
  if (first < 0 || X509_NAME_get_index_by_NID(name, nid, first) >= 0) return {};
  const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, first));
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, value);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

std::string Certificate::serialDecimal() const {
  crypto::BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(data_->x509.get()), nullptr));
  if (!bn) {
    ERR_clear_error();
    return {};
  }
  char* dec = BN_bn2dec(bn.get());
  if (dec == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(dec);
  OPENSSL_free(dec);
  return out;
}

std::int64_t Certificate::notBefore() const { return data_->not_before; }
std::int64_t Certificate::notAfter() const { return data_->not_after; }

std::vector<std::string> Certificate::sanUris() const { return data_->sans.uris; }
std::vector<std::string> Certificate::sanDns() const { return data_->sans.dns; }
std::vector<std::string> Certificate::sanIps() const { return data_->sans.ips; }

Result<std::string> Certificate::applicationUri() const {
  const auto& uris = data_->sans.uris;
  if (uris.size() != 1) {
    return fail(Errc::kInvalidArgument,
                "certificate has " + std::to_string(uris.size()) + " SAN URIs, expected one");
  }
  const bool clean = std::all_of(uris[0].begin(), uris[0].end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  if (!clean || uris[0].empty()) return fail(Errc::kInvalidArgument, "SAN URI is not printable");
  return uris[0];
}

Result<std::vector<std::string>> Certificate::ib1Roles() const { return data_->roles; }
Result<std::optional<std::string>> Certificate::ib1Member() const { return data_->member; }

bool Certificate::hasIb1Role(std::string_view role) const {
  if (!data_->roles) return false;
  return std::find(data_->roles->begin(), data_->roles->end(), role) != data_->roles->end();
}

bool Certificate::isCa() const {
  const std::uint32_t flags = X509_get_extension_flags(data_->x509.get());
  return (flags & EXFLAG_BCONS) != 0 && (flags & EXFLAG_CA) != 0;
}

std::vector<std::string> Certificate::extendedKeyUsages() const {
  std::vector<std::string> out;
  int crit = 0;
  EkuPtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(data_->x509.get(), NID_ext_key_usage, &crit, nullptr)));
  ERR_clear_error();
  if (!eku) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku.get()); ++i) {
    const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku.get(), i);
    const int nid = OBJ_obj2nid(obj);
    if (nid != NID_undef) {
      out.emplace_back(OBJ_nid2sn(nid));
    } else {
      char buf[128] = {};
      OBJ_obj2txt(buf, sizeof(buf), obj, 1);
      out.emplace_back(buf);
    }
  }
  return out;
}

Result<crypto::PKey> Certificate::publicKey() const {
  EVP_PKEY* k = X509_get_pubkey(data_->x509.get());
  if (k == nullptr) return crypto::opensslFailure("X509_get_pubkey", Errc::kUnsupported);
  crypto::PKey key = crypto::PKey::adopt(k);
  if (!key.valid()) return fail(Errc::kUnsupported, "certificate key type not allowed");
  return key;
}

bool Certificate::matchesKey(const crypto::PKey& key) const {
  if (!key.valid()) return false;
  const EVP_PKEY* mine = X509_get0_pubkey(data_->x509.get());
  const bool same = mine != nullptr && EVP_PKEY_eq(mine, key.raw()) == 1;
  ERR_clear_error();
  return same;
}

std::string Certificate::toPem() const { return encodePem("CERTIFICATE", data_->der); }

bool Certificate::operator==(const Certificate& other) const {
  return data_ == other.data_ || data_->der == other.data_->der;
}

Result<std::vector<Certificate>> parsePemBundle(std::string_view pem, std::size_t max_certs) {
  GG_TRY(auto blocks, scanPem(pem, PemOptions{.max_blocks = max_certs}));
  std::vector<Certificate> certs;
  certs.reserve(blocks.size());
  for (const PemBlock& block : blocks) {
    if (block.label != "CERTIFICATE") {
      return fail(Errc::kMalformed, "PEM block is " + block.label + ", not CERTIFICATE");
    }
    GG_TRY(Certificate cert, Certificate::fromDer(block.der));
    certs.push_back(std::move(cert));
  }
  return certs;
}

std::string toPemBundle(std::span<const Certificate> certs) {
  std::string out;
  for (const Certificate& c : certs) out += c.toPem();
  return out;
}

}  // namespace gridgate::x509
