// Test support for net/: a PKI made with the openssl CLI, a blocking raw-socket HTTP client (so
// that tests can send exactly the bytes they mean, slowly, pipelined or malformed), a child
// process owner (nginx, openssl s_client) and free ports (free_port.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "free_port.h"
#include "net/server.h"

namespace gridgate::net::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Certificates for the TLS tests, made once per test binary with the openssl CLI.
struct Pki {
  std::string dir;
  std::string server_ca;                         // root that signed the server certificates
  std::string server_chain, server_key;          // ECDSA P-256, SAN IP:127.0.0.1, DNS:localhost
  std::string server_rsa_chain, server_rsa_key;  // RSA 2048, same names
  std::string server_wrong_name_chain, server_wrong_name_key;  // DNS:other.example only
  std::string client_ca;                                       // root of the client certificates
  std::string client_chain, client_key;  // ECDSA, SAN URI https://client.example/app
  std::string client_leaf;               // leaf only (PEM)
  std::string revoked_chain, revoked_key;
  std::string crl;                                             // client CA's CRL listing `revoked`
  std::string other_ca, other_client_chain, other_client_key;  // an unrelated CA and its client
};
const Pki& testPki();

// Runs `command` with /bin/sh; returns the exit status and stores stdout+stderr in `output`.
int runShell(const std::string& command, std::string* output = nullptr);

std::string readFileText(const std::string& path);
void writeFileText(const std::string& path, const std::string& text);

struct RawResponse {
  int status = 0;
  std::multimap<std::string, std::string> headers;  // names lowercased
  std::string body;
  std::optional<std::string> header(const std::string& lower_name) const;
};

// A blocking TCP client speaking HTTP/1.1 over plain sockets.
class RawClient {
 public:
  explicit RawClient(std::uint16_t port, const std::string& bind_address = "127.0.0.1");
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(const std::string& bytes);
  // One response (Content-Length delimited; `head` for a HEAD request), or nullopt on close,
  // timeout or garbage.
  std::optional<RawResponse> readResponse(
      bool head = false, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True if the peer closes (EOF or reset) within `timeout` without sending anything more.
  bool closedWithin(std::chrono::milliseconds timeout);
  void close();

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
};

std::string simpleGet(const std::string& path, const std::string& extra_headers = {});

// A child process started from argv, killed (SIGKILL if SIGTERM is not enough) and reaped by the
// destructor. The child dies with the test process (PR_SET_PDEATHSIG).
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv, const std::string& log_file = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  pid_t pid() const { return pid_; }
  bool running();
  void stop();

 private:
  pid_t pid_ = -1;
};

// A started in-process server with one listener (named "test" unless the config names it).
// The access log is on only if a test registered an "access" logger.
struct RunningServer {
  explicit RunningServer(ListenerConfig listener, std::shared_ptr<Router> router,
                         ServerConfig base = {});
  std::unique_ptr<Server> server;
  std::uint16_t port = 0;
};

// Polls until something accepts connections on 127.0.0.1:port.
bool waitForPort(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace gridgate::net::test
