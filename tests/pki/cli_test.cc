// `gridgate pki` as a user runs it: the binary, its output, exit codes and files.
#include <gtest/gtest.h>

#include "core/json.h"
#include "pki/layout.h"
#include "pki/pki.h"
#include "pki/support.h"

namespace gridgate::pki {
namespace {

using testing::CommandResult;
using testing::quote;
using testing::readText;
using testing::runCommand;
using testing::snapshot;
using testing::TempDir;
using testing::writeText;

const std::string kGridgate = std::string(GRIDGATE_BINARY_DIR) + "/src/cli/gridgate";

class PkiCli : public ::testing::Test {
 protected:
  CommandResult run(const std::string& args) {
    return runCommand("cd " + quote(dir_.path()) + " && " + kGridgate + " pki " + args,
                      (err_dir_.path() / "stderr").string());
  }
  std::string stderrText() { return readText(err_dir_.path() / "stderr"); }

  void initPki() {
    const CommandResult r = run("init --dir .");
    ASSERT_EQ(r.exit_code, 0) << r.output << stderrText();
  }

  // A failing command: non-zero exit, exactly one line on stderr that says `expected`, and no
  // file of the directory changed.
  void expectCleanFailure(const std::string& args, const std::string& expected) {
    const auto before = snapshot(dir_.path());
    const CommandResult r = run(args);
    const std::string err = stderrText();
    EXPECT_NE(r.exit_code, 0) << args;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << args << "\n" << err;
    EXPECT_TRUE(err.starts_with("gridgate pki ")) << err;
    EXPECT_NE(err.find(expected), std::string::npos) << args << "\n" << err;
    EXPECT_EQ(snapshot(dir_.path()), before) << args;
  }

