#include "pki/pki.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <ctime>

#include "pki/authority.h"
#include "pki/support.h"
#include "x509/ib1.h"
#include "x509/trust_store.h"

namespace gridgate::pki {
namespace {

using testing::mode;
using testing::readText;
using testing::snapshot;
using testing::TempDir;
using testing::writeText;

constexpr std::int64_t kNow = 1'790'000'000;  // 2026-09-21

InitResult initIn(const TempDir& dir, bool force = false, std::int64_t now = kNow) {
  auto r = init(InitOptions{.dir = dir.path(), .force = force, .durable = false, .now = now});
  EXPECT_TRUE(r) << r.error().detail;
  return r ? *r : InitResult{};
}

x509::Certificate cert(const std::filesystem::path& p) {
  auto c = x509::Certificate::fromPem(readText(p));
  EXPECT_TRUE(c) << p << ": " << c.error().detail;
  return *c;
}

std::vector<x509::Certificate> bundle(const std::filesystem::path& p) {
  auto b = x509::parsePemBundle(readText(p));
  EXPECT_TRUE(b) << p;
  return b ? *b : std::vector<x509::Certificate>{};
}

struct Ext {
  bool present = false;
  bool critical = false;
  Bytes der;
};

Ext extension(const x509::Certificate& c, const char* oid) {
  ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
  const int idx = X509_get_ext_by_OBJ(c.raw(), obj, -1);
  ASN1_OBJECT_free(obj);
  if (idx < 0) return {};
  X509_EXTENSION* ext = X509_get_ext(c.raw(), idx);
  const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(ext);
  const unsigned char* p = ASN1_STRING_get0_data(data);
  return Ext{true, X509_EXTENSION_get_critical(ext) == 1, Bytes(p, p + ASN1_STRING_length(data))};
}

constexpr const char* kBasicConstraints = "2.5.29.19";
constexpr const char* kKeyUsage = "2.5.29.15";
constexpr const char* kSki = "2.5.29.14";
constexpr const char* kAki = "2.5.29.35";
constexpr const char* kSan = "2.5.29.17";
constexpr const char* kEku = "2.5.29.37";
constexpr const char* kRoles = "1.3.6.1.4.1.62329.1.1";
constexpr const char* kMember = "1.3.6.1.4.1.62329.1.3";

// SHA-1 of the subjectPublicKey BIT STRING contents (RFC 5280 4.2.1.2 method 1), computed here
// from the key's own encoding, independently of X509_pubkey_digest.
Bytes keyId(const x509::Certificate& c) {
  const unsigned char* bits = nullptr;
  int len = 0;
  X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, X509_get_X509_PUBKEY(c.raw()));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(bits, static_cast<std::size_t>(len), md, &md_len, EVP_sha1(), nullptr);
  return Bytes(md, md + md_len);
}

Bytes concat(std::initializer_list<std::uint8_t> head, const Bytes& tail) {
  Bytes out(head);
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

Bytes concat(std::initializer_list<std::uint8_t> head, std::string_view tail) {
  return concat(head, Bytes(tail.begin(), tail.end()));
}

TEST(PkiInit, CreatesEveryFileWithSafeModes) {
  TempDir dir;
  std::vector<std::string> steps;
  auto r = init(InitOptions{
      .dir = dir.path(), .now = kNow, .progress = [&](int i, int n, std::string_view s) {
        EXPECT_EQ(i, static_cast<int>(steps.size()) + 1);
        EXPECT_EQ(n, 12);
        steps.emplace_back(s);
      }});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(steps.size(), 12u);
  EXPECT_EQ(r->created.size(), 35u);
  EXPECT_TRUE(r->kept.empty());
  const Layout& l = r->layout;
  for (const auto& p : r->created) {
    const bool secret = p.filename().string().ends_with("key.pem");
    EXPECT_EQ(mode(p), secret ? 0600u : 0644u) << p;
  }
  for (Hierarchy h : {Hierarchy::kClient, Hierarchy::kServer, Hierarchy::kSigning}) {
    const HierarchyFiles& f = l.hierarchy(h);
    for (const auto* p :
         {&f.ca, &f.ca_key, &f.issuer, &f.issuer_key, &f.verify_bundle, &f.crl, &f.revoked}) {
      EXPECT_TRUE(std::filesystem::exists(*p)) << *p;
    }
  }
  for (const auto* leaf : {&l.server_leaf, &l.client_demo, &l.client_other, &l.signing_provider}) {
    EXPECT_EQ(mode(leaf->key), 0600u);
    EXPECT_EQ(mode(leaf->cert), 0644u);
    EXPECT_EQ(mode(leaf->bundle), 0644u);
  }
  EXPECT_EQ(mode(l.token_signing_key), 0600u);
  const std::string readme = readText(l.readme);
  for (const auto& p : r->created) {
    EXPECT_NE(readme.find(p.filename().string()), std::string::npos) << p.filename();
  }
  // No temporary file left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_FALSE(e.path().filename().string().starts_with(".")) << e.path();
  }
}

TEST(PkiInit, HierarchiesFollowPerseus) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const struct {
    Hierarchy h;
    const char* title;
  } cases[] = {{Hierarchy::kClient, "Client"},
               {Hierarchy::kServer, "Server"},
               {Hierarchy::kSigning, "Signing"}};
  for (const auto& c : cases) {
    const HierarchyFiles& f = l.hierarchy(c.h);
    const x509::Certificate root = cert(f.ca);
    const x509::Certificate issuer = cert(f.issuer);
    const std::string tf = "Core Trust Framework";
    EXPECT_EQ(root.subjectDn(), "CN=" + tf + " " + c.title + " CA,O=" + tf + ",ST=London,C=GB");
    EXPECT_EQ(root.issuerDn(), root.subjectDn());
    EXPECT_EQ(issuer.subjectDn(),
              "CN=" + tf + " " + c.title + " Issuer,O=" + tf + ",ST=London,C=GB");
    EXPECT_EQ(issuer.issuerDn(), root.subjectDn());
    EXPECT_EQ(root.publicKey()->type(), crypto::KeyType::kEcP384);
    EXPECT_EQ(issuer.publicKey()->type(), crypto::KeyType::kEcP256);
    EXPECT_EQ(root.notAfter() - root.notBefore(), 9132 * kDay + 300);
    EXPECT_EQ(issuer.notAfter() - issuer.notBefore(), 365 * kDay + 300);
    EXPECT_EQ(root.notBefore(), kNow - 300);

    // Golden extension DER (X.690 by hand).
    const Ext root_bc = extension(root, kBasicConstraints);
    EXPECT_TRUE(root_bc.critical);
    EXPECT_EQ(root_bc.der, (Bytes{0x30, 0x03, 0x01, 0x01, 0xff}));  // CA:TRUE
    const Ext issuer_bc = extension(issuer, kBasicConstraints);
    EXPECT_TRUE(issuer_bc.critical);
    EXPECT_EQ(issuer_bc.der, (Bytes{0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01, 0x00}));  // pathlen 0
    for (const x509::Certificate* ca : {&root, &issuer}) {
      const Ext ku = extension(*ca, kKeyUsage);
      EXPECT_TRUE(ku.critical);
      // BIT STRING, 1 unused bit: digitalSignature(0) keyCertSign(5) cRLSign(6) = 1000 0110
      EXPECT_EQ(ku.der, (Bytes{0x03, 0x02, 0x01, 0x86}));
      const Ext ski = extension(*ca, kSki);
      EXPECT_FALSE(ski.critical);
      EXPECT_EQ(ski.der, concat({0x04, 0x14}, keyId(*ca)));
      EXPECT_FALSE(extension(*ca, kSan).present);
      EXPECT_FALSE(extension(*ca, kEku).present);
      EXPECT_FALSE(extension(*ca, kRoles).present);
    }
    const Ext root_aki = extension(root, kAki);
    EXPECT_FALSE(root_aki.critical);
    EXPECT_EQ(root_aki.der, concat({0x30, 0x16, 0x80, 0x14}, keyId(root)));
    EXPECT_EQ(extension(issuer, kAki).der, concat({0x30, 0x16, 0x80, 0x14}, keyId(root)));

    EXPECT_EQ(bundle(f.verify_bundle), (std::vector<x509::Certificate>{issuer, root}));
  }
}

