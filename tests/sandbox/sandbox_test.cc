// The real `gridgate sandbox` binary as a child process on free ports: it becomes ready, the
// `gridgate client flow` command it prints runs the whole flow against it (meter data and a
// verified provenance record), its demo page answers with its security headers, a busy port gives
// a message naming the port and how to choose others, SIGTERM stops it with exit 0, a restart
// keeps the demo users' passwords and --reset makes new ones, --port-offset moves every port.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "child.h"
#include "core/json.h"
#include "support.h"

namespace gridgate {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using net::test::readFileText;
using net::test::runShell;
using net::test::TempDir;
using namespace sandbox_test;

TEST(Sandbox, WholeFlowFromThePrintedCommandThenBusyPortThenSigterm) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/sb";
  const std::vector<std::uint16_t> ports = net::test::freePorts(4);
  Sandbox sandbox({"--dir", dir, "--ports", portsArg(ports)}, tmp.path() + "/sandbox.log");
  ASSERT_TRUE(sandbox.waitReady()) << sandbox.log();
  const std::string out = sandbox.log();

  // What it printed: URLs on the chosen ports, the users with the passwords of the 0600 file.
  EXPECT_NE(out.find("https://localhost:" + std::to_string(ports[3]) + "/"), std::string::npos);
  EXPECT_NE(out.find("https://localhost:" + std::to_string(ports[0])), std::string::npos);
  const std::string users_file = dir + "/demo-users.txt";
  struct stat st {};
  ASSERT_EQ(::stat(users_file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string alice = passwordOf(users_file, "alice");
  ASSERT_GE(alice.size(), 16u);
  EXPECT_NE(out.find("alice  " + alice + "\n"), std::string::npos) << out;
  EXPECT_NE(passwordOf(users_file, "bob"), alice);

  // The printed command, as a user would paste it (plus --json to read its result).
  const std::string command = lineAfter(out, "The whole flow from the command line");
  ASSERT_NE(command.find("client flow --user alice --password-stdin"), std::string::npos) << out;
  std::string flow_out;
  const int rc = runShell(command + " --json 2>/dev/null", &flow_out);
  auto flow = parseJson(flow_out);
  ASSERT_TRUE(flow) << flow_out;
  EXPECT_EQ(rc, 0) << flow_out;
  EXPECT_EQ(flow->value("ok", false), true) << flow_out;
  const Json* readings = stepOf(*flow, "readings");
  ASSERT_NE(readings, nullptr) << flow_out;
  EXPECT_EQ(readings->value("status", ""), "ok");
  EXPECT_GE(readings->at("data").value("count", 0), 48 * 7 - 10) << flow_out;  // seven days
  const Json* provenance = stepOf(*flow, "provenance");
  ASSERT_NE(provenance, nullptr) << flow_out;
  EXPECT_EQ(provenance->value("status", ""), "ok") << flow_out;  // verified, not skipped
  const Json* permissions = stepOf(*flow, "permissions");
  ASSERT_NE(permissions, nullptr);
  EXPECT_EQ(permissions->value("status", ""), "ok") << flow_out;

  // A wrong password is refused by the login page (the flow fails, exit 1).
  std::string bad_out;
  std::string bad = command;
  bad.replace(bad.find("sed -n"), bad.find(" | ") - bad.find("sed -n"), "echo not-the-password");
  EXPECT_EQ(runShell(bad + " --json 2>/dev/null", &bad_out), 1) << bad_out;

  // The demo page: TLS with the sandbox's server certificate, strict CSP, the start form.
  std::string page;
  ASSERT_EQ(runShell("curl -sS -D - --cacert " + dir +
                         "/pki/server-ca.pem https://localhost:" + std::to_string(ports[3]) + "/",
                     &page),
            0)
      << page;
  std::string lower = page;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_NE(lower.find("content-security-policy: default-src 'none'; style-src 'sha256-"),
            std::string::npos)
      << page;
  EXPECT_NE(lower.find("form-action 'self' https://localhost:" + std::to_string(ports[0])),
            std::string::npos)
      << page;
  EXPECT_NE(lower.find("set-cookie: __host-gridgate-demo="), std::string::npos) << page;
  EXPECT_NE(page.find("action=\"/start\""), std::string::npos) << page;
  EXPECT_EQ(page.find("<script"), std::string::npos);
  // Opened at 127.0.0.1, the page sends the browser to localhost, where the callback will land.
  std::string other_host;
  ASSERT_EQ(runShell("curl -sS -D - -o /dev/null --cacert " + dir +
                         "/pki/server-ca.pem https://127.0.0.1:" + std::to_string(ports[3]) + "/",
                     &other_host),
            0);
  EXPECT_NE(other_host.find(" 303"), std::string::npos) << other_host;
  EXPECT_NE(other_host.find("https://localhost:" + std::to_string(ports[3]) + "/"),
            std::string::npos)
      << other_host;
  // No HSTS from a sandbox: it would hold for every port of localhost long after it stopped.
  EXPECT_EQ(lower.find("strict-transport-security"), std::string::npos) << page;
  std::string metadata;
  ASSERT_EQ(runShell("curl -sS -D - -o /dev/null --cacert " + dir +
                         "/pki/server-ca.pem https://localhost:" + std::to_string(ports[0]) +
                         "/.well-known/oauth-authorization-server",
                     &metadata),
            0);
  EXPECT_NE(metadata.find(" 200"), std::string::npos) << metadata;
  for (char& ch : metadata) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(metadata.find("strict-transport-security"), std::string::npos) << metadata;

  // A second sandbox on the same ports: a clear error naming the port and the way out.
  std::string busy;
  const int busy_rc = runShell(
      kGridgate + " sandbox --dir " + tmp.path() + "/other --ports " + portsArg(ports) + " 2>&1",
      &busy);
  EXPECT_EQ(busy_rc, 1) << busy;
  EXPECT_NE(busy.find("port " + std::to_string(ports[0]) + " (authorization server, public"),
            std::string::npos)
      << busy;
  EXPECT_NE(busy.find("already in use"), std::string::npos) << busy;
  EXPECT_NE(busy.find("--port-offset"), std::string::npos) << busy;
  EXPECT_NE(busy.find("--ports"), std::string::npos) << busy;

  // SIGTERM: a clean stop.
  EXPECT_EQ(sandbox.terminate(), 0) << sandbox.log();
  EXPECT_NE(sandbox.log().find("gridgate sandbox: stopped"), std::string::npos);
}

TEST(Sandbox, RestartKeepsStateResetMakesItAnew) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/sb";
  const std::string users_file = dir + "/demo-users.txt";
  const std::vector<std::uint16_t> ports = net::test::freePorts(4);
  std::string first_password;
  {
    Sandbox first({"--dir", dir, "--ports", portsArg(ports)}, tmp.path() + "/1.log");
    ASSERT_TRUE(first.waitReady()) << first.log();
    first_password = passwordOf(users_file, "alice");
    EXPECT_NE(first.log().find("(made now: PKI configuration)"), std::string::npos) << first.log();
    EXPECT_EQ(first.terminate(), 0);
  }
  {
    Sandbox again({"--dir", dir, "--ports", portsArg(ports)}, tmp.path() + "/2.log");
    ASSERT_TRUE(again.waitReady()) << again.log();
    EXPECT_EQ(passwordOf(users_file, "alice"), first_password);
    EXPECT_EQ(again.log().find("made now"), std::string::npos) << again.log();
    // The readiness time it reports (docs/sandbox.md): well under a second on a warm start.
    const std::string log = again.log();
    const std::size_t at = log.find("Ready in ");
    ASSERT_NE(at, std::string::npos);
    std::cout << "[ sandbox ] warm start: " << log.substr(at, log.find('\n', at) - at) << "\n";
    EXPECT_EQ(again.terminate(), 0);
  }
  {
    Sandbox reset({"--dir", dir, "--reset", "--ports", portsArg(ports)}, tmp.path() + "/3.log");
    ASSERT_TRUE(reset.waitReady()) << reset.log();
    EXPECT_NE(passwordOf(users_file, "alice"), first_password);
    EXPECT_NE(reset.log().find("(made now: PKI configuration)"), std::string::npos);
    const std::string log = reset.log();
    const std::size_t at = log.find("Ready in ");
    ASSERT_NE(at, std::string::npos);
    std::cout << "[ sandbox ] cold start: " << log.substr(at, log.find('\n', at) - at) << "\n";
    EXPECT_EQ(reset.terminate(), 0);
  }
}

// `gridgate serve` on the sandbox's configuration runs both servers (the resource server from
// [resource]); the flow command the sandbox printed works against it, and a revocation reaches
// the resource server at once (the in-process purge with SQLite).
TEST(Sandbox, ServeRunsBothServersOfTheSandboxConfiguration) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/sb";
  const std::vector<std::uint16_t> ports = net::test::freePorts(4);
  std::string command;
  {
    Sandbox sandbox({"--dir", dir, "--ports", portsArg(ports)}, tmp.path() + "/sandbox.log");
    ASSERT_TRUE(sandbox.waitReady()) << sandbox.log();
    command = lineAfter(sandbox.log(), "The whole flow from the command line");
    ASSERT_EQ(sandbox.terminate(), 0);
  }
  const auto url = [](std::uint16_t port) { return "https://localhost:" + std::to_string(port); };
  Gridgate serve(
      {"serve", "--config", dir + "/gridgate.toml", "--public-port", std::to_string(ports[0]),
       "--mtls-port", std::to_string(ports[1]), "--resource-port", std::to_string(ports[2])},
      tmp.path() + "/serve.log",
      {"GRIDGATE_AUTHZ_ISSUER=" + url(ports[0]), "GRIDGATE_AUTHZ_MTLS_BASE_URL=" + url(ports[1]),
       "GRIDGATE_AUTHZ_RESOURCE_AUDIENCES=" + url(ports[2]),
       "GRIDGATE_AUTHZ_CLIENTS_0_REDIRECT_URIS=https://127.0.0.1:" + std::to_string(ports[3]) +
           "/callback",
       "GRIDGATE_RESOURCE_BASE_URL=" + url(ports[2]),
       "GRIDGATE_RESOURCE_TOKEN_ISSUER=" + url(ports[0])});
  const std::string ready = "gridgate serve: ready public=" + std::to_string(ports[0]) +
                            " mtls=" + std::to_string(ports[1]) +
                            " resource=" + std::to_string(ports[2]) + "\n";
  ASSERT_TRUE(serve.waitReady(30s, ready)) << serve.log();

