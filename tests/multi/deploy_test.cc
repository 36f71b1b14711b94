// The deployment files do what docs/deployment.md says: the systemd unit passes
// `systemd-analyze verify` and rates "OK" (exposure below 2) in `systemd-analyze security`;
// redis-server runs with deploy/redis/gridgate.conf (and with its ACL user line) and the store and
// the revocation bus work through it; the [store] keys of config/common.h parse as documented.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "config/common.h"
#include "config/document.h"
#include "free_port.h"  // tests/net
#include "redis_server.h"
#include "store/redis/redis_store.h"
#include "store/redis/revocation_bus.h"

namespace gridgate {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path kSource = GRIDGATE_SOURCE_DIR;

std::string readFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int run(const std::string& command, std::string* output) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  output->clear();
  while (std::fgets(buf, sizeof buf, p) != nullptr) output->append(buf);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// ------------------------------------------------------------------------------------------------
// systemd

TEST(DeploySystemd, UnitVerifiesAndIsHardened) {
  store::conformance::TempDir dir;
  std::string unit = readFile(kSource / "deploy/systemd/gridgate@.service");
  ASSERT_FALSE(unit.empty());
  // verify insists that ExecStart's binary exists: point it at one that does.
  const std::string installed = "/usr/bin/gridgate";
  ASSERT_NE(unit.find(installed), std::string::npos);
  unit.replace(unit.find(installed), installed.size(), "/bin/true");
  const fs::path file = dir.path() / "gridgate@authz.service";
  std::ofstream(file) << unit;
  std::string out;
  EXPECT_EQ(run("systemd-analyze verify " + file.string(), &out), 0) << out;
  EXPECT_EQ(out.find("Unknown"), std::string::npos) << out;
  ASSERT_EQ(run("systemd-analyze security --offline=yes " + file.string(), &out), 0) << out;
  const std::size_t at = out.find("Overall exposure level");
  ASSERT_NE(at, std::string::npos) << out;
  const std::size_t colon = out.find(':', at);
  const double exposure = std::stod(out.substr(colon + 1));
  EXPECT_LT(exposure, 2.0) << out.substr(at);
  for (const char* setting :
       {"NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
        "UMask=0077", "User=gridgate", "RestartPreventExitStatus=2"}) {
    EXPECT_NE(unit.find(setting), std::string::npos) << setting;
  }
}

// ------------------------------------------------------------------------------------------------
// Redis with the deployment's configuration file

// redis-server with deploy/redis/gridgate.conf; the command line overrides what a test cannot
// use (port, dir, password), as an operator's own lines after the include would.
class ConfiguredRedis {
 public:
  explicit ConfiguredRedis(std::vector<std::string> extra = {}) {
    port_ = net::test::freePort();
    std::vector<std::string> args = {"/usr/bin/redis-server",
                                     (kSource / "deploy/redis/gridgate.conf").string(),
                                     "--port",
                                     std::to_string(port_),
                                     "--dir",
                                     dir_.path().string(),
                                     "--requirepass",
                                     "deploy-test-secret",
                                     "--logfile",
                                     (dir_.path() / "redis.log").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    child_ = std::make_unique<Child>(args);
  }
  std::uint16_t port() const { return port_; }
  const fs::path& dir() const { return dir_.path(); }

 private:
  struct Child {
    explicit Child(std::vector<std::string> args) {
      pid = ::fork();
      if (pid == 0) {
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
      }
    }
    ~Child() {
      if (pid > 0) {
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
      }
    }
    pid_t pid = -1;
  };
  store::conformance::TempDir dir_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Child> child_;
};

Result<std::shared_ptr<store::RedisStore>> openEventually(const store::RedisOptions& o) {
  auto db = store::openRedis(o);
  // Waiting for the external server to start listening (real time, bounded).
  for (int i = 0; i < 500 && !db && db.error().code == Errc::kUnavailable; ++i) {
    std::this_thread::sleep_for(10ms);
    db = store::openRedis(o);
  }
  return db;
}

TEST(DeployRedis, ConfigFileIsAcceptedAndDurable) {
  ConfiguredRedis redis;
  store::RedisOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(redis.port());
  o.password = "deploy-test-secret";
  auto db = openEventually(o);
  ASSERT_TRUE(db) << db.error().detail;  // noeviction and version checked
  store::Grant g;
  g.id = "g1";
  g.evidence_id = "ev1";
  g.expires_at = 4'000'000'000;
  ASSERT_TRUE((*db)->grants().create(g));
  // The file's persistence is what docs/deployment.md recommends.
  std::string out;
  ASSERT_EQ(run("redis-cli -p " + std::to_string(redis.port()) +
                    " -a deploy-test-secret --no-auth-warning CONFIG GET appendfsync",
                &out),
            0);
  EXPECT_NE(out.find("always"), std::string::npos) << out;
  ASSERT_EQ(run("redis-cli -p " + std::to_string(redis.port()) +
                    " -a deploy-test-secret --no-auth-warning CONFIG GET maxmemory-policy",
                &out),
            0);
  EXPECT_NE(out.find("noeviction"), std::string::npos) << out;
  // Without the password: refused.
  store::RedisOptions no_password = o;
  no_password.password.reset();
  EXPECT_FALSE(store::openRedis(no_password).has_value());
}

TEST(DeployRedis, DocumentedAclUserIsEnough) {
  // The ACL line at the end of deploy/redis/gridgate.conf, enabled.
  const std::string conf = readFile(kSource / "deploy/redis/gridgate.conf");
  const std::string marker = "# user gridgate on ";
  const std::size_t at = conf.find(marker);
  ASSERT_NE(at, std::string::npos);
  std::string acl = conf.substr(at + 2, conf.find('\n', at) - at - 2);
  std::vector<std::string> extra = {"--user"};
  std::istringstream words(acl.substr(5));  // after "user "
  for (std::string w; words >> w;) extra.push_back(w);
  ConfiguredRedis redis(extra);
  store::RedisOptions o;
  o.url = "redis://127.0.0.1:" + std::to_string(redis.port());
  o.username = "gridgate";
  o.password = "another-long-secret";
  auto db = openEventually(o);
  ASSERT_TRUE(db) << db.error().detail;
  store::Grant g;
  g.id = "g1";
  g.evidence_id = "ev1";
  g.expires_at = 4'000'000'000;
  ASSERT_TRUE((*db)->grants().create(g));
  ASSERT_TRUE((*db)->replays().remember("jti", 4'000'000'000));
  ASSERT_TRUE((*db)->sweep(1'700'000'000));
  // The revocation bus (XADD, PUBLISH, SUBSCRIBE, XRANGE) works as that user.
  std::atomic<int> got{0};
  auto sub = store::RevocationSubscriber::start(o, [&](const store::RevocationEvent&) { ++got; });
  ASSERT_TRUE(sub);
  ASSERT_TRUE((*sub)->waitSubscribed(5s));
  auto pub = store::RevocationBusPublisher::start(o);
  ASSERT_TRUE(pub);
  auto reached = (*pub)->publishNow({.grant_id = "g1", .jtis = {}});
  ASSERT_TRUE(reached) << reached.error().detail;
  for (int i = 0; i < 500 && got.load() == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(got.load(), 1);
  // Keys outside its prefix are refused to it.
  store::RedisOptions other = o;
  other.key_prefix = "other:";
  auto outside = store::openRedis(other);
  ASSERT_TRUE(outside);
  auto refused = (*outside)->grants().create(g);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, Errc::kUnavailable);
}

// ------------------------------------------------------------------------------------------------
// [store] keys

TEST(StoreConfig, RedisKeysParse) {
  auto doc = config::Document::parse(
      R"(
[store]
type = "redis"
url = "redis://10.0.0.20:6379/0"
key_prefix = "prod:"
database = 2
username = "gridgate"
pool_size = 16
connect_timeout_ms = 250
command_timeout_ms = 750
expired_retention = "2h"
revocation_log_retention = "30m"
)",
      "test.toml", "/tmp", {.env = [](const std::string& name) -> std::optional<std::string> {
        if (name == "GRIDGATE_STORE_PASSWORD") return "from-env";
        return std::nullopt;
      }});
  ASSERT_TRUE(doc) << doc.error().detail;
  auto server = config::parseServerSection(*doc);
  ASSERT_TRUE(server);
  auto s = config::parseStoreSection(*doc, *server);
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_EQ(s->type, config::StoreType::kRedis);
  EXPECT_EQ(s->redis.url, "redis://10.0.0.20:6379/0");
  EXPECT_EQ(s->redis.key_prefix, "prod:");
  EXPECT_EQ(s->redis.database, 2);
  EXPECT_EQ(s->redis.username, "gridgate");
  EXPECT_EQ(s->redis.password, "from-env");
  EXPECT_EQ(s->redis.pool_size, 16u);
  EXPECT_EQ(s->redis.connect_timeout, 250ms);
  EXPECT_EQ(s->redis.command_timeout, 750ms);
  EXPECT_EQ(s->redis.expired_retention, Seconds(7200));
  EXPECT_EQ(s->redis.revocation_log_retention, Seconds(1800));
  EXPECT_TRUE(doc->checkAllRead());
}

TEST(StoreConfig, RedisKeysWithSqliteAreATypo) {
  auto doc = config::Document::parse("[store]\ntype = \"sqlite\"\nurl = \"redis://h\"\n",
                                     "test.toml", "/tmp");
  ASSERT_TRUE(doc);
  auto server = config::parseServerSection(*doc);
  ASSERT_TRUE(server);
  auto s = config::parseStoreSection(*doc, *server);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->type, config::StoreType::kSqlite);
  auto unread = doc->checkAllRead();
  ASSERT_FALSE(unread);
  EXPECT_NE(unread.error().detail.find("store.url"), std::string::npos);
}

TEST(StoreConfig, BadRedisValuesAreRefused) {
  for (const char* bad :
       {"type = \"memcached\"", "type = \"redis\"\npool_size = 0",
        "type = \"redis\"\ncommand_timeout_ms = 0", "type = \"redis\"\ndatabase = -1",
        "type = \"redis\"\nrevocation_log_retention = \"0s\""}) {
    auto doc = config::Document::parse(std::string("[store]\n") + bad + "\n", "t.toml", "/tmp");
    ASSERT_TRUE(doc) << bad;
    auto server = config::parseServerSection(*doc);
    ASSERT_TRUE(server);
    auto s = config::parseStoreSection(*doc, *server);
    EXPECT_FALSE(s.has_value()) << bad;
  }
}

}  // namespace
}  // namespace gridgate