TEST(PkiInit, LeavesFollowPerseus) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const Identities ids = sandboxIdentities();
  EXPECT_EQ(ids.demo_application, "https://directory.core.trust.ib1.org/a/demo-accounting");
  EXPECT_EQ(ids.client_role,
            "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider");

  const struct {
    const LeafFiles* files;
    std::string application;
    std::string member;
    std::string role;
    const HierarchyFiles* ca;
  } ib1_leaves[] = {
      {&l.client_demo, ids.demo_application, ids.demo_member, ids.client_role, &l.client},
      {&l.client_other, ids.other_application, ids.other_member, ids.client_role, &l.client},
      {&l.signing_provider, ids.provider_application, ids.provider_member, ids.provider_role,
       &l.signing},
  };
  for (const auto& c : ib1_leaves) {
    const x509::Certificate leaf = cert(c.files->cert);
    const x509::Certificate issuer = cert(c.ca->issuer);
    EXPECT_EQ(leaf.subjectAttribute("CN"), c.application);
    EXPECT_EQ(*leaf.applicationUri(), c.application);
    EXPECT_EQ(*leaf.ib1Roles(), std::vector<std::string>{c.role});
    EXPECT_EQ(**leaf.ib1Member(), c.member);
    EXPECT_FALSE(leaf.isCa());
    EXPECT_EQ(leaf.publicKey()->type(), crypto::KeyType::kEcP256);
    EXPECT_TRUE(leaf.extendedKeyUsages().empty());  // no EKU on client and signing leaves
    EXPECT_FALSE(extension(leaf, kBasicConstraints).present);
    const Ext ku = extension(leaf, kKeyUsage);
    EXPECT_TRUE(ku.critical);
    EXPECT_EQ(ku.der, (Bytes{0x03, 0x02, 0x07, 0x80}));  // digitalSignature only
    EXPECT_EQ(extension(leaf, kSki).der, concat({0x04, 0x14}, keyId(leaf)));
    EXPECT_EQ(extension(leaf, kAki).der, concat({0x30, 0x16, 0x80, 0x14}, keyId(issuer)));
    const Ext san = extension(leaf, kSan);
    EXPECT_FALSE(san.critical);
    ASSERT_LT(c.application.size(), 126u);
    EXPECT_EQ(san.der, concat({0x30, static_cast<std::uint8_t>(c.application.size() + 2), 0x86,
                               static_cast<std::uint8_t>(c.application.size())},
                              c.application));
    const Ext roles = extension(leaf, kRoles);
    EXPECT_FALSE(roles.critical);
    EXPECT_EQ(roles.der, concat({0x30, static_cast<std::uint8_t>(c.role.size() + 2), 0x0c,
                                 static_cast<std::uint8_t>(c.role.size())},
                                c.role));
    const Ext member = extension(leaf, kMember);
    EXPECT_FALSE(member.critical);
    EXPECT_EQ(member.der, concat({0x0c, static_cast<std::uint8_t>(c.member.size())}, c.member));
    auto key = crypto::PKey::fromPem(readText(c.files->key));
    ASSERT_TRUE(key);
    EXPECT_TRUE(leaf.matchesKey(*key));
    EXPECT_EQ(bundle(c.files->bundle), (std::vector<x509::Certificate>{leaf, issuer}));
  }

  const x509::Certificate server = cert(l.server_leaf.cert);
  EXPECT_EQ(server.subjectAttribute("CN"), "localhost");
  EXPECT_EQ(server.sanDns(), std::vector<std::string>{"localhost"});
  EXPECT_EQ(server.sanIps(), std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(server.sanUris().empty());
  EXPECT_EQ(server.extendedKeyUsages(), std::vector<std::string>{"serverAuth"});
  const Ext eku = extension(server, kEku);
  EXPECT_FALSE(eku.critical);
  EXPECT_EQ(eku.der, (Bytes{0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03,
                            0x01}));  // id-kp-serverAuth
  EXPECT_EQ(extension(server, kSan).der,
            concat({0x30, 0x11, 0x82, 0x09},
                   std::string("localhost") + "\x87\x04\x7f" + std::string("\0\0\x01", 3)));
  EXPECT_EQ(extension(server, kKeyUsage).der, (Bytes{0x03, 0x02, 0x07, 0x80}));
  EXPECT_FALSE(extension(server, kRoles).present);
  EXPECT_EQ(bundle(l.server_leaf.bundle),
            (std::vector<x509::Certificate>{server, cert(l.server.issuer), cert(l.server.ca)}));

  auto token_key = crypto::PKey::fromPem(readText(l.token_signing_key));
  ASSERT_TRUE(token_key);
  EXPECT_TRUE(token_key->hasPrivate());
  EXPECT_EQ(token_key->type(), crypto::KeyType::kEcP256);
}

