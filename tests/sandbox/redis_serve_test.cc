// `gridgate serve` with [store] type = "redis": the authorization server and the resource server
// as two processes (the sandbox's PKI and configuration, split in two) sharing a real
// redis-server. The store is Redis (users created there, the whole flow works); a revocation at
// the authorization server reaches the other process's validator through the Redis revocation
// bus, so the resource server refuses the JWT before it expires; both export the store and bus
// metrics.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "child.h"
#include "core/clock.h"
#include "redis_server.h"
#include "store/redis/redis_store.h"
#include "support.h"

namespace gridgate {
namespace {

using namespace std::chrono_literals;
using namespace sandbox_test;
using net::test::runShell;
using net::test::TempDir;

void writeText(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string replaceOnce(std::string s, const std::string& from, const std::string& to) {
  const std::size_t at = s.find(from);
  if (at == std::string::npos) return s;
  return s.replace(at, from.size(), to);
}

TEST(SandboxRedis, TwoServeProcessesShareRedisAndTheRevocationBus) {
  store::test::RedisServer redis;
  TempDir tmp;
  const std::string dir = tmp.path() + "/sb";
  const std::vector<std::uint16_t> ports = net::test::freePorts(4);
  std::string command;
  {
    // The PKI, configuration and printed command of a sandbox on these ports.
    Sandbox sandbox({"--dir", dir, "--ports", portsArg(ports)}, tmp.path() + "/sandbox.log");
    ASSERT_TRUE(sandbox.waitReady()) << sandbox.log();
    command = lineAfter(sandbox.log(), "The whole flow from the command line");
    ASSERT_EQ(sandbox.terminate(), 0);
  }

  // Split the configuration: [server] + [store] (Redis) + [authz...] / + [resource...].
  std::string text = net::test::readFileText(dir + "/gridgate.toml");
  text = replaceOnce(text, "[store]\ntype = \"sqlite\"\npath = \"gridgate.db\"\n",
                     "[store]\ntype = \"redis\"\nurl = \"" + redis.url() + "\"\n");
  ASSERT_NE(text.find("type = \"redis\""), std::string::npos) << text;
  const std::size_t authz_at = text.find("[authz]\n");
  const std::size_t resource_at = text.find("\n[resource]\n");
  ASSERT_NE(authz_at, std::string::npos);
  ASSERT_NE(resource_at, std::string::npos);
  const std::string common = text.substr(0, authz_at);
  // Metrics on the public and resource listeners, to read the Redis gauges.
  std::string authz_part = text.substr(authz_at, resource_at - authz_at);
  authz_part = replaceOnce(authz_part, "[authz.listeners.public]\n",
                           "[authz.listeners.public]\nmetrics = true\n");
  std::string resource_part = text.substr(resource_at);
  resource_part =
      replaceOnce(resource_part, "[resource.listener]\n", "[resource.listener]\nmetrics = true\n");
  writeText(dir + "/authz.toml", common + authz_part);
  writeText(dir + "/resource.toml", common + resource_part);

  // The demo user in the Redis store (gridgate users add works on SQLite files only).
  const std::string password = "alice's redis password";
  {
    store::RedisOptions o;
    o.url = redis.url();
    auto db = store::openRedis(o);
    ASSERT_TRUE(db) << db.error().detail;
    auto user = authz::ui::createUser(
        (*db)->users(), {.username = "alice", .password = password, .display_name = "Alice"},
        authz::ui::PasswordParams{}, SystemClock::instance());
    ASSERT_TRUE(user) << user.error().detail;
  }

  const auto url = [](std::uint16_t port) { return "https://localhost:" + std::to_string(port); };
  Gridgate as(
      {"serve", "--config", dir + "/authz.toml", "--public-port", std::to_string(ports[0]),
       "--mtls-port", std::to_string(ports[1])},
      tmp.path() + "/authz.log",
      {"GRIDGATE_AUTHZ_ISSUER=" + url(ports[0]), "GRIDGATE_AUTHZ_MTLS_BASE_URL=" + url(ports[1]),
       "GRIDGATE_AUTHZ_RESOURCE_AUDIENCES=" + url(ports[2]),
       "GRIDGATE_AUTHZ_CLIENTS_0_REDIRECT_URIS=https://127.0.0.1:" + std::to_string(ports[3]) +
           "/callback"});
  ASSERT_TRUE(as.waitReady(30s, "gridgate serve: ready public=" + std::to_string(ports[0]) +
                                    " mtls=" + std::to_string(ports[1]) + "\n"))
      << as.log();
  Gridgate rs(
      {"serve", "--config", dir + "/resource.toml", "--resource-port", std::to_string(ports[2])},
      tmp.path() + "/resource.log",
      {"GRIDGATE_RESOURCE_BASE_URL=" + url(ports[2]),
       "GRIDGATE_RESOURCE_TOKEN_ISSUER=" + url(ports[0])});
  ASSERT_TRUE(
      rs.waitReady(30s, "gridgate serve: ready resource=" + std::to_string(ports[2]) + "\n"))
      << rs.log();

  // The flow with the Redis user.
  const std::string env =
      command.substr(command.find("AUTHENTICATION_API="),
                     command.find(" client flow") - command.find("AUTHENTICATION_API="));
  const std::string token_file = tmp.path() + "/tokens.json";
  std::string out;
  ASSERT_EQ(runShell("echo \"" + password + "\" | " + env +
                         " client flow --user alice --password-stdin --json --token-file " +
                         token_file + " 2>&1",
                     &out),
            0)
      << out << as.log() << rs.log();
  auto flow = parseJson(out);
  ASSERT_TRUE(flow) << out;
  EXPECT_EQ(flow->value("ok", false), true) << out;

  // Metrics: the AS's store and publisher, the RS's subscriber.
  const std::string ca = dir + "/pki/server-ca.pem";
  ASSERT_EQ(runShell("curl -sS --cacert " + ca + " " + url(ports[0]) + "/metrics", &out), 0) << out;
  EXPECT_NE(out.find("gridgate_store_redis_up 1"), std::string::npos) << out;
  EXPECT_NE(out.find("gridgate_revocation_publish_queue"), std::string::npos) << out;
  ASSERT_EQ(
      runShell("curl -sS --cacert " + ca + " --cert " + dir + "/pki/client-demo-bundle.pem --key " +
                   dir + "/pki/client-demo-key.pem " + url(ports[2]) + "/metrics",
               &out),
      0)
      << out;
  EXPECT_NE(out.find("gridgate_revocation_subscribed 1"), std::string::npos) << out;

  // The token works (and is now in the resource server's cache), then it is revoked.
  const std::string resource =
      env + " client resource /datasources --token-file " + token_file + " 2>&1";
  ASSERT_EQ(runShell(resource, &out), 0) << out;
  ASSERT_EQ(runShell(env + " client revoke --token-file " + token_file + " 2>&1", &out), 0) << out;
  // The event crosses processes through Redis: wait for it, with a deadline far below the
  // token's lifetime (5 minutes) and the validation cache's TTL (60 s).
  bool refused = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    refused = runShell(resource, &out) == 1 && out.find("invalid_token") != std::string::npos;
    if (!refused) std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(refused) << out << rs.log();
  ASSERT_EQ(
      runShell("curl -sS --cacert " + ca + " --cert " + dir + "/pki/client-demo-bundle.pem --key " +
                   dir + "/pki/client-demo-key.pem " + url(ports[2]) + "/metrics",
               &out),
      0);
  EXPECT_EQ(out.find("gridgate_revocation_events_received 0"), std::string::npos) << out;

  EXPECT_EQ(rs.terminate(), 0) << rs.log();
  EXPECT_EQ(as.terminate(), 0) << as.log();
}

}  // namespace
}  // namespace gridgate
