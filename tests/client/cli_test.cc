// `gridgate client` as a child process against the real servers (started in-process by the
// test): flow --json, the token file and the commands that read it, the manual auth/token steps,
// and clean one-line errors with their exit codes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "client/tokens.h"
#include "client/url.h"
#include "client/user_agent.h"
#include "net/form.h"
#include "servers.h"

namespace gridgate::client::test {
namespace {

using authz::test::testPki;

Servers& shared() {
  static Servers s;
  return s;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
  Json json() const {
    auto j = parseJson(out);
    return j ? *j : Json();
  }
};

class ClientCli : public ::testing::Test {
 protected:
  Servers& s = shared();
  net::test::TempDir dir;

  std::string env() const {
    const authz::test::TestPki& pki = testPki();
    return "env -i PATH=/usr/bin:/bin AUTHENTICATION_API=" + quote(s.issuer()) +
           " RESOURCE_API=" + quote(s.resourceUrl()) +
           " GRIDGATE_CLIENT_CERT=" + quote(pki.files.at(Identity::kDemo).chain) +
           " GRIDGATE_CLIENT_KEY=" + quote(pki.files.at(Identity::kDemo).key) +
           " GRIDGATE_CLIENT_CA=" + quote(pki.server_ca) +
           " GRIDGATE_SIGNING_CA=" + quote(s.signingCaFile()) +
           " GRIDGATE_REDIRECT_URI=" + quote(std::string(authz::test::kDemoRedirect)) + " ";
  }

  // Runs `gridgate client ARGS` with the environment above (plus `extra_env`), stdin from
  // `input`; stdout and stderr kept apart.
  CliRun client(const std::string& args, const std::string& input = {},
                const std::string& extra_env = {}) {
    const std::string bin = std::string(GRIDGATE_BINARY_DIR) + "/src/cli/gridgate";
    const std::string in = dir.file("stdin");
    const std::string out = dir.file("stdout");
    const std::string err = dir.file("stderr");
    net::test::writeFileText(in, input);
    const std::string cmd = env() + extra_env + " " + quote(bin) + " client " + args + " <" +
                            quote(in) + " >" + quote(out) + " 2>" + quote(err);
    CliRun r;
    const int status = std::system(cmd.c_str());
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = net::test::readFileText(out);
    r.err = net::test::readFileText(err);
    return r;
  }