TEST(PkiInit, ChainsVerifyWithPurposeAndCrls) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const auto verify = [&](const LeafFiles& leaf, const HierarchyFiles& h, x509::Purpose purpose) {
    auto trust = x509::TrustStore::fromPem(readText(h.verify_bundle), readText(h.crl));
    EXPECT_TRUE(trust);
    const auto chain = bundle(leaf.bundle);
    return x509::verifyChain(
        chain[0], std::span(chain).subspan(1), *trust,
        x509::VerifyOptions{.at_time = kNow + 60, .check_crl = true, .purpose = purpose});
  };
  EXPECT_TRUE(verify(l.client_demo, l.client, x509::Purpose::kClientAuth));
  EXPECT_TRUE(verify(l.client_other, l.client, x509::Purpose::kClientAuth));
  EXPECT_TRUE(verify(l.server_leaf, l.server, x509::Purpose::kServerAuth));
  EXPECT_TRUE(verify(l.signing_provider, l.signing, x509::Purpose::kClientAuth));
  EXPECT_FALSE(verify(l.server_leaf, l.server, x509::Purpose::kClientAuth));
  EXPECT_EQ(verify(l.client_demo, l.server, x509::Purpose::kClientAuth).error().code,
            Errc::kUntrustedCertificate);
}

