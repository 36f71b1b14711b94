// `gridgate serve` as a child process: a consent acknowledged to the user (the 303 to the client)
// survives kill -9 of the server; SIGTERM stops it cleanly with exit 0; its logs of a whole flow
// hold no token or code material; `gridgate keys rotate` stages a key the server publishes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>
#include <thread>

#include "authz/ui/users.h"
#include "harness.h"
#include "net/form.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::authz::test {
namespace {

const std::string kGridgate = std::string(GRIDGATE_BINARY_DIR) + "/src/cli/gridgate";

struct ServeEnv {
  net::test::TempDir dir;
  std::uint16_t public_port = net::test::freePort();
  std::uint16_t mtls_port = net::test::freePort();
  std::string config_file;
  std::string log_file;

  ServeEnv() {
    config_file = dir.path() + "/gridgate.toml";
    log_file = dir.path() + "/serve.log";
    const std::string state = dir.path() + "/state";
    std::filesystem::create_directories(state);
    net::test::writeFileText(config_file,
                             harnessConfig(testPki(), public_port, mtls_port, {}, state));
    // A user of the built-in login page, written before the server starts (another process
    // would do the same with `gridgate users add`).
    auto db = store::openSqlite({.path = state + "/gridgate.db"});
    EXPECT_TRUE(db);
    auto user = ui::createUser(
        (*db)->users(), {.username = "erin", .password = "erin's password", .display_name = ""},
        ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1},
        SystemClock::instance());
    EXPECT_TRUE(user) << user.error().detail;
  }

  std::unique_ptr<net::test::ChildProcess> start() {
    auto child = std::make_unique<net::test::ChildProcess>(
        std::vector<std::string>{kGridgate, "serve", "--config", config_file, "--log-level",
                                 "debug"},
        log_file);
    EXPECT_TRUE(net::test::waitForPort(public_port, std::chrono::seconds(20)));
    EXPECT_TRUE(net::test::waitForPort(mtls_port, std::chrono::seconds(20)));
    return child;
  }
  std::string url(std::uint16_t port, const std::string& path) const {
    return "https://localhost:" + std::to_string(port) + path;
  }
};

std::unique_ptr<net::HttpClient> clientFor(Identity id) {
  const IdentityFiles& f = testPki().files.at(id);
  auto c = net::HttpClient::create(clientConfig(testPki().server_ca, f.chain, f.key));
  EXPECT_TRUE(c);
  return std::move(*c);
}

Result<net::ClientResponse> postForm(net::HttpClient& c, const std::string& url,
                                     const std::vector<std::pair<std::string, std::string>>& f) {
  net::ClientRequest req = request(net::Method::kPost, url, net::encodeForm(f));
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  return c.send(std::move(req));
}

