// Starts the cpp-httplib example provider as a separate process against the in-process test
// issuer (discovery, introspection over mTLS) and calls it with curl over mTLS, as an API client
// would.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "support.h"

namespace gridgate::validator {
namespace {

using testing::TestIssuer;

// The example, started with argv; killed and reaped at the end of the test.
class Provider {
 public:
  explicit Provider(const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    // "listening on <port>\n", within a few seconds.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    fcntl(out[0], F_SETFL, O_NONBLOCK);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      char buf[128];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n > 0) {
        line.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));  // waiting for a process
      }
    }
    close(out[0]);
    if (line.starts_with("listening on ")) port_ = std::stoi(line.substr(13));
  }
  ~Provider() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

struct CurlResult {
  int exit_code = -1;
  int status = 0;
  std::string headers;
  std::string body;
};

std::string shellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

CurlResult curl(const std::string& url, const std::vector<std::string>& args) {
  const testing::TempDir dir;
  std::string cmd = "curl -sS --max-time 20 -D " + shellQuote((dir.path() / "h").string()) +
                    " -o " + shellQuote((dir.path() / "b").string()) + " -w '%{http_code}'";
  for (const auto& a : args) cmd += " " + shellQuote(a);
  cmd += " " + shellQuote(url) + " 2>/dev/null";
  CurlResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char code[16] = {};
  const std::size_t n = fread(code, 1, sizeof code - 1, p);
  r.exit_code = WEXITSTATUS(pclose(p));
  r.status = std::atoi(std::string(code, n).c_str());
  if (std::filesystem::exists(dir.path() / "h")) r.headers = testing::readText(dir.path() / "h");
  if (std::filesystem::exists(dir.path() / "b")) r.body = testing::readText(dir.path() / "b");
  return r;
}

TEST(ExampleProvider, ProtectsDataWithMtlsAndIntrospection) {
  FakeClock clock(SystemClock::instance().unixSeconds());
  TestIssuer as(clock);
  const testing::TestPki& pki = testing::testPki();
  const testing::Leaf& provider_creds = pki.leaves.at("provider");
  Provider provider({GRIDGATE_EXAMPLE_PROVIDER,
                     "--issuer",
                     as.issuer(),
                     "--audience",
                     std::string(testing::kAudience),
                     "--client-id",
                     provider_creds.application,
                     "--client-cert",
                     provider_creds.bundle,
                     "--client-key",
                     provider_creds.key,
                     "--issuer-ca",
                     pki.server_ca,
                     "--server-cert",
                     pki.server_bundle,
                     "--server-key",
                     pki.server_key,
                     "--client-ca",
                     pki.client_verify_bundle,
                     "--scope",
                     std::string(testing::kLicence),
                     "--port",
                     "0"});
  ASSERT_GT(provider.port(), 0) << "the example did not start";
  const std::string url = "https://127.0.0.1:" + std::to_string(provider.port()) + "/";
  const testing::Leaf& demo = pki.leaves.at("demo");
  const std::vector<std::string> mtls = {"--cacert",  pki.server_ca, "--cert",
                                         demo.bundle, "--key",       demo.key};
  const x509::Certificate demo_cert = pki.cert("demo");

  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = mtls;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };

  const std::string token = as.opaque({}, demo_cert);
  const CurlResult ok = curl(url, with({"-H", "Authorization: Bearer " + token}));
  EXPECT_EQ(ok.status, 200) << ok.headers << ok.body;
  EXPECT_NE(ok.body.find("meter,period,kwh"), std::string::npos);
  EXPECT_EQ(as.lastIntrospectionAuth(), "mtls:" + provider_creds.application);
  // Cached: a second call makes no introspection call.
  EXPECT_EQ(curl(url, with({"-H", "Authorization: Bearer " + token})).status, 200);
  EXPECT_EQ(as.introspectionCalls(), 1);

  const CurlResult none = curl(url, mtls);
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers.find("WWW-Authenticate: Bearer realm=\"example-data-provider\""),
            std::string::npos)
      << none.headers;

  const CurlResult inactive = curl(url, with({"-H", "Authorization: Bearer unknown-token"}));
  EXPECT_EQ(inactive.status, 401);
  EXPECT_NE(inactive.headers.find("error=\"invalid_token\""), std::string::npos);

  const CurlResult scope = curl(
      url, with({"-H", "Authorization: Bearer " + as.opaque({{"scope", "other"}}, demo_cert)}));
  EXPECT_EQ(scope.status, 403);

  const CurlResult query = curl(url + "?access_token=" + token, mtls);
  EXPECT_EQ(query.status, 400);

  // Another client's certificate with this client's token.
  const testing::Leaf& other = pki.leaves.at("other");
  const CurlResult stolen = curl(url, {"--cacert", pki.server_ca, "--cert", other.bundle, "--key",
                                       other.key, "-H", "Authorization: Bearer " + token});
  EXPECT_EQ(stolen.status, 401);

  // No client certificate: the TLS handshake itself fails.
  const CurlResult no_cert =
      curl(url, {"--cacert", pki.server_ca, "-H", "Authorization: Bearer " + token});
  EXPECT_NE(no_cert.exit_code, 0);
  EXPECT_NE(no_cert.status, 200);
}

}  // namespace
}  // namespace gridgate::validator
