#include "support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "common/files.h"

namespace gridgate::net::test {

RunningServer::RunningServer(ListenerConfig listener, std::shared_ptr<Router> router,
                             ServerConfig base) {
  if (listener.name == "default") listener.name = "test";
  base.listeners = {std::move(listener)};
  base.access_log = base.access_log && spdlog::get("access") != nullptr;
  server = std::make_unique<Server>(std::move(base));
  server->setRouter(std::move(router));
  auto st = server->start();
  EXPECT_TRUE(st) << st.error().detail;
  port = server->port();
}

TempDir::TempDir() : path_(test_support::makeTempDir("gridgate-net").string()) {}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int runShell(const std::string& command, std::string* output) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = pclose(p);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string readFileText(const std::string& path) { return test_support::readText(path); }

void writeFileText(const std::string& path, const std::string& text) {
  test_support::writeText(path, text);
}

namespace {

void mustRun(const std::string& cmd) {
  std::string out;
  if (runShell(cmd, &out) != 0) throw std::runtime_error("command failed: " + cmd + "\n" + out);
}

// openssl configuration for the CAs: extensions for CAs and leaves, and an `openssl ca` database
// for the CRL.
constexpr const char* kOpensslConf = R"(
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[server_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = IP:127.0.0.1,DNS:localhost
[server_wrong_name]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = DNS:other.example
[client_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = URI:https://client.example/app
[ca]
default_ca = client_ca
[client_ca]
dir = DIR
database = DIR/index.txt
new_certs_dir = DIR
certificate = DIR/client-ca.pem
private_key = DIR/client-ca.key
default_md = sha256
default_crl_days = 30
crlnumber = DIR/crlnumber
policy = any
[any]
commonName = supplied
)";

void makeCa(const std::string& dir, const std::string& name, const std::string& cn) {
  mustRun("cd " + dir + " && openssl req -x509 -config openssl.cnf -extensions v3_ca -newkey ec " +
          "-pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + name + ".key -out " + name +
          ".pem -days 30 -subj '/CN=" + cn + "'");
}

void makeLeaf(const std::string& dir, const std::string& name, const std::string& cn,
              const std::string& ca, const std::string& ext, bool rsa = false) {
  const std::string key = rsa ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
  mustRun("cd " + dir + " && openssl req -new -config openssl.cnf " + key + " -nodes -keyout " +
          name + ".key -out " + name + ".csr -subj '/CN=" + cn + "'");
  mustRun("cd " + dir + " && openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " +
          ca + ".key -set_serial 0x$(openssl rand -hex 8) -days 30 -extfile openssl.cnf " +
          "-extensions " + ext + " -out " + name + ".pem");
  writeFileText(dir + "/" + name + ".chain.pem",
                readFileText(dir + "/" + name + ".pem") + readFileText(dir + "/" + ca + ".pem"));
}

// The PKI takes seconds to make with the CLI (an RSA key, a CRL database) and ctest runs each
// test in its own process: it is made once per build directory and a day, under a file lock
// (ctest -j runs test processes in parallel), and reused.
struct PkiHolder {
  Pki pki;
  PkiHolder() {
    const std::string d = std::string(GRIDGATE_BINARY_DIR) + "/tests/net/test-pki";
    const int lock = ::open((d + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) throw std::runtime_error("cannot lock " + d);
    std::error_code ec;
    const auto marker = std::filesystem::path(d) / "complete";
    const bool fresh = std::filesystem::exists(marker, ec) &&
                       std::filesystem::file_time_type::clock::now() -
                               std::filesystem::last_write_time(marker, ec) <
                           std::chrono::hours(24);
    if (!fresh) {
      std::filesystem::remove_all(d, ec);
      std::filesystem::create_directories(d);
      generate(d);
      writeFileText(marker.string(), "");
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    fill(d);
  }

  static void generate(const std::string& d) {
    std::string conf = kOpensslConf;
    for (std::size_t pos = conf.find("DIR"); pos != std::string::npos; pos = conf.find("DIR")) {
      conf.replace(pos, 3, d);
    }
    writeFileText(d + "/openssl.cnf", conf);
    writeFileText(d + "/index.txt", "");
    writeFileText(d + "/crlnumber", "01\n");
    makeCa(d, "server-ca", "Test Server CA");
    makeCa(d, "client-ca", "Test Client CA");
    makeCa(d, "other-ca", "Unrelated CA");
    makeLeaf(d, "server", "server", "server-ca", "server_leaf");
    makeLeaf(d, "server-rsa", "server-rsa", "server-ca", "server_leaf", true);
    makeLeaf(d, "server-wrong", "wrong", "server-ca", "server_wrong_name");
    makeLeaf(d, "client", "client", "client-ca", "client_leaf");
    makeLeaf(d, "revoked", "revoked", "client-ca", "client_leaf");
    makeLeaf(d, "other-client", "other", "other-ca", "client_leaf");
    mustRun("cd " + d + " && openssl ca -config openssl.cnf -revoke revoked.pem");
    mustRun("cd " + d + " && openssl ca -config openssl.cnf -gencrl -out client-ca.crl.pem");
  }

  void fill(const std::string& d) {
    pki.dir = d;
    pki.server_ca = d + "/server-ca.pem";
    pki.server_chain = d + "/server.chain.pem";
    pki.server_key = d + "/server.key";
    pki.server_rsa_chain = d + "/server-rsa.chain.pem";
    pki.server_rsa_key = d + "/server-rsa.key";
    pki.server_wrong_name_chain = d + "/server-wrong.chain.pem";
    pki.server_wrong_name_key = d + "/server-wrong.key";
    pki.client_ca = d + "/client-ca.pem";
    pki.client_chain = d + "/client.chain.pem";
    pki.client_key = d + "/client.key";
    pki.client_leaf = d + "/client.pem";
    pki.revoked_chain = d + "/revoked.chain.pem";
    pki.revoked_key = d + "/revoked.key";
    pki.crl = d + "/client-ca.crl.pem";
    pki.other_ca = d + "/other-ca.pem";
    pki.other_client_chain = d + "/other-client.chain.pem";
    pki.other_client_key = d + "/other-client.key";
  }
};

}  // namespace

const Pki& testPki() {
  static PkiHolder holder;
  return holder.pki;
}

std::optional<std::string> RawResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

RawClient::RawClient(std::uint16_t port, const std::string& bind_address) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in local{};
  local.sin_family = AF_INET;
  inet_pton(AF_INET, bind_address.c_str(), &local.sin_addr);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    close();
    return;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close();
    return;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawClient::fill(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) return false;
  buffer_.append(buf, static_cast<std::size_t>(n));
  return true;
}

std::optional<RawResponse> RawClient::readResponse(bool head, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end = 0;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  RawResponse r;
  std::istringstream lines(buffer_.substr(0, end));
  std::string line;
  std::getline(lines, line);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) return std::nullopt;
  r.status = std::stoi(line.substr(9, 3));
  std::size_t length = 0;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "content-length") length = std::stoul(value);
    r.headers.emplace(name, value);
  }
  buffer_.erase(0, end + 4);
  if (head || r.status == 204 || r.status == 304) length = 0;
  while (buffer_.size() < length) {
    if (!fill(deadline)) return std::nullopt;
  }
  r.body = buffer_.substr(0, length);
  buffer_.erase(0, length);
  return r;
}

bool RawClient::closedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return true;  // EOF or reset
  }
}

std::string simpleGet(const std::string& path, const std::string& extra_headers) {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& log_file) {
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    if (!log_file.empty()) {
      FILE* f = std::freopen(log_file.c_str(), "a", stdout);
      (void)f;
      dup2(fileno(stdout), STDERR_FILENO);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

ChildProcess::~ChildProcess() { stop(); }

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

bool waitForPort(std::uint16_t port, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    RawClient c(port);
    if (c.connected()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace gridgate::net::test