TEST(PkiInit, SecondRunKeepsEverything) {
  TempDir dir;
  initIn(dir);
  const auto before = snapshot(dir.path());
  const InitResult again = initIn(dir, false, kNow + 3600);
  EXPECT_TRUE(again.created.empty());
  EXPECT_EQ(again.kept.size(), 35u);
  EXPECT_EQ(snapshot(dir.path()), before);
}

TEST(PkiInit, ForceMakesEverythingAnew) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const std::string old_root = readText(l.client.ca);
  const std::string old_key = readText(l.token_signing_key);
  const InitResult again = initIn(dir, true, kNow + 10);
  EXPECT_EQ(again.created.size(), 35u);
  EXPECT_NE(readText(l.client.ca), old_root);
  EXPECT_NE(readText(l.token_signing_key), old_key);
  EXPECT_EQ(mode(l.token_signing_key), 0600u);
}

TEST(PkiInit, MissingLeafIsIssuedByTheExistingIssuer) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const std::string issuer = readText(l.client.issuer);
  for (const auto* p : {&l.client_demo.cert, &l.client_demo.key, &l.client_demo.bundle}) {
    std::filesystem::remove(*p);
  }
  const InitResult again = initIn(dir, false, kNow + 100 * kDay);
  EXPECT_EQ(again.created.size(), 3u);
  EXPECT_EQ(readText(l.client.issuer), issuer);
  const x509::Certificate leaf = cert(l.client_demo.cert);
  // 365 days would outlive the issuer made 100 days earlier: the leaf ends with its issuer.
  EXPECT_EQ(leaf.notAfter(), cert(l.client.issuer).notAfter());
}

