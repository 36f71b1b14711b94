// nginx as a test child process: one foreground process (no master, no daemon) whose every file
// (error log, pid, temp directories) is under one directory, so that several tests can each run
// their own on free ports.
//
//   auto nginx = net::test::startNginx(dir, net::test::mtlsProxyServer({.port = port, ...}));
//   ASSERT_TRUE(net::test::waitForPort(port, 5s)) << net::test::readFileText(dir + "/error.log");
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "support.h"

namespace gridgate::net::test {

inline constexpr const char* kNginx = "/usr/sbin/nginx";

// Writes `dir`/nginx.conf with `http_body` inside its http block and starts nginx on it, stdout
// and stderr to `dir`/stdout.log, its error log in `dir`/error.log.
std::unique_ptr<ChildProcess> startNginx(const std::string& dir, const std::string& http_body);

// A server block for startNginx: nginx terminates mTLS on 127.0.0.1:port (client certificates
// chaining to client_ca, depth up to 2) and forwards to http://127.0.0.1:upstream with the verified
// client certificate in X-Amzn-Mtls-Clientcert-Leaf ($ssl_client_escaped_cert), keep-alive.
struct MtlsProxy {
  std::uint16_t port = 0;
  std::string cert_chain, key;  // nginx's server certificate
  std::string client_ca;
  std::uint16_t upstream = 0;
};
std::string mtlsProxyServer(const MtlsProxy& proxy);

}  // namespace gridgate::net::test