TEST(Serve, AcknowledgedConsentSurvivesKill9) {
  ServeEnv env;
  auto demo = clientFor(Identity::kDemo);
  const std::string client_id = testPki().demo_id;
  const auto [verifier, challenge] = pkcePair();
  std::string location;
  {
    auto server = env.start();
    auto par = postForm(*demo, env.url(env.mtls_port, "/par"),
                        {{"client_id", client_id},
                         {"response_type", "code"},
                         {"redirect_uri", std::string(kDemoRedirect)},
                         {"scope", std::string(kLicence) + " offline_access"},
                         {"state", "s1"},
                         {"code_challenge", challenge},
                         {"code_challenge_method", "S256"}});
    ASSERT_TRUE(par) << par.error().detail;
    ASSERT_EQ(par->status, 201) << par->body;
    const std::string request_uri = (*parseJson(par->body))["request_uri"];
    Browser browser(testPki().server_ca);
    location = browser.authorizeWithLogin(
        env.url(env.public_port, "/authorize?client_id=" + net::formEncode(client_id) +
                                     "&request_uri=" + net::formEncode(request_uri)),
        "erin", "erin's password");
    ASSERT_FALSE(queryOf(location)["code"].empty());
    // The browser has its 303: the consent is acknowledged. Crash the server at once.
    ASSERT_EQ(::kill(server->pid(), SIGKILL), 0);
  }
  auto restarted = env.start();
  auto token = postForm(*demo, env.url(env.mtls_port, "/token"),
                        {{"grant_type", "authorization_code"},
                         {"code", queryOf(location)["code"]},
                         {"redirect_uri", std::string(kDemoRedirect)},
                         {"code_verifier", verifier},
                         {"client_id", client_id}});
  ASSERT_TRUE(token) << token.error().detail;
  ASSERT_EQ(token->status, 200) << token->body;
  const std::string refresh = (*parseJson(token->body))["refresh_token"];
  auto perm = postForm(*demo, env.url(env.mtls_port, "/permissions"),
                       {{"token", refresh}, {"client_id", client_id}});
  ASSERT_TRUE(perm);
  EXPECT_EQ(perm->status, 200) << perm->body;

  // SIGTERM: graceful shutdown, exit status 0.
  ASSERT_EQ(::kill(restarted->pid(), SIGTERM), 0);
  int status = -1;
  for (int i = 0; i < 200; ++i) {
    const pid_t r = ::waitpid(restarted->pid(), &status, WNOHANG);
    if (r == restarted->pid()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);

  // The server's own logs (debug level) of the whole flow hold no secret.
  const std::string logs = net::test::readFileText(env.log_file);
  ASSERT_NE(logs.find("ready"), std::string::npos);
  for (const std::string& secret :
       {queryOf(location)["code"], refresh, verifier, std::string("erin's password")}) {
    EXPECT_EQ(logs.find(secret), std::string::npos);
  }
  const std::string access = (*parseJson(token->body))["access_token"];
  EXPECT_EQ(logs.find(access.substr(access.rfind('.') + 1)), std::string::npos);
  EXPECT_EQ(logs.find(access.substr(0, access.find('.', access.find('.') + 1))), std::string::npos);
}

TEST(Serve, KeysRotateStagesAKeyTheServerPublishes) {
  ServeEnv env;
  auto server = env.start();
  std::string out;
  ASSERT_EQ(net::test::runShell(
                kGridgate + " keys rotate --config " + env.config_file + " --delay 1h", &out),
            0)
      << out;
  EXPECT_NE(out.find("staged ES256 key"), std::string::npos) << out;
  ASSERT_EQ(net::test::runShell(kGridgate + " keys list --config " + env.config_file, &out), 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << out;
  EXPECT_EQ(out.find("PRIVATE"), std::string::npos);
  // The running server re-reads the key store in the background (every 30 s) and publishes the
  // staged key before it signs; poll its JWKS (bounded).
  auto c = net::HttpClient::create(clientConfig(testPki().server_ca));
  ASSERT_TRUE(c);
  std::size_t keys = 0;
  for (int i = 0; i < 90 && keys < 2; ++i) {
    auto r = (*c)->send(request(net::Method::kGet, env.url(env.public_port, "/jwks")));
    if (r && r->status == 200) keys = (*parseJsonObject(r->body))["keys"].size();
    if (keys < 2) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(keys, 2u);
}

TEST(Serve, ConfigurationErrorsExit2) {
  net::test::TempDir dir;
  net::test::writeFileText(dir.path() + "/bad.toml", "[authz]\nissuer = \"http://plain\"\n");
  std::string out;
  EXPECT_EQ(net::test::runShell(kGridgate + " serve --config " + dir.path() + "/bad.toml", &out),
            2);
  EXPECT_NE(out.find("authz.issuer"), std::string::npos) << out;
  std::string text = harnessConfig(testPki(), 1, 2, {}, dir.path());
  text.replace(text.find("[server]\n") + 9, 0, "log_levle = \"info\"\n");
  net::test::writeFileText(dir.path() + "/typo.toml", text);
  EXPECT_EQ(net::test::runShell(kGridgate + " serve --config " + dir.path() + "/typo.toml", &out),
            2);
  EXPECT_NE(out.find("server.log_levle"), std::string::npos) << out;
}

}  // namespace
}  // namespace gridgate::authz::test