TEST(PkiInit, InconsistentDirectoryIsRefusedAndNothingWritten) {
  TempDir dir;
  const Layout l = initIn(dir).layout;

  // A certificate without its key.
  std::filesystem::remove(l.client_demo.key);
  auto before = snapshot(dir.path());
  auto r = init(InitOptions{.dir = dir.path(), .now = kNow});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kConflict);
  EXPECT_NE(r.error().detail.find("client-demo-cert.pem exists without client-demo-key.pem"),
            std::string::npos)
      << r.error().detail;
  EXPECT_EQ(snapshot(dir.path()), before);

  // A key that is not the certificate's.
  std::filesystem::copy_file(l.client_other.key, l.client_demo.key);
  before = snapshot(dir.path());
  r = init(InitOptions{.dir = dir.path(), .now = kNow});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("client-demo-key.pem does not match client-demo-cert.pem"),
            std::string::npos)
      << r.error().detail;
  EXPECT_EQ(snapshot(dir.path()), before);

  // A new issuer (the old one removed) would leave the existing bundles stale.
  TempDir fresh;
  const Layout f = initIn(fresh).layout;
  std::filesystem::remove(f.server.issuer);
  std::filesystem::remove(f.server.issuer_key);
  before = snapshot(fresh.path());
  r = init(InitOptions{.dir = fresh.path(), .now = kNow});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kConflict);
  EXPECT_EQ(snapshot(fresh.path()), before);
  // --force repairs it.
  EXPECT_TRUE(init(InitOptions{.dir = fresh.path(), .force = true, .now = kNow}));
  EXPECT_TRUE(init(InitOptions{.dir = dir.path(), .force = true, .now = kNow}));
}

TEST(PkiInit, BadOptions) {
  TempDir dir;
  EXPECT_EQ(init(InitOptions{.dir = dir.path()}).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(init(InitOptions{.dir = dir.path(), .country = "gb", .now = kNow}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(init(InitOptions{.dir = dir.path(), .framework = "", .now = kNow}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(init(InitOptions{.dir = dir.path(), .now = kNow, .registry = "http://r.example"})
                .error()
                .code,
            Errc::kInvalidArgument);
  EXPECT_TRUE(snapshot(dir.path()).empty());
  writeText(dir.path() / "file", "x");
  EXPECT_EQ(init(InitOptions{.dir = dir.path() / "file", .now = kNow}).error().code, Errc::kIo);
}

TEST(PkiInit, IsFast) {
  // What other modules' tests pay for a PKI: keys are EC only, and without fsync the files cost
  // next to nothing. CPU time, not wall time, so that a loaded machine does not fail the test;
  // the bound only catches an accidental RSA key or the like.
  for (const bool durable : {false, true}) {
    TempDir dir;
    const std::clock_t cpu_start = std::clock();
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(init(InitOptions{.dir = dir.path(), .durable = durable, .now = kNow}));
    const auto wall_us = std::chrono::duration_cast<std::chrono::microseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    const double cpu_ms = 1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::printf("pki::init (durable=%d): %.1f ms CPU, %lld us wall\n", durable ? 1 : 0, cpu_ms,
                static_cast<long long>(wall_us));
    EXPECT_LT(cpu_ms, 250.0);
  }
}

LeafOptions clientOptions() {
  const Identities ids = sandboxIdentities();
  return LeafOptions{.hierarchy = Hierarchy::kClient,
                     .application = "https://directory.core.trust.ib1.org/a/third",
                     .member = "https://directory.core.trust.ib1.org/m/third",
                     .roles = {ids.client_role},
                     .now = kNow + 60};
}

TEST(PkiIssue, IssuesAndWritesALeaf) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  LeafOptions o = clientOptions();
  o.roles.push_back(roleUrl(kDefaultRegistry, kRoleFinancialServiceProvider));
  o.organization = "Third Ltd";
  auto leaf = issueLeaf(l, o);
  ASSERT_TRUE(leaf) << leaf.error().detail;
  EXPECT_EQ(leaf->cert.subjectDn(),
            "CN=https://directory.core.trust.ib1.org/a/third,O=Third Ltd,ST=London,C=GB");
  EXPECT_EQ(*leaf->cert.ib1Roles(), o.roles);
  const LeafFiles files = l.leaf(Hierarchy::kClient, "third");
  EXPECT_EQ(files.cert.filename(), "client-third-cert.pem");
  ASSERT_TRUE(writeLeaf(*leaf, files, Overwrite::kNo));
  EXPECT_EQ(mode(files.key), 0600u);
  EXPECT_EQ(bundle(files.bundle).size(), 2u);
  // Never overwritten without being asked, and nothing is written then.
  const auto before = snapshot(dir.path());
  auto second = issueLeaf(l, o);
  ASSERT_TRUE(second);
  EXPECT_EQ(writeLeaf(*second, files, Overwrite::kNo).error().code, Errc::kConflict);
  EXPECT_EQ(snapshot(dir.path()), before);
  EXPECT_TRUE(writeLeaf(*second, files, Overwrite::kYes));
  EXPECT_EQ(cert(files.cert), second->cert);
}

TEST(PkiIssue, ServerLeaf) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  auto leaf = issueLeaf(l, LeafOptions{.hierarchy = Hierarchy::kServer,
                                       .dns = {"api.example.test", "*.example.test"},
                                       .ips = {"::1"},
                                       .days = 30,
                                       .now = kNow});
  ASSERT_TRUE(leaf) << leaf.error().detail;
  EXPECT_EQ(leaf->cert.sanDns(), (std::vector<std::string>{"api.example.test", "*.example.test"}));
  EXPECT_EQ(leaf->cert.sanIps(), std::vector<std::string>{"::1"});
  EXPECT_EQ(leaf->cert.notAfter(), kNow + 30 * kDay);
  EXPECT_EQ(leaf->bundle.size(), 3u);
}

TEST(PkiIssue, RefusesBadInput) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const auto code = [&](LeafOptions o) {
    auto r = issueLeaf(l, o);
    return r ? Errc::kInternal : r.error().code;
  };
  LeafOptions o = clientOptions();
  o.application = "http://directory.core.trust.ib1.org/a/third";
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.application = "https://a b/";
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.application = "https://user@host/a";
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.roles = {"carbon-accounting-provider"};
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o.roles = {"https://registry.core.trust.ib1.org/role/carbon-accounting-provider"};
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o.roles = {"https://registry.core.trust.ib1.org/scheme/perseus/role/Carbon"};
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o.roles = {};
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.member = "";
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.dns = {"localhost"};
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  o = clientOptions();
  o.days = 400;  // beyond the issuer
  EXPECT_EQ(code(o), Errc::kInvalidArgument);
  EXPECT_EQ(code(LeafOptions{.hierarchy = Hierarchy::kServer, .now = kNow}),
            Errc::kInvalidArgument);
  EXPECT_EQ(code(LeafOptions{.hierarchy = Hierarchy::kServer, .ips = {"1.2.3"}, .now = kNow}),
            Errc::kInvalidArgument);
  EXPECT_EQ(code(LeafOptions{.hierarchy = Hierarchy::kServer, .dns = {"a..b"}, .now = kNow}),
            Errc::kInvalidArgument);
  // The SAN URI with a comma really is one URI (extensions are built from structures).
  o = clientOptions();
  o.application = "https://directory.core.trust.ib1.org/a/x,URI:https://evil.example/";
  auto comma = issueLeaf(l, o);
  ASSERT_TRUE(comma);
  EXPECT_EQ(comma->cert.sanUris(), std::vector<std::string>{o.application});
}

TEST(PkiIssue, IssuerKeyMustMatch) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  writeText(l.client.issuer_key, readText(l.client_demo.key));
  auto r = issueLeaf(l, clientOptions());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("client-issuer-key.pem does not match client-issuer.pem"),
            std::string::npos)
      << r.error().detail;
  TempDir empty;
  auto none = issueLeaf(Layout::in(empty.path()), clientOptions());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::kIo);
}

