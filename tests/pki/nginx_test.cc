// A real nginx (ssl_verify_client on, the generated server chain, client verify bundle and CRL)
// and a real curl presenting the generated client certificates.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "free_port.h"  // tests/net
#include "pki/pki.h"
#include "pki/support.h"

namespace gridgate::pki {
namespace {

using testing::quote;
using testing::readText;
using testing::runCommand;
using testing::TempDir;
using testing::writeText;

constexpr const char* kNginx = "/usr/sbin/nginx";

bool accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// nginx as a child process in the foreground, stopped (SIGTERM, then waited for) on destruction.
class Nginx {
 public:
  Nginx(const std::filesystem::path& prefix, const std::filesystem::path& pki_dir, int port)
      : log_(prefix / "nginx.log") {
    const std::string user = ::geteuid() == 0 ? "user root;\n" : "";
    const std::string p = prefix.string();
    const std::string d = pki_dir.string();
    writeText(prefix / "nginx.conf",
              user +
                  "worker_processes 1;\nevents { worker_connections 64; }\nhttp {\n"
                  "  access_log off;\n"
                  "  client_body_temp_path " +
                  p + "/body;\n  proxy_temp_path " + p +
                  "/proxy;\n"
                  "  fastcgi_temp_path " +
                  p + "/fastcgi;\n  uwsgi_temp_path " + p +
                  "/uwsgi;\n"
                  "  scgi_temp_path " +
                  p +
                  "/scgi;\n"
                  "  server {\n"
                  "    listen 127.0.0.1:" +
                  std::to_string(port) +
                  " ssl;\n"
                  "    ssl_protocols TLSv1.2 TLSv1.3;\n"
                  "    ssl_certificate " +
                  d +
                  "/server-bundle.pem;\n"
                  "    ssl_certificate_key " +
                  d +
                  "/server-key.pem;\n"
                  "    ssl_client_certificate " +
                  d +
                  "/client-verify-bundle.pem;\n"
                  "    ssl_verify_client on;\n"
                  "    ssl_verify_depth 2;\n"
                  "    ssl_crl " +
                  d +
                  "/client-crl.pem;\n"
                  "    location / { return 200 \"hello $ssl_client_s_dn\\n\"; }\n"
                  "  }\n}\n");
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      const std::string globals = "daemon off; pid " + p + "/nginx.pid; error_log stderr info;";
      const std::string conf = (prefix / "nginx.conf").string();
      const std::string prefix_arg = p + "/";
      ::execl(kNginx, kNginx, "-e", "stderr", "-p", prefix_arg.c_str(), "-c", conf.c_str(), "-g",
              globals.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Readiness: poll the port (a start-up wait, not time logic).
    for (int i = 0; i < 500 && !accepts(port); ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ready_ = pid_ > 0 && accepts(port);
  }
  ~Nginx() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }
  Nginx(const Nginx&) = delete;
  Nginx& operator=(const Nginx&) = delete;

  bool ready() const { return ready_; }
  std::string log() const { return readText(log_); }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

struct Response {
  int status = 0;
  std::string body;
};

// curl with the server's CA; `client` is a LeafFiles to present, or null for none.
Response curlGet(const Layout& l, int port, const LeafFiles* client,
                 const std::string& host = "localhost") {
  std::string cmd = "curl -sS --max-time 10 --cacert " + quote(l.server.ca) +
                    " --resolve localhost:" + std::to_string(port) +
                    ":127.0.0.1 -w '\\n%{http_code}'";
  if (client != nullptr) cmd += " --cert " + quote(client->bundle) + " --key " + quote(client->key);
  cmd += " https://" + host + ":" + std::to_string(port) + "/";
  const auto r = runCommand(cmd);
  Response out;
  const std::size_t nl = r.output.rfind('\n');
  if (nl == std::string::npos) return out;
  out.body = r.output.substr(0, nl);
  out.status = std::atoi(r.output.c_str() + nl + 1);
  return out;
}

TEST(PkiNginx, CurlGetsThroughAndRevokedClientIsRefused) {
  ASSERT_EQ(::access(kNginx, X_OK), 0) << "nginx is required (scripts/install-deps.sh)";
  TempDir pki_dir;
  TempDir nginx_dir;
  TempDir foreign_dir;
  const std::int64_t now = std::time(nullptr);
  auto r = init(InitOptions{.dir = pki_dir.path(), .now = now});
  ASSERT_TRUE(r) << r.error().detail;
  const Layout& l = r->layout;
  auto foreign = init(InitOptions{.dir = foreign_dir.path(), .now = now});
  ASSERT_TRUE(foreign);
  const Identities ids = sandboxIdentities();

  {
    const int port = net::test::freePort();
    Nginx nginx(nginx_dir.path(), pki_dir.path(), port);
    ASSERT_TRUE(nginx.ready()) << nginx.log();
    Response demo = curlGet(l, port, &l.client_demo);
    EXPECT_EQ(demo.status, 200) << demo.body << nginx.log();
    EXPECT_EQ(demo.body,
              "hello CN=" + ids.demo_application + ",O=Demo Carbon Accounting,ST=London,C=GB\n");
    // The server certificate also carries IP:127.0.0.1.
    EXPECT_EQ(curlGet(l, port, &l.client_demo, "127.0.0.1").status, 200);
    EXPECT_EQ(curlGet(l, port, &l.client_other).status, 200) << nginx.log();
    // No certificate, or one of another trust framework: refused.
    EXPECT_EQ(curlGet(l, port, nullptr).status, 400);
    EXPECT_EQ(curlGet(l, port, &foreign->layout.client_demo).status, 400);
  }

  auto other = x509::Certificate::fromPem(readText(l.client_other.cert));
  ASSERT_TRUE(other);
  ASSERT_TRUE(revoke(l, *other, std::time(nullptr)));
  {
    const int port = net::test::freePort();
    Nginx nginx(nginx_dir.path(), pki_dir.path(), port);
    ASSERT_TRUE(nginx.ready()) << nginx.log();
    EXPECT_EQ(curlGet(l, port, &l.client_demo).status, 200) << nginx.log();
    const Response refused = curlGet(l, port, &l.client_other);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_NE(nginx.log().find("certificate revoked"), std::string::npos) << nginx.log();
  }
}

}  // namespace
}  // namespace gridgate::pki