  const std::string token_file = tmp.path() + "/tokens.json";
  std::string flow_out;
  EXPECT_EQ(runShell(command + " --json --token-file " + token_file + " 2>/dev/null", &flow_out), 0)
      << flow_out;
  auto flow = parseJson(flow_out);
  ASSERT_TRUE(flow) << flow_out;
  EXPECT_EQ(flow->value("ok", false), true) << flow_out;
  const Json* provenance = stepOf(*flow, "provenance");
  ASSERT_NE(provenance, nullptr);
  EXPECT_EQ(provenance->value("status", ""), "ok");

  // The client subcommands with the saved tokens: data, then revoke, then refused at once.
  const std::string env =
      command.substr(command.find("AUTHENTICATION_API="),
                     command.find(" client flow") - command.find("AUTHENTICATION_API="));
  std::string out;
  EXPECT_EQ(
      runShell(env + " client resource /datasources --token-file " + token_file + " 2>&1", &out), 0)
      << out;
  EXPECT_NE(out.find("abcd1234"), std::string::npos) << out;
  EXPECT_EQ(runShell(env + " client revoke --token-file " + token_file + " 2>&1", &out), 0) << out;
  EXPECT_EQ(
      runShell(env + " client resource /datasources --token-file " + token_file + " 2>&1", &out), 1)
      << out;
  EXPECT_NE(out.find("invalid_token"), std::string::npos) << out;
  EXPECT_EQ(serve.terminate(), 0) << serve.log();
}