TEST(PkiRevoke, RevokesAndWritesTheCrl) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  const x509::Certificate other = cert(l.client_other.cert);
  auto r = revoke(l, other, kNow + 100);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->hierarchy, Hierarchy::kClient);
  EXPECT_FALSE(r->already_revoked);
  EXPECT_EQ(r->crl, l.client.crl);
  const std::string list = readText(l.client.revoked);
  EXPECT_NE(list.find("issuer " + other.serialDecimal() + " " + std::to_string(kNow + 100) + " " +
                      other.thumbprint()),
            std::string::npos)
      << list;

  auto trust = x509::TrustStore::fromPem(readText(l.client.verify_bundle), readText(l.client.crl));
  ASSERT_TRUE(trust);
  const x509::VerifyOptions options{.at_time = kNow + 200, .check_crl = true};
  EXPECT_EQ(x509::verifyChain(other, {}, *trust, options).error().code, Errc::kRevoked);
  EXPECT_TRUE(x509::verifyChain(cert(l.client_demo.cert), {}, *trust, options));

  auto again = revoke(l, other, kNow + 300);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->already_revoked);
  EXPECT_EQ(readText(l.client.revoked), list);

  // The list survives a CRL refresh and a second init.
  ASSERT_TRUE(writeCrls(l, kNow + 400));
  initIn(dir, false, kNow + 500);
  auto refreshed =
      x509::TrustStore::fromPem(readText(l.client.verify_bundle), readText(l.client.crl));
  ASSERT_TRUE(refreshed);
  EXPECT_EQ(x509::verifyChain(other, {}, *refreshed, options).error().code, Errc::kRevoked);
}

