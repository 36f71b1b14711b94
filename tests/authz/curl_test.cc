// The whole flow driven by the real curl (--cert/--key/--cacert for the client, a cookie jar for
// the browser part): PAR -> authorize -> login -> consent -> token -> introspect -> refresh ->
// permissions -> revoke -> introspect inactive. What a client developer would type.
#include <gtest/gtest.h>

#include <sstream>

#include "harness.h"
#include "net/form.h"

namespace gridgate::authz::test {
namespace {

struct CurlResult {
  int status = 0;
  std::string body;
  std::string headers;
  std::string location() const {
    std::istringstream in(headers);
    std::string line;
    while (std::getline(in, line)) {
      if (line.size() > 9 && net::iequals(line.substr(0, 9), "location:")) {
        std::string v = line.substr(9);
        while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
        return v;
      }
    }
    return {};
  }
  Json json() const {
    auto j = parseJson(body);
    return j ? *j : Json();
  }
};

TEST(Curl, WholeFlowWithRealCurl) {
  Harness h({.real_ui = true});
  h.addUser("dave", "dave's long password");
  net::test::TempDir tmp;
  const std::string jar_dir = tmp.path();
  const Identity demo = Identity::kDemo;
  const std::string client_id = h.clientId(demo);
  const auto [verifier, challenge] = pkcePair();

  // Build commands with name@file arguments (curl --data-urlencode name@file).
  int n = 0;
  const auto curl = [&](const Identity* id, const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& form) {
    std::string cmd = "curl -sS --max-time 20 --cacert " + testPki().server_ca;
    if (id != nullptr) {
      const IdentityFiles& f = testPki().files.at(*id);
      cmd += " --cert " + f.chain + " --key " + f.key;
    } else {
      cmd += " -b " + jar_dir + "/jar -c " + jar_dir + "/jar";
    }
    for (const auto& [k, v] : form) {
      const std::string file = jar_dir + "/v" + std::to_string(n++);
      net::test::writeFileText(file, v);
      cmd += " --data-urlencode " + k + "@" + file;
    }
    cmd += " -o " + jar_dir + "/body -D " + jar_dir + "/headers -w '%{http_code}' '" + url + "'";
    std::string out;
    EXPECT_EQ(net::test::runShell(cmd, &out), 0) << out;
    CurlResult r;
    r.status = std::atoi(out.c_str());
    r.body = net::test::readFileText(jar_dir + "/body");
    r.headers = net::test::readFileText(jar_dir + "/headers");
    return r;
  };

  CurlResult par = curl(&demo, h.mtlsUrl("/par"),
                        {{"client_id", client_id},
                         {"response_type", "code"},
                         {"redirect_uri", std::string(kDemoRedirect)},
                         {"scope", std::string(kLicence) + " offline_access openid"},
                         {"state", "curl-state"},
                         {"code_challenge", challenge},
                         {"code_challenge_method", "S256"}});
  ASSERT_EQ(par.status, 201) << par.body;
  const std::string request_uri = par.json()["request_uri"];

  const std::string authorize = h.publicUrl("/authorize?client_id=" + net::formEncode(client_id) +
                                            "&request_uri=" + net::formEncode(request_uri));
  CurlResult login_page = curl(nullptr, authorize, {});
  ASSERT_EQ(login_page.status, 200);
  CurlResult login = curl(nullptr, h.publicUrl("/login"),
                          {{"csrf", Browser::hiddenField(login_page.body, "csrf")},
                           {"client_id", client_id},
                           {"request_uri", request_uri},
                           {"username", "dave"},
                           {"password", "dave's long password"}});
  ASSERT_EQ(login.status, 303) << login.body;
  CurlResult consent_page = curl(nullptr, authorize, {});
  ASSERT_EQ(consent_page.status, 200);
  EXPECT_NE(consent_page.body.find("Demo &lt;Carbon&gt; Accounting"), std::string::npos);
  CurlResult consent = curl(nullptr, h.publicUrl("/consent"),
                            {{"csrf", Browser::hiddenField(consent_page.body, "csrf")},
                             {"client_id", client_id},
                             {"request_uri", request_uri},
                             {"decision", "allow"}});
  ASSERT_EQ(consent.status, 303);
  const std::string location = consent.location();
  auto q = queryOf(location);
  ASSERT_FALSE(q["code"].empty()) << location;
  EXPECT_EQ(q["state"], "curl-state");
  EXPECT_EQ(q["iss"], h.config->issuer);

  CurlResult token = curl(&demo, h.mtlsUrl("/token"),
                          {{"grant_type", "authorization_code"},
                           {"code", q["code"]},
                           {"redirect_uri", std::string(kDemoRedirect)},
                           {"code_verifier", verifier},
                           {"client_id", client_id}});
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_NE(token.headers.find("no-store"), std::string::npos);
  const std::string access = token.json()["access_token"];
  const std::string refresh = token.json()["refresh_token"];

  CurlResult intro =
      curl(&demo, h.mtlsUrl("/introspect"), {{"token", access}, {"client_id", client_id}});
  ASSERT_EQ(intro.status, 200);
  EXPECT_EQ(intro.json()["active"], true);

  CurlResult refreshed =
      curl(&demo, h.mtlsUrl("/token"),
           {{"grant_type", "refresh_token"}, {"refresh_token", refresh}, {"client_id", client_id}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;

  CurlResult perm =
      curl(&demo, h.mtlsUrl("/permissions"), {{"token", refresh}, {"client_id", client_id}});
  ASSERT_EQ(perm.status, 200) << perm.body;
  EXPECT_EQ(perm.json()["permission"]["client"], client_id);

  CurlResult revoke =
      curl(&demo, h.mtlsUrl("/revoke"), {{"token", refresh}, {"client_id", client_id}});
  EXPECT_EQ(revoke.status, 200);

  CurlResult after =
      curl(&demo, h.mtlsUrl("/introspect"), {{"token", access}, {"client_id", client_id}});
  EXPECT_EQ(after.body, R"({"active":false})");

  CurlResult metadata = curl(nullptr, h.publicUrl("/.well-known/openid-configuration"), {});
  EXPECT_EQ(metadata.json()["issuer"], h.config->issuer);
  // Without a client certificate curl cannot reach the token endpoint at all.
  std::string out;
  EXPECT_NE(net::test::runShell("curl -sS --max-time 10 --cacert " + testPki().server_ca +
                                    " -d grant_type=refresh_token " + h.mtlsUrl("/token"),
                                &out),
            0);
}

}  // namespace
}  // namespace gridgate::authz::test
