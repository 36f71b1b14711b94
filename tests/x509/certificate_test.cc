#include "x509/certificate.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "core/base64.h"
#include "crypto/digest.h"
#include "crypto/ossl.h"
#include "x509/cert_factory.h"
#include "x509/ib1.h"
#include "x509/pem.h"

namespace gridgate::x509 {
namespace {

using testing::CertSpec;
using testing::issue;
using testing::Issued;
using testing::kDay;
using testing::kT0;

const std::string kRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";
const std::string kMember = "https://directory.core.trust.ib1.org/m/demo-member";
const std::string kApp = "https://directory.core.trust.ib1.org/a/demo-accounting";

Issued& root() {
  static Issued r = issue({.cn = "Root", .ca = true}, nullptr, crypto::KeyType::kEcP384);
  return r;
}

Issued ib1Leaf() {
  const std::vector<std::string> roles = {kRole};
  return issue({.cn = kApp,
                .extra_subject = {{"O", "Demo Org"}},
                .san = "URI:" + kApp,
                .raw_extensions = {{std::string(kIb1RolesOid), *encodeIb1Roles(roles)},
                                   {std::string(kIb1MemberOid), *encodeIb1Member(kMember)}},
                .serial = 4242},
               &root());
}

TEST(Certificate, DerRoundTripAndThumbprint) {
  const Issued leaf = ib1Leaf();
  auto again = Certificate::fromDer(leaf.cert.der());
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(*again, leaf.cert);
  EXPECT_EQ(again->thumbprint(), base64urlEncode(crypto::sha256(leaf.cert.der())));
  EXPECT_EQ(again->thumbprint().size(), 43u);  // 32 bytes, unpadded base64url
  auto from_pem = Certificate::fromPem(leaf.cert.toPem());
  ASSERT_TRUE(from_pem) << from_pem.error().detail;
  EXPECT_EQ(from_pem->der(), leaf.cert.der());
}

TEST(Certificate, ToPemHas64CharacterLinesAndFinalNewline) {
  const std::string pem = ib1Leaf().cert.toPem();
  ASSERT_TRUE(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
  ASSERT_TRUE(pem.ends_with("-----END CERTIFICATE-----\n"));
  std::size_t start = pem.find('\n') + 1;
  const std::size_t end_marker = pem.find("-----END");
  while (start < end_marker) {
    const std::size_t nl = pem.find('\n', start);
    const std::size_t len = nl - start;
    EXPECT_TRUE(len == 64 || pem.find('\n', nl + 1) == end_marker + 25) << len;
    EXPECT_LE(len, 64u);
    start = nl + 1;
  }
}

TEST(Certificate, RejectsTrailingTruncatedEmptyAndOversizedDer) {
  Bytes der = ib1Leaf().cert.der();
  Bytes trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(Certificate::fromDer(trailing).error().code, Errc::kMalformed);
  for (std::size_t cut : {std::size_t{1}, std::size_t{10}, der.size() / 2, der.size() - 1}) {
    EXPECT_FALSE(Certificate::fromDer(ByteView(der.data(), cut))) << cut;
  }
  EXPECT_EQ(Certificate::fromDer({}).error().code, Errc::kMalformed);
  Bytes big(kMaxDer + 1, 0x30);
  EXPECT_EQ(Certificate::fromDer(big).error().code, Errc::kLimitExceeded);
}

TEST(Certificate, PemMustHoldExactlyOneCertificateBlock) {
  const std::string a = ib1Leaf().cert.toPem();
  const std::string b = root().cert.toPem();
  EXPECT_EQ(Certificate::fromPem(a + b).error().code, Errc::kMalformed);
  std::string trusted = a;
  trusted.replace(trusted.find("BEGIN CERTIFICATE"), 17, "BEGIN TRUSTED CERTIFICATE");
  trusted.replace(trusted.find("END CERTIFICATE"), 15, "END TRUSTED CERTIFICATE");
  EXPECT_EQ(Certificate::fromPem(trusted).error().code, Errc::kMalformed);
  auto key_pem = root().key.privatePem();
  ASSERT_TRUE(key_pem);
  EXPECT_EQ(Certificate::fromPem(*key_pem).error().code, Errc::kMalformed);
  EXPECT_EQ(Certificate::fromPem("").error().code, Errc::kMalformed);
  EXPECT_EQ(Certificate::fromPem("hello").error().code, Errc::kMalformed);
  // Explanatory text around a block is allowed (RFC 7468 section 5.2).
  EXPECT_TRUE(Certificate::fromPem("subject=CN = x\n" + a + "trailer\n"));
}

TEST(Certificate, Names) {
  const Issued leaf = ib1Leaf();
  EXPECT_EQ(leaf.cert.subjectDn(), "CN=" + kApp + ",O=Demo Org,C=GB");
  EXPECT_EQ(leaf.cert.issuerDn(), "CN=Root,C=GB");
  EXPECT_EQ(leaf.cert.subjectAttribute("CN"), kApp);
  EXPECT_EQ(leaf.cert.subjectAttribute("O"), "Demo Org");
  EXPECT_EQ(leaf.cert.subjectAttribute("C"), "GB");
  EXPECT_EQ(leaf.cert.subjectAttribute("OU"), "");
  EXPECT_EQ(leaf.cert.subjectAttribute("NoSuchAttribute"), "");
}

TEST(Certificate, Rfc4514EscapingAndUtf8) {
  const Issued c = issue({.cn = "a,b+c", .extra_subject = {{"O", "Énergie \"Nord\""}}}, &root());
  EXPECT_EQ(c.cert.subjectDn(), "CN=a\\,b\\+c,O=Énergie \\\"Nord\\\",C=GB");
  EXPECT_EQ(c.cert.subjectAttribute("O"), "Énergie \"Nord\"");
}

TEST(Certificate, RepeatedAttributeAnswersNothing) {
  const Issued c = issue({.cn = "two", .extra_subject = {{"CN", "first"}}}, &root());
  EXPECT_EQ(c.cert.subjectAttribute("CN"), "");
}

TEST(Certificate, SerialAndValidity) {
  const Issued leaf = ib1Leaf();
  EXPECT_EQ(leaf.cert.serialDecimal(), "4242");
  EXPECT_EQ(leaf.cert.notBefore(), kT0 - kDay);
  EXPECT_EQ(leaf.cert.notAfter(), kT0 + 365 * kDay);
  // Beyond 2050 X.509 switches to GeneralizedTime.
  const Issued late = issue({.not_after = 4'102'444'800}, &root());  // 2100-01-01
  EXPECT_EQ(late.cert.notAfter(), 4'102'444'800);
}

TEST(Certificate, SubjectAltNames) {
  const Issued c = issue({.san = "DNS:localhost,IP:127.0.0.1,IP:::1,URI:https://a.example/x,"
                                 "DNS:example.org"},
                         &root());
  EXPECT_EQ(c.cert.sanDns(), (std::vector<std::string>{"localhost", "example.org"}));
  EXPECT_EQ(c.cert.sanIps(), (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.cert.sanUris(), (std::vector<std::string>{"https://a.example/x"}));
  auto app = c.cert.applicationUri();
  ASSERT_TRUE(app);
  EXPECT_EQ(*app, "https://a.example/x");
}

TEST(Certificate, ApplicationUriNeedsExactlyOneSanUri) {
  EXPECT_EQ(issue({.san = "DNS:x"}, &root()).cert.applicationUri().error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(issue({}, &root()).cert.applicationUri().error().code, Errc::kInvalidArgument);
  EXPECT_EQ(issue({.san = "URI:https://a.example/1,URI:https://a.example/2"}, &root())
                .cert.applicationUri()
                .error()
                .code,
            Errc::kInvalidArgument);
}

TEST(Certificate, Ib1Extensions) {
  const Issued leaf = ib1Leaf();
  auto roles = leaf.cert.ib1Roles();
  ASSERT_TRUE(roles) << roles.error().detail;
  EXPECT_EQ(*roles, std::vector<std::string>{kRole});
  auto member = leaf.cert.ib1Member();
  ASSERT_TRUE(member) << member.error().detail;
  ASSERT_TRUE(member->has_value());
  EXPECT_EQ(**member, kMember);
  EXPECT_TRUE(leaf.cert.hasIb1Role(kRole));
  EXPECT_FALSE(leaf.cert.hasIb1Role(kRole + "x"));
}

TEST(Certificate, AbsentIb1ExtensionsAreEmpty) {
  const Issued plain = issue({}, &root());
  auto roles = plain.cert.ib1Roles();
  ASSERT_TRUE(roles);
  EXPECT_TRUE(roles->empty());
  auto member = plain.cert.ib1Member();
  ASSERT_TRUE(member);
  EXPECT_FALSE(member->has_value());
}

TEST(Certificate, MalformedIb1ExtensionFailsOnlyItsAccessor) {
  // roles holding an INTEGER instead of UTF8Strings: SEQUENCE { INTEGER 5 }
  const Bytes bad_roles = {0x30, 0x03, 0x02, 0x01, 0x05};
  // member as PrintableString instead of UTF8String
  const Bytes bad_member = {0x13, 0x01, 0x61};
  const Issued c = issue({.raw_extensions = {{std::string(kIb1RolesOid), bad_roles},
                                             {std::string(kIb1MemberOid), bad_member}}},
                         &root());
  EXPECT_EQ(c.cert.ib1Roles().error().code, Errc::kMalformed);
  EXPECT_EQ(c.cert.ib1Member().error().code, Errc::kMalformed);
  EXPECT_FALSE(c.cert.hasIb1Role("5"));
  EXPECT_FALSE(c.cert.thumbprint().empty());
}

TEST(Certificate, DuplicateExtensionIsRefused) {
  const std::vector<std::string> roles = {kRole};
  const Bytes der = *encodeIb1Roles(roles);
  // Two copies of the same extension (the factory refuses to make one, since it parses what it
  // issues): OpenSSL marks such a certificate invalid (RFC 5280 4.2) and fromDer refuses it.
  crypto::X509Ptr x(X509_dup(issue({}, &root()).cert.raw()));
  ASSERT_TRUE(x);
  ASN1_OBJECT* obj = OBJ_txt2obj(std::string(kIb1RolesOid).c_str(), 1);
  ASN1_OCTET_STRING* os = ASN1_OCTET_STRING_new();
  ASN1_OCTET_STRING_set(os, der.data(), static_cast<int>(der.size()));
  for (int i = 0; i < 2; ++i) {
    X509_EXTENSION* ext = X509_EXTENSION_create_by_OBJ(nullptr, obj, 0, os);
    X509_add_ext(x.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  ASN1_OCTET_STRING_free(os);
  ASN1_OBJECT_free(obj);
  ASSERT_GT(X509_sign(x.get(), root().key.raw(), EVP_sha384()), 0);
  unsigned char* buf = nullptr;
  const int len = i2d_X509(x.get(), &buf);
  ASSERT_GT(len, 0);
  const Bytes bytes(buf, buf + len);
  OPENSSL_free(buf);
  auto parsed = Certificate::fromDer(bytes);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, Errc::kMalformed);
}

TEST(Certificate, CaFlagEkuAndKey) {
  EXPECT_TRUE(root().cert.isCa());
  const Issued server = issue({.san = "DNS:localhost", .eku = "serverAuth"}, &root());
  EXPECT_FALSE(server.cert.isCa());
  EXPECT_EQ(server.cert.extendedKeyUsages(), std::vector<std::string>{"serverAuth"});
  EXPECT_TRUE(ib1Leaf().cert.extendedKeyUsages().empty());
  auto key = server.cert.publicKey();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->type(), crypto::KeyType::kEcP256);
  EXPECT_FALSE(key->hasPrivate());
  EXPECT_TRUE(server.cert.matchesKey(server.key));
  EXPECT_FALSE(server.cert.matchesKey(root().key));
  auto root_key = root().cert.publicKey();
  ASSERT_TRUE(root_key);
  EXPECT_EQ(root_key->type(), crypto::KeyType::kEcP384);
}

TEST(Certificate, AdoptTakesItsOwnReference) {
  const Issued leaf = ib1Leaf();
  X509* x = X509_dup(leaf.cert.raw());
  ASSERT_NE(x, nullptr);
  const Certificate adopted = Certificate::adopt(x);
  X509_free(x);  // the caller's reference; the Certificate keeps its own
  EXPECT_EQ(adopted.der(), leaf.cert.der());
  EXPECT_EQ(adopted.thumbprint(), leaf.cert.thumbprint());
  EXPECT_EQ(adopted.subjectDn(), leaf.cert.subjectDn());
  EXPECT_TRUE(adopted.hasIb1Role(kRole));
}

TEST(Certificate, CopiesShareOneParse) {
  const Issued leaf = ib1Leaf();
  const Certificate copy = leaf.cert;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.raw(), leaf.cert.raw());
  EXPECT_EQ(&copy.thumbprint(), &leaf.cert.thumbprint());
}

TEST(PemBundle, ParsesInOrderAndEnforcesLimits) {
  const Issued leaf = ib1Leaf();
  const std::string pem = leaf.cert.toPem() + "\n" + root().cert.toPem();
  auto bundle = parsePemBundle(pem);
  ASSERT_TRUE(bundle) << bundle.error().detail;
  ASSERT_EQ(bundle->size(), 2u);
  EXPECT_EQ((*bundle)[0], leaf.cert);
  EXPECT_EQ((*bundle)[1], root().cert);
  EXPECT_EQ(toPemBundle(*bundle), leaf.cert.toPem() + root().cert.toPem());
  EXPECT_EQ(parsePemBundle(pem, 1).error().code, Errc::kLimitExceeded);
  auto key_pem = leaf.key.privatePem();
  ASSERT_TRUE(key_pem);
  EXPECT_EQ(parsePemBundle(pem + *key_pem).error().code, Errc::kMalformed);
  EXPECT_EQ(parsePemBundle("").error().code, Errc::kMalformed);
}

}  // namespace
}  // namespace gridgate::x509