  TempDir dir_;
  TempDir err_dir_;
};

const std::string kRole =
    "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider";
const std::string kIssueThird =
    "issue client --dir . --application https://directory.core.trust.ib1.org/a/third "
    "--member https://directory.core.trust.ib1.org/m/third --role " +
    kRole;

TEST_F(PkiCli, InitShowsProgressAndIsHarmlessTwice) {
  CommandResult r = run("init --dir . --framework Perseus");
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  EXPECT_NE(r.output.find("[ 1/12] client root CA (EC P-384, 9132 days)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("[12/12] writing files"), std::string::npos);
  EXPECT_NE(r.output.find("35 files created, 0 kept"), std::string::npos) << r.output;
  const auto before = snapshot(dir_.path());
  r = run("init --dir . --framework Perseus");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("0 files created, 35 kept"), std::string::npos) << r.output;
  EXPECT_EQ(snapshot(dir_.path()), before);
  r = run("inspect client-ca.pem");
  EXPECT_NE(r.output.find("CN=Perseus Trust Framework Client CA,O=Perseus Trust Framework"),
            std::string::npos)
      << r.output;
  r = run("init --dir . --framework Perseus --force");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("35 files created"), std::string::npos);
  EXPECT_NE(snapshot(dir_.path()), before);
}

TEST_F(PkiCli, IssueInspectVerify) {
  initPki();
  CommandResult r = run(kIssueThird + " --org 'Third Ltd'");
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  EXPECT_NE(r.output.find("client-third-cert.pem"), std::string::npos) << r.output;
  EXPECT_EQ(testing::mode(dir_.path() / "client-third-key.pem"), 0600u);

  r = run("inspect --json client-third-bundle.pem");
  ASSERT_EQ(r.exit_code, 0);
  auto doc = parseJsonObject(r.output);
  ASSERT_TRUE(doc) << r.output;
  const Json& leaf = (*doc)["certificates"][0];
  EXPECT_EQ(leaf["subject"],
            "CN=https://directory.core.trust.ib1.org/a/third,O=Third Ltd,ST=London,C=GB");
  EXPECT_EQ(leaf["ib1_roles"][0], kRole);
  EXPECT_EQ(leaf["ib1_member"], "https://directory.core.trust.ib1.org/m/third");
  EXPECT_EQ(leaf["key"], "EC P-256");
  EXPECT_EQ(leaf["san"]["uri"][0], "https://directory.core.trust.ib1.org/a/third");
  EXPECT_EQ(leaf["x5t#S256"].get<std::string>().size(), 43u);
  EXPECT_EQ((*doc)["certificates"][1]["ca"], true);

  r = run("inspect client-third-cert.pem");
  EXPECT_NE(r.output.find("IB1 role      " + kRole), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("key           EC P-256"), std::string::npos);

  r = run("verify --ca client-ca.pem --purpose client client-third-bundle.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output.starts_with("OK: CN=https://directory.core.trust.ib1.org/a/third"))
      << r.output;
  // Issuer first, leaf last: the leaf is still found.
  writeText(dir_.path() / "reversed.pem", readText(dir_.path() / "client-issuer.pem") +
                                              readText(dir_.path() / "client-third-cert.pem"));
  r = run("verify --ca client-ca.pem reversed.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(r.output.starts_with("OK: CN=https://directory.core.trust.ib1.org/a/third"));
  r = run("verify --ca client-ca.pem --untrusted client-issuer.pem client-third-cert.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // Without the intermediate, and against the wrong CA: a clear NOT TRUSTED.
  r = run("verify --ca client-ca.pem client-third-cert.pem");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.output.starts_with("NOT TRUSTED (untrusted_certificate)")) << r.output;
  r = run("verify --ca server-ca.pem client-third-bundle.pem");
  EXPECT_EQ(r.exit_code, 1);
  r = run("verify --ca server-ca.pem --purpose server server-bundle.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run("verify --ca client-ca.pem --at 2099-01-01T00:00:00Z client-third-bundle.pem");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.output.starts_with("NOT TRUSTED (expired)")) << r.output;

  r = run("issue server --dir . --dns api.example.test --ip 127.0.0.2 --days 10");
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  r = run("verify --ca server-ca.pem --purpose server server-api.example.test-bundle.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(PkiCli, RevokeAndCrl) {
  initPki();
  CommandResult r = run("verify --ca client-ca.pem --crl client-crl.pem client-other-bundle.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("not revoked"), std::string::npos);
  r = run("revoke --dir . client-other-cert.pem");
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  EXPECT_TRUE(
      r.output.starts_with("revoked: CN=https://directory.core.trust.ib1.org/a/"
                           "other-accounting"))
      << r.output;
  r = run("verify --ca client-ca.pem --crl client-crl.pem client-other-bundle.pem");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.output.starts_with("NOT TRUSTED (revoked)")) << r.output;
  r = run("verify --ca client-ca.pem --crl client-crl.pem client-demo-bundle.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  r = run("revoke --dir . client-other-bundle.pem");
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.output.starts_with("already revoked:")) << r.output;
  r = run("crl --dir . --days 7");
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  EXPECT_NE(r.output.find("signing-crl.pem"), std::string::npos);
  r = run("verify --ca client-ca.pem --crl client-crl.pem client-other-bundle.pem");
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(PkiCli, BadInputFailsCleanly) {
  initPki();
  expectCleanFailure(
      "issue client --dir . --application http://directory.core.trust.ib1.org/a/x "
      "--member https://directory.core.trust.ib1.org/m/x --role " +
          kRole,
      "application URL must start with https://");
  expectCleanFailure(
      "issue client --dir . --application https://directory.core.trust.ib1.org/a/x "
      "--member https://directory.core.trust.ib1.org/m/x --role carbon-accounting",
      "role URL");
  expectCleanFailure(
      "issue client --dir . --application https://directory.core.trust.ib1.org/a/x "
      "--member https://directory.core.trust.ib1.org/m/x "
      "--role https://registry.core.trust.ib1.org/roles/carbon",
      "role URL must look like");
  expectCleanFailure(
      "issue client --dir . --application https://directory.core.trust.ib1.org/a/x "
      "--role " +
          kRole,
      "--member is required");
  expectCleanFailure("issue server --dir .", "needs --dns or --ip");
  expectCleanFailure("issue widget --dir . --dns x", "client, server or signing");
  expectCleanFailure(kIssueThird + " --name ../escape", "--name");
  expectCleanFailure(
      "issue client --dir missing-dir --application "
      "https://directory.core.trust.ib1.org/a/x --member "
      "https://directory.core.trust.ib1.org/m/x --role " +
          kRole,
      "cannot read");
  expectCleanFailure("inspect no-such-file.pem", "cannot read no-such-file.pem");
  expectCleanFailure("inspect .", "not a regular file");
  expectCleanFailure("inspect client-demo-key.pem", "not CERTIFICATE");
  expectCleanFailure("verify --ca missing.pem client-demo-cert.pem", "cannot read missing.pem");
  expectCleanFailure("verify --ca client-demo-cert.pem client-demo-cert.pem", "not a CA");

  // The issuer's key replaced by another key: refused, and nothing written.
  const std::string issuer_key = readText(dir_.path() / "client-issuer-key.pem");
  writeText(dir_.path() / "client-issuer-key.pem", readText(dir_.path() / "client-demo-key.pem"));
  expectCleanFailure(kIssueThird, "client-issuer-key.pem does not match client-issuer.pem");
  writeText(dir_.path() / "client-issuer-key.pem", issuer_key);

  // Existing files are not overwritten without --force.
  CommandResult r = run(kIssueThird);
  ASSERT_EQ(r.exit_code, 0) << stderrText();
  expectCleanFailure(kIssueThird, "exists (use --force");
  r = run(kIssueThird + " --force");
  EXPECT_EQ(r.exit_code, 0) << stderrText();

  // A certificate from another PKI cannot be revoked here.
  TempDir other;
  ASSERT_TRUE(init(InitOptions{.dir = other.path(), .now = std::time(nullptr)}));
  std::filesystem::copy_file(other.path() / "client-demo-cert.pem",
                             dir_.path() / "foreign-cert.pem");
  expectCleanFailure("revoke --dir . foreign-cert.pem", "was not issued by any CA");
  expectCleanFailure("revoke --dir . client-ca.pem", "a root cannot be revoked");
}

}  // namespace
}  // namespace gridgate::pki
