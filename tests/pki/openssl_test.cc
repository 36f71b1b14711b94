// The openssl CLI, a tool that is not ours, accepts every chain gridgate pki makes, shows the
// extensions, and honours the CRLs.
#include <gtest/gtest.h>

#include <ctime>

#include "pki/pki.h"
#include "pki/support.h"

namespace gridgate::pki {
namespace {

using testing::CommandResult;
using testing::quote;
using testing::runCommand;
using testing::TempDir;

class OpensslAccepts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = init(InitOptions{.dir = dir_.path(), .now = std::time(nullptr)});
    ASSERT_TRUE(r) << r.error().detail;
    l_ = r->layout;
  }

  CommandResult openssl(const std::string& args) {
    return runCommand("cd " + quote(dir_.path()) + " && openssl " + args);
  }

  void expectVerified(const std::string& args, const std::string& file) {
    const CommandResult r = openssl("verify -x509_strict " + args + " " + file);
    EXPECT_EQ(r.exit_code, 0) << args << " " << file << "\n" << r.output;
    EXPECT_EQ(r.output, file + ": OK\n");
  }

  TempDir dir_;
  Layout l_;
};

TEST_F(OpensslAccepts, EveryChain) {
  expectVerified("-CAfile client-ca.pem -untrusted client-issuer.pem -purpose sslclient",
                 "client-demo-cert.pem");
  expectVerified("-CAfile client-ca.pem -untrusted client-demo-bundle.pem -purpose sslclient",
                 "client-demo-cert.pem");
  expectVerified("-CAfile client-ca.pem -untrusted client-issuer.pem -purpose sslclient",
                 "client-other-cert.pem");
  expectVerified("-CAfile server-ca.pem -untrusted server-issuer.pem -purpose sslserver",
                 "server-cert.pem");
  expectVerified("-CAfile server-ca.pem -untrusted server-bundle.pem -purpose sslserver",
                 "server-cert.pem");
  expectVerified("-CAfile signing-ca.pem -untrusted signing-issuer.pem -purpose sslclient",
                 "signing-provider-cert.pem");
  expectVerified("-CAfile client-ca.pem", "client-issuer.pem");
  // With CRL checking over the whole chain (issuer and root CRLs).
  expectVerified(
      "-crl_check_all -CRLfile client-crl.pem -CAfile client-ca.pem -untrusted "
      "client-issuer.pem",
      "client-demo-cert.pem");
  // A control that must fail: a client certificate against the server hierarchy.
  const CommandResult wrong =
      openssl("verify -CAfile server-ca.pem -untrusted server-issuer.pem client-demo-cert.pem");
  EXPECT_NE(wrong.exit_code, 0) << wrong.output;
}

TEST_F(OpensslAccepts, ShowsTheExtensions) {
  const CommandResult root = openssl("x509 -noout -text -in client-ca.pem");
  EXPECT_NE(root.output.find("X509v3 Basic Constraints: critical\n                CA:TRUE\n"),
            std::string::npos)
      << root.output;
  EXPECT_NE(root.output.find("X509v3 Key Usage: critical\n                Digital Signature, "
                             "Certificate Sign, CRL Sign"),
            std::string::npos);
  EXPECT_NE(root.output.find("NIST CURVE: P-384"), std::string::npos);
  EXPECT_NE(root.output.find("X509v3 Authority Key Identifier"), std::string::npos);

  const CommandResult issuer = openssl("x509 -noout -text -in server-issuer.pem");
  EXPECT_NE(issuer.output.find("CA:TRUE, pathlen:0"), std::string::npos) << issuer.output;
  EXPECT_NE(issuer.output.find("NIST CURVE: P-256"), std::string::npos);

  const CommandResult server = openssl("x509 -noout -text -in server-cert.pem");
  EXPECT_NE(server.output.find("DNS:localhost, IP Address:127.0.0.1"), std::string::npos)
      << server.output;
  EXPECT_NE(server.output.find("TLS Web Server Authentication"), std::string::npos);

  const CommandResult client = openssl("x509 -noout -text -in client-demo-cert.pem");
  const Identities ids = sandboxIdentities();
  EXPECT_NE(client.output.find("URI:" + ids.demo_application), std::string::npos) << client.output;
  EXPECT_NE(client.output.find("1.3.6.1.4.1.62329.1.1:"), std::string::npos);
  EXPECT_NE(client.output.find("1.3.6.1.4.1.62329.1.3:"), std::string::npos);
  EXPECT_EQ(client.output.find("Extended Key Usage"), std::string::npos);
  EXPECT_NE(client.output.find("Subject: C = GB, ST = London, O = Demo Carbon Accounting, CN = " +
                               ids.demo_application),
            std::string::npos);
}