TEST(PkiRevoke, RevokingAnIssuerGoesToTheRootCrl) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  auto r = revoke(l, cert(l.signing.issuer), kNow + 10);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->hierarchy, Hierarchy::kSigning);
  EXPECT_NE(readText(l.signing.revoked).find("\nroot "), std::string::npos);
  auto trust =
      x509::TrustStore::fromPem(readText(l.signing.verify_bundle), readText(l.signing.crl));
  ASSERT_TRUE(trust);
  EXPECT_EQ(x509::verifyChain(cert(l.signing_provider.cert), {}, *trust,
                              x509::VerifyOptions{.at_time = kNow + 20, .check_crl = true})
                .error()
                .code,
            Errc::kRevoked);
}

TEST(PkiRevoke, Refusals) {
  TempDir dir;
  const Layout l = initIn(dir).layout;
  EXPECT_EQ(revoke(l, cert(l.client.ca), kNow).error().code, Errc::kInvalidArgument);
  TempDir other_dir;
  const Layout foreign = initIn(other_dir).layout;
  const auto before = snapshot(dir.path());
  EXPECT_EQ(revoke(l, cert(foreign.client_demo.cert), kNow).error().code, Errc::kNotFound);
  EXPECT_EQ(snapshot(dir.path()), before);
  writeText(l.client.revoked, "issuer 12x 5 abc\n");
  EXPECT_EQ(revoke(l, cert(l.client_demo.cert), kNow).error().code, Errc::kMalformed);
}

TEST(PkiAuthority, ProfilesAreEnforced) {
  auto key = crypto::PKey::generate(crypto::KeyType::kEcP256);
  ASSERT_TRUE(key);
  CertificateRequest root{.profile = Profile::kRoot,
                          .subject = {.common_name = "R"},
                          .not_before = kNow,
                          .not_after = kNow + kDay};
  auto root_cert = makeCertificate(root, *key, nullptr);
  ASSERT_TRUE(root_cert) << root_cert.error().detail;
  const CaMaterial ca{*root_cert, *key};
  CertificateRequest leaf{.profile = Profile::kClientLeaf,
                          .subject = {.common_name = "https://a.example/x"},
                          .not_before = kNow,
                          .not_after = kNow + kDay,
                          .san_uris = {"https://a.example/x"},
                          .ib1_roles = {"https://r.example/scheme/s/role/r"},
                          .ib1_member = "https://d.example/m/1"};
  EXPECT_TRUE(makeCertificate(leaf, *key, &ca));
  CertificateRequest bad = leaf;
  bad.subject.common_name = "other";
  EXPECT_EQ(makeCertificate(bad, *key, &ca).error().code, Errc::kInvalidArgument);
  bad = leaf;
  bad.san_uris.push_back("https://b.example/");
  EXPECT_FALSE(makeCertificate(bad, *key, &ca));
  bad = leaf;
  bad.ib1_roles.clear();
  EXPECT_FALSE(makeCertificate(bad, *key, &ca));
  EXPECT_FALSE(makeCertificate(leaf, *key, nullptr));  // only roots are self-signed
  CertificateRequest long_cn = leaf;
  long_cn.subject.common_name = "https://directory.core.trust.ib1.org/a/" + std::string(80, 'x');
  long_cn.san_uris = {long_cn.subject.common_name};
  auto long_cert = makeCertificate(long_cn, *key, &ca);
  ASSERT_TRUE(long_cert) << long_cert.error().detail;  // CN beyond ub-common-name (64) is kept
  EXPECT_EQ(long_cert->subjectAttribute("CN"), long_cn.subject.common_name);
}

}  // namespace
}  // namespace gridgate::pki