  std::string passwordLine() const { return s.password + "\n"; }
};

TEST_F(ClientCli, FlowJsonRunsEveryStepAndPrintsNoSecrets) {
  const std::string tokens = dir.file("tokens.json");
  CliRun r = client("flow --user alice --password-stdin --json --token-file " + quote(tokens),
                    passwordLine());
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const Json j = r.json();
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["ok"], true);
  std::vector<std::string> names;
  for (const Json& step : j["steps"]) {
    names.push_back(step["name"]);
    EXPECT_EQ(step["status"], "ok") << step.dump();
    EXPECT_FALSE(step.contains("secrets"));
    EXPECT_FALSE(step.contains("exchanges"));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"discovery", "par", "authorize", "callback", "token",
                                             "id_token", "datasources", "readings", "provenance",
                                             "permissions"}));
  // The tokens went to the file (0600), not to stdout.
  struct stat st {};
  ASSERT_EQ(::stat(tokens.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto stored = loadTokenFile(tokens);
  ASSERT_TRUE(stored);
  EXPECT_EQ(r.out.find(stored->access_token), std::string::npos);
  EXPECT_EQ(r.out.find(stored->refresh_token), std::string::npos);
  EXPECT_EQ(r.out.find(s.password), std::string::npos);
  EXPECT_EQ(r.err.find(stored->access_token), std::string::npos);

  // The commands that read the token file.
  CliRun intro = client("introspect --json --token-file " + quote(tokens));
  ASSERT_EQ(intro.code, 0) << intro.err;
  EXPECT_EQ(intro.json()["active"], true);
  EXPECT_EQ(intro.out.find(stored->access_token), std::string::npos);

  CliRun id = client("id-token --json --token-file " + quote(tokens));
  ASSERT_EQ(id.code, 0) << id.err;
  EXPECT_EQ(id.json()["verified"], true);
  EXPECT_EQ(id.json()["nonce_checked"], true);

  CliRun data = client("resource --json --token-file " + quote(tokens));
  ASSERT_EQ(data.code, 0) << data.err;
  EXPECT_TRUE(data.json()["body"]["data"].is_array());

  CliRun perm = client("permissions --json --token-file " + quote(tokens));
  ASSERT_EQ(perm.code, 0) << perm.err;
  EXPECT_EQ(perm.json()["permission"]["client"], testPki().demo_id);

  CliRun refreshed = client("refresh --json --token-file " + quote(tokens));
  ASSERT_EQ(refreshed.code, 0) << refreshed.err;
  EXPECT_EQ(refreshed.json()["token_type"], "Bearer");
  auto after = loadTokenFile(tokens);
  ASSERT_TRUE(after);
  EXPECT_NE(after->access_token, stored->access_token);
  EXPECT_EQ(refreshed.out.find(after->access_token), std::string::npos);

  CliRun revoked = client("revoke --token-file " + quote(tokens));
  ASSERT_EQ(revoked.code, 0) << revoked.err;
  CliRun dead = client("introspect --json --token-file " + quote(tokens));
  ASSERT_EQ(dead.code, 0) << dead.err;
  EXPECT_EQ(dead.json(), Json({{"active", false}}));
}

TEST_F(ClientCli, FlowWithProvenanceResourcePath) {
  CliRun r =
      client("flow -u alice --password-stdin --json --resource-path /datasources", passwordLine());
  ASSERT_EQ(r.code, 0) << r.err;
  const Json j = r.json();
  std::map<std::string, std::string> status;
  for (const Json& step : j["steps"]) status[step["name"]] = step["status"];
  EXPECT_EQ(status["datasources"], "skipped");
  EXPECT_EQ(status["readings"], "ok");
  EXPECT_EQ(status["provenance"], "skipped");  // /datasources carries no record
}

TEST_F(ClientCli, AuthThenTokenWithTheCallback) {
  const std::string req = dir.file("request.json");
  CliRun auth = client("auth --request-file " + quote(req));
  ASSERT_EQ(auth.code, 0) << auth.err;
  // Like the seed's client.py: the verifier, then the URL to open.
  ASSERT_NE(auth.out.find("Code verifier: "), std::string::npos) << auth.out;
  const std::string url = auth.out.substr(auth.out.rfind("https://"));
  const std::string authorization_url = url.substr(0, url.find('\n'));
  auto parsed = Url::parse(authorization_url);
  ASSERT_TRUE(parsed) << authorization_url;
  auto q = net::parseQuery(parsed->query());
  ASSERT_TRUE(q);
  EXPECT_EQ(q->size(), 2u);
  EXPECT_TRUE(q->has("client_id") && q->has("request_uri"));

  // The user's browser: the test's user agent.
  auto c = s.client(Identity::kDemo);
  UserAgent ua(c->browserHttp());
  auto outcome = ua.authorize(authorization_url, authz::test::kDemoRedirect,
                              {.username = s.username, .password = s.password});
  ASSERT_TRUE(outcome) << outcome.error().detail;

  const std::string tokens = dir.file("t.json");
  CliRun token = client("token --json --callback " + quote(outcome->callback_url) +
                        " --request-file " + quote(req) + " --token-file " + quote(tokens));
  ASSERT_EQ(token.code, 0) << token.err;
  EXPECT_EQ(token.json()["refresh_token"], "issued");
  EXPECT_TRUE(loadTokenFile(tokens));
  // The code is single use: a second redemption is refused by the server.
  CliRun again =
      client("token --callback " + quote(outcome->callback_url) + " --request-file " + quote(req));
  EXPECT_EQ(again.code, 1);
  EXPECT_NE(again.err.find("invalid_grant"), std::string::npos) << again.err;
}

TEST_F(ClientCli, ManualTokenWithCodeAndVerifier) {
  CliRun auth = client("auth --json");
  ASSERT_EQ(auth.code, 0) << auth.err;
  const Json req = auth.json();
  auto c = s.client(Identity::kDemo);
  UserAgent ua(c->browserHttp());
  auto outcome =
      ua.authorize(req["authorization_url"].get<std::string>(), authz::test::kDemoRedirect,
                   {.username = s.username, .password = s.password});
  ASSERT_TRUE(outcome) << outcome.error().detail;
  const std::string code = authz::test::queryOf(outcome->callback_url)["code"];
  CliRun token = client("token --code " + quote(code) + " --verifier " +
                        quote(req["code_verifier"].get<std::string>()));
  ASSERT_EQ(token.code, 0) << token.err;
  // Printing the tokens is this command's purpose when no token file is given.
  EXPECT_TRUE(token.json()["access_token"].is_string());
  EXPECT_TRUE(net::iequals(token.json()["token_type"].get<std::string>(), "bearer"));
}

TEST_F(ClientCli, CleanErrorsAndExitCodes) {
  // A wrong issuer: refused by discovery, one line, exit 1.
  CliRun wrong = client("discover", {}, "AUTHENTICATION_API=" + quote(s.issuer() + "/"));
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("is not the configured issuer"), std::string::npos) << wrong.err;
  EXPECT_EQ(std::count(wrong.err.begin(), wrong.err.end(), '\n'), 1) << wrong.err;
  // No certificate: a usage error, exit 2.
  CliRun nocert = client("discover", {}, "GRIDGATE_CLIENT_CERT=");
  EXPECT_EQ(nocert.code, 2);
  EXPECT_NE(nocert.err.find("client certificate"), std::string::npos) << nocert.err;
  // A wrong password: the flow stops at the login page, exit 1.
  CliRun pw = client("flow -u alice --password-stdin", "nope\n");
  EXPECT_EQ(pw.code, 1);
  EXPECT_NE(pw.err.find("login was refused"), std::string::npos) << pw.err;
  // Nothing to act on.
  CliRun none = client("introspect");
  EXPECT_EQ(none.code, 2);
  // Server unreachable.
  CliRun down = client("discover", {}, "AUTHENTICATION_API=https://localhost:1");
  EXPECT_EQ(down.code, 1);
  EXPECT_FALSE(down.err.empty());
  // discover prints the endpoints it will use.
  CliRun ok = client("discover");
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.out.find("token_endpoint: " + s.as.mtlsUrl("/token") + "  (mTLS alias)"),
            std::string::npos)
      << ok.out;
}

}  // namespace
}  // namespace gridgate::client::test