TEST(Sandbox, PortOffsetMovesEveryPort) {
  // An offset whose four ports are free now (the defaults 8000/8001/8010/8020 plus it).
  int offset = -1;
  for (int candidate = 21000; candidate < 40000 && offset < 0; candidate += 397) {
    bool all = true;
    for (int base : {8000, 8001, 8010, 8020}) {
      all = all && portFree(static_cast<std::uint16_t>(base + candidate));
    }
    if (all) offset = candidate;
  }
  ASSERT_GT(offset, 0);
  TempDir tmp;
  Sandbox sandbox({"--dir", tmp.path() + "/sb", "--port-offset", std::to_string(offset)},
                  tmp.path() + "/sandbox.log");
  ASSERT_TRUE(sandbox.waitReady()) << sandbox.log();
  const std::string out = sandbox.log();
  for (int base : {8000, 8001, 8010, 8020}) {
    EXPECT_NE(out.find("https://localhost:" + std::to_string(base + offset)), std::string::npos)
        << out;
    EXPECT_FALSE(portFree(static_cast<std::uint16_t>(base + offset))) << base + offset;
  }
  EXPECT_EQ(sandbox.terminate(), 0);
}

TEST(Sandbox, UsageErrors) {
  std::string out;
  EXPECT_EQ(runShell(kGridgate + " sandbox --ports 1,2,3 2>&1", &out), 2) << out;
  EXPECT_NE(out.find("four ports"), std::string::npos) << out;
  EXPECT_EQ(runShell(kGridgate + " sandbox --ports 9000,9000,9010,9020 2>&1", &out), 2) << out;
  EXPECT_EQ(runShell(kGridgate + " sandbox --port-offset 60000 2>&1", &out), 2) << out;
  EXPECT_NE(out.find("outside 1..65535"), std::string::npos) << out;
  EXPECT_EQ(runShell(kGridgate + " sandbox --port-offset 1 --ports 9000,9001,9010,9020 2>&1", &out),
            2)
      << out;
}

}  // namespace
}  // namespace gridgate