// `openssl asn1parse -strparse` into each IB1 extension value shows its inner types.
TEST_F(OpensslAccepts, Asn1parseReadsTheIb1Extensions) {
  const CommandResult outer = openssl("asn1parse -in signing-provider-cert.pem");
  ASSERT_EQ(outer.exit_code, 0);
  const auto valueOffset = [&](const std::string& oid) -> std::string {
    const std::size_t at = outer.output.find(":" + oid);
    if (at == std::string::npos) return {};
    const std::size_t next_line = outer.output.find('\n', at) + 1;
    const std::string line =
        outer.output.substr(next_line, outer.output.find('\n', next_line) - next_line);
    if (line.find("OCTET STRING") == std::string::npos) return {};
    return line.substr(line.find_first_not_of(' '), line.find(':') - line.find_first_not_of(' '));
  };
  const std::string roles_at = valueOffset("1.3.6.1.4.1.62329.1.1");
  const std::string member_at = valueOffset("1.3.6.1.4.1.62329.1.3");
  ASSERT_FALSE(roles_at.empty()) << outer.output;
  ASSERT_FALSE(member_at.empty()) << outer.output;
  const Identities ids = sandboxIdentities();
  const CommandResult roles =
      openssl("asn1parse -in signing-provider-cert.pem -strparse " + roles_at);
  EXPECT_NE(roles.output.find("cons: SEQUENCE"), std::string::npos) << roles.output;
  EXPECT_NE(roles.output.find("prim: UTF8STRING        :" + ids.provider_role), std::string::npos)
      << roles.output;
  const CommandResult member =
      openssl("asn1parse -in signing-provider-cert.pem -strparse " + member_at);
  EXPECT_NE(member.output.find("prim: UTF8STRING        :" + ids.provider_member),
            std::string::npos)
      << member.output;
}

TEST_F(OpensslAccepts, RevocationShowsInTheCrl) {
  auto other = x509::Certificate::fromPem(testing::readText(l_.client_other.cert));
  ASSERT_TRUE(other);
  ASSERT_TRUE(revoke(l_, *other, std::time(nullptr)));
  const CommandResult serial = openssl("x509 -noout -serial -in client-other-cert.pem");
  ASSERT_TRUE(serial.output.starts_with("serial="));
  const std::string hex = serial.output.substr(7, serial.output.size() - 8);
  const CommandResult crl = openssl("crl -noout -text -in client-crl.pem");
  EXPECT_NE(crl.output.find("Serial Number: " + hex), std::string::npos) << hex << crl.output;
  EXPECT_NE(crl.output.find("X509v3 CRL Number"), std::string::npos);
  const CommandResult revoked = openssl(
      "verify -crl_check_all -CRLfile client-crl.pem -CAfile client-ca.pem -untrusted "
      "client-issuer.pem client-other-cert.pem");
  EXPECT_NE(revoked.exit_code, 0);
  EXPECT_NE(revoked.output.find("certificate revoked"), std::string::npos) << revoked.output;
  expectVerified(
      "-crl_check_all -CRLfile client-crl.pem -CAfile client-ca.pem -untrusted "
      "client-issuer.pem",
      "client-demo-cert.pem");
}

}  // namespace
}  // namespace gridgate::pki
