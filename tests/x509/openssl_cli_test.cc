// Cross-checks against a tool that is not ours: certificates with the IB1 extensions made by the
// `openssl` CLI from `-extfile` config syntax (ASN1:SEQUENCE:roles) are read by gridgate, the
// extension bytes equal gridgate's own encoder output, and a CRL made by `openssl ca` revokes.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/base64.h"
#include "crypto/ossl.h"
#include "x509/certificate.h"
#include "x509/ib1.h"
#include "x509/trust_store.h"

namespace gridgate::x509 {
namespace {

namespace fs = std::filesystem;

const std::string kCarbon =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";
const std::string kFinance =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/financial-service-provider";
const std::string kMember = "https://directory.core.trust.ib1.org/m/demo-member";
const std::string kApp = "https://directory.core.trust.ib1.org/a/demo-accounting";

struct CommandResult {
  int status;
  std::string output;
};

CommandResult runCommand(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {-1, {}};
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  return {pclose(p), out};
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `openssl req -subj` separates RDNs with '/', so a '/' inside a value is written "\/".
std::string slashEscaped(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '/') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

void writeFile(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

class OpensslCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "gridgate-x509-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    // Root CA (P-384) and an openssl-ca database so that `openssl ca` can revoke and make CRLs.
    writeFile(dir_ / "ca.cnf",
              "[ca]\ndefault_ca = test_ca\n"
              "[test_ca]\ndir = " +
                  dir_.string() +
                  "\n"
                  "database = $dir/index.txt\ncrlnumber = $dir/crlnumber\n"
                  "certificate = $dir/root.pem\nprivate_key = $dir/root.key\n"
                  "default_md = sha384\ndefault_crl_days = 7\n"
                  "crl_extensions = crl_ext\n"
                  "[crl_ext]\nauthorityKeyIdentifier = keyid:always\n"
                  "[req]\ndistinguished_name = dn\n[dn]\n"
                  "[v3_ca]\nbasicConstraints = critical,CA:TRUE\n"
                  "keyUsage = critical,digitalSignature,keyCertSign,cRLSign\n"
                  "subjectKeyIdentifier = hash\n");
    writeFile(dir_ / "index.txt", "");
    writeFile(dir_ / "crlnumber", "01\n");
    // The leaf's extensions, in the config syntax the Perseus demo's scripts use.
    writeFile(dir_ / "leaf.ext",
              "basicConstraints = CA:FALSE\n"
              "keyUsage = critical,digitalSignature\n"
              "subjectKeyIdentifier = hash\n"
              "authorityKeyIdentifier = keyid:always\n"
              "subjectAltName = URI:" +
                  kApp +
                  "\n"
                  "1.3.6.1.4.1.62329.1.1 = ASN1:SEQUENCE:roles\n"
                  "1.3.6.1.4.1.62329.1.3 = ASN1:UTF8String:" +
                  kMember +
                  "\n"
                  "[roles]\nrole.0 = UTF8String:" +
                  kCarbon + "\nrole.1 = UTF8String:" + kFinance + "\n");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout root.key "
        "-out root.pem -days 30 -subj '/C=GB/O=Test Trust Framework/CN=Test Client CA' "
        "-config ca.cnf -extensions v3_ca");
    run("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key "
        "-out leaf.csr -subj '/C=GB/O=Demo/CN=" +
        slashEscaped(kApp) + "' -config ca.cnf");
    run("openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 10 "
        "-sha256 -extfile leaf.ext -out leaf.pem");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void run(const std::string& cmd) {
    auto r = runCommand("cd '" + dir_.string() + "' && " + cmd);
    ASSERT_EQ(r.status, 0) << cmd << "\n" << r.output;
  }

  fs::path dir_;
};

TEST_F(OpensslCli, ReadsIb1ExtensionsMadeByTheOpensslCli) {
  auto leaf = Certificate::fromPem(readFile(dir_ / "leaf.pem"));
  ASSERT_TRUE(leaf) << leaf.error().detail;
  auto roles = leaf->ib1Roles();
  ASSERT_TRUE(roles) << roles.error().detail;
  EXPECT_EQ(*roles, (std::vector<std::string>{kCarbon, kFinance}));
  auto member = leaf->ib1Member();
  ASSERT_TRUE(member && member->has_value());
  EXPECT_EQ(**member, kMember);
  auto app = leaf->applicationUri();
  ASSERT_TRUE(app);
  EXPECT_EQ(*app, kApp);
  EXPECT_EQ(leaf->subjectAttribute("CN"), kApp);
  EXPECT_EQ(leaf->subjectDn(), "CN=" + kApp + ",O=Demo,C=GB");

  // openssl's view of the same fields.
  auto subject = runCommand("openssl x509 -noout -subject -nameopt RFC2253 -in '" +
                            (dir_ / "leaf.pem").string() + "'");
  EXPECT_EQ(subject.output, "subject=" + leaf->subjectDn() + "\n");
  auto fingerprint = runCommand("openssl x509 -noout -outform DER -in '" +
                                (dir_ / "leaf.pem").string() + "' -fingerprint -sha256");
  std::string hex;
  for (char c : fingerprint.output.substr(fingerprint.output.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  auto ours = base64urlDecode(leaf->thumbprint());
  ASSERT_TRUE(ours);
  EXPECT_EQ(hexEncode(*ours), hex);
}

TEST_F(OpensslCli, ExtensionBytesEqualOurEncoder) {
  auto leaf = Certificate::fromPem(readFile(dir_ / "leaf.pem"));
  ASSERT_TRUE(leaf);
  const auto extensionDer = [&](const char* oid) {
    ASN1_OBJECT* obj = OBJ_txt2obj(oid, 1);
    const int idx = X509_get_ext_by_OBJ(leaf->raw(), obj, -1);
    ASN1_OBJECT_free(obj);
    EXPECT_GE(idx, 0);
    const ASN1_OCTET_STRING* data = X509_EXTENSION_get_data(X509_get_ext(leaf->raw(), idx));
    const unsigned char* p = ASN1_STRING_get0_data(data);
    return Bytes(p, p + ASN1_STRING_length(data));
  };
  const std::vector<std::string> roles = {kCarbon, kFinance};
  EXPECT_EQ(extensionDer("1.3.6.1.4.1.62329.1.1"), *encodeIb1Roles(roles));
  EXPECT_EQ(extensionDer("1.3.6.1.4.1.62329.1.3"), *encodeIb1Member(kMember));

  // And `openssl asn1parse` reads our encoding as SEQUENCE OF UTF8STRING.
  writeFile(dir_ / "roles.der", toString(*encodeIb1Roles(roles)));
  auto parsed =
      runCommand("openssl asn1parse -inform DER -in '" + (dir_ / "roles.der").string() + "'");
  EXPECT_NE(parsed.output.find("cons: SEQUENCE"), std::string::npos) << parsed.output;
  EXPECT_NE(parsed.output.find("prim: UTF8STRING        :" + kCarbon), std::string::npos)
      << parsed.output;
  EXPECT_NE(parsed.output.find("prim: UTF8STRING        :" + kFinance), std::string::npos)
      << parsed.output;
}

TEST_F(OpensslCli, ChainAndCrlMadeByOpensslCa) {
  auto root = Certificate::fromPem(readFile(dir_ / "root.pem"));
  auto leaf = Certificate::fromPem(readFile(dir_ / "leaf.pem"));
  ASSERT_TRUE(root && leaf);
  const std::int64_t now = std::time(nullptr);
  auto trust = TrustStore::fromPem(root->toPem());
  ASSERT_TRUE(trust) << trust.error().detail;
  auto st = verifyChain(*leaf, {}, *trust, VerifyOptions{.at_time = now});
  EXPECT_TRUE(st) << st.error().detail;
  EXPECT_EQ(verifyChain(*leaf, {}, *trust, VerifyOptions{.at_time = now + 20 * 86400}).error().code,
            Errc::kExpired);

  run("openssl ca -config ca.cnf -gencrl -out empty.crl");
  run("openssl ca -config ca.cnf -revoke leaf.pem");
  run("openssl ca -config ca.cnf -gencrl -out revoked.crl");
  // The CRLs' lastUpdate is the second openssl ran in, which may be after `now`: a CRL checked
  // before its lastUpdate is "not yet valid" (untrusted), so the CRL checks use a later time.
  const std::int64_t afterCrls = std::time(nullptr);
  auto clean = TrustStore::fromPem(root->toPem(), readFile(dir_ / "empty.crl"));
  ASSERT_TRUE(clean) << clean.error().detail;
  st = verifyChain(*leaf, {}, *clean, VerifyOptions{.at_time = afterCrls, .check_crl = true});
  EXPECT_TRUE(st) << st.error().detail;
  auto revoked = TrustStore::fromPem(root->toPem(), readFile(dir_ / "revoked.crl"));
  ASSERT_TRUE(revoked) << revoked.error().detail;
  st = verifyChain(*leaf, {}, *revoked, VerifyOptions{.at_time = afterCrls, .check_crl = true});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kRevoked) << st.error().detail;
}

}  // namespace
}  // namespace gridgate::x509
