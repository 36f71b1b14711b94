// `gridgate token decode|check`, run as the real binary against the in-process test issuer.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "support.h"

namespace gridgate::validator {
namespace {

using testing::TestIssuer;

struct CliRun {
  int code = -1;
  std::string out;
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `env` is prepended as VAR=value words (env -i keeps ACCESS_TOKEN/OIDC of the caller out).
CliRun gridgate(const std::vector<std::string>& args, const std::string& env = {}) {
  std::string cmd = "env -i " + env + " " + quote(GRIDGATE_BINARY_DIR "/src/cli/gridgate");
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>&1";
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  r.code = WEXITSTATUS(pclose(p));
  return r;
}

class TokenCli : public ::testing::Test {
 protected:
  FakeClock clock{SystemClock::instance().unixSeconds()};
  const testing::TestPki& pki = testing::testPki();
  TestIssuer as{clock};
  x509::Certificate demo = pki.cert("demo");
  std::vector<std::string> with(std::vector<std::string> a) const {
    a.push_back("--ca");
    a.push_back(pki.server_ca);
    return a;
  }
};

TEST_F(TokenCli, DecodeIsMarkedUnverified) {
  const std::string token = as.jwt({}, demo);
  const CliRun r = gridgate({"token", "decode", token});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("UNVERIFIED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"typ\": \"at+jwt\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"client_id\""), std::string::npos);
  EXPECT_NE(r.out.find("valid for "), std::string::npos) << r.out;

  const CliRun json = gridgate({"token", "decode", token, "--json"});
  auto doc = parseJsonObject(json.out);
  ASSERT_TRUE(doc.has_value()) << json.out;
  EXPECT_EQ((*doc)["verified"], false);
  EXPECT_EQ((*doc)["claims"]["iss"], as.issuer());

  EXPECT_EQ(gridgate({"token", "decode"}).code, 1);
  EXPECT_EQ(gridgate({"token", "decode"}, "OIDC=" + quote(token)).code, 0);
  EXPECT_EQ(gridgate({"token", "decode", "opaque-token"}).code, 2);
}

TEST_F(TokenCli, CheckJwt) {
  const CliRun ok = gridgate(
      with({"token", "check", as.jwt({}, demo), "--audience", std::string(testing::kAudience)}));
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_NE(ok.out.find("VALID: verified by jwt"), std::string::npos) << ok.out;
  EXPECT_NE(ok.out.find("note: certificate binding not checked"), std::string::npos);

  const CliRun expired =
      gridgate(with({"token", "check", as.jwt({{"exp", clock.unixSeconds() - 200}}, demo)}));
  EXPECT_EQ(expired.code, 2) << expired.out;
  EXPECT_NE(expired.out.find("EXPIRED 3m"), std::string::npos) << expired.out;

  const CliRun aud =
      gridgate(with({"token", "check", as.jwt({}, demo), "--audience", "https://x"}));
  EXPECT_EQ(aud.code, 2) << aud.out;

  const CliRun scope = gridgate(with({"token", "check", as.jwt({}, demo), "--scope", "missing"}));
  EXPECT_EQ(scope.code, 2) << scope.out;
  EXPECT_NE(scope.out.find("insufficient_scope"), std::string::npos);

  // Binding with --cert: the token's own client passes, another client's certificate does not.
  EXPECT_EQ(
      gridgate(with({"token", "check", as.jwt({}, demo), "--cert", pki.leaves.at("demo").cert}))
          .code,
      0);
  const CliRun other =
      gridgate(with({"token", "check", as.jwt({}, demo), "--cert", pki.leaves.at("other").bundle}));
  EXPECT_EQ(other.code, 2) << other.out;
  EXPECT_NE(other.out.find("binding_mismatch"), std::string::npos);

  const CliRun json =
      gridgate(with({"token", "check", "--json"}), "ACCESS_TOKEN=" + quote(as.jwt({}, demo)));
  auto doc = parseJsonObject(json.out);
  ASSERT_TRUE(doc.has_value()) << json.out;
  EXPECT_EQ((*doc)["valid"], true);
  EXPECT_EQ((*doc)["verified_by"], "jwt");
  EXPECT_GT((*doc)["expires_in"].get<int>(), 500);

  EXPECT_EQ(gridgate(with({"token", "check"})).code, 1);
}

TEST_F(TokenCli, CheckOpaqueByIntrospectionOrUserinfo) {
  const testing::Leaf& provider = pki.leaves.at("provider");
  const CliRun intro = gridgate(
      with({"token", "check", as.opaque({}, demo), "--issuer", as.issuer(), "--client-id",
            provider.application, "--client-cert", provider.bundle, "--client-key", provider.key}));
  EXPECT_EQ(intro.code, 0) << intro.out;
  EXPECT_NE(intro.out.find("verified by introspection"), std::string::npos) << intro.out;

  const CliRun info = gridgate(
      with({"token", "check", as.userinfoToken({{"sub", "u1"}}), "--issuer", as.issuer()}));
  EXPECT_EQ(info.code, 0) << info.out;
  EXPECT_NE(info.out.find("verified by userinfo"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("no expiry"), std::string::npos) << info.out;

  EXPECT_EQ(gridgate(with({"token", "check", "unknown", "--issuer", as.issuer()})).code, 2);
  EXPECT_EQ(gridgate(with({"token", "check", "unknown"})).code, 3);  // no issuer known

  as.stop();
  const CliRun down = gridgate(with({"token", "check", as.jwt({}, demo)}));
  EXPECT_EQ(down.code, 3) << down.out;
}

}  // namespace
}  // namespace gridgate::validator
