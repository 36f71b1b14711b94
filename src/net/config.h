// Server configuration as plain structs: the TOML loader fills them, tests build them in code.
// No Asio or Beast here.
//
//   net::ServerConfig cfg;
//   net::ListenerConfig& mtls = cfg.listeners.emplace_back();
//   mtls.name = "mtls";
//   mtls.address = "0.0.0.0";
//   mtls.port = 8001;
//   mtls.tls = net::TlsServerConfig{
//       .certificates = {{.chain_file = "server.chain.pem", .key_file = "server.key"}},
//       .client_cert = net::ClientCertMode::kRequire,
//       .client_ca_file = "client-ca-bundle.pem"};
//   net::ListenerConfig& proxied = cfg.listeners.emplace_back();   // behind nginx / an ALB
//   proxied.name = "resource";
//   proxied.trusted_proxy = net::TrustedProxyConfig{.proxies = {"10.0.0.0/8"},
//                                                   .header = "X-Amzn-Mtls-Clientcert-Leaf"};
//
// Every limit has a safe default; a listener without `tls` speaks plain HTTP and is meant for
// loopback tests or for a listener behind a TLS terminator (`trusted_proxy`).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "net/http.h"
#include "x509/forwarded.h"

namespace gridgate::net {

class MetricsRegistry;
class BlockingPool;

using Millis = std::chrono::milliseconds;

enum class ClientCertMode {
  kNone,      // no certificate requested
  kOptional,  // requested; a presented certificate must verify, none is allowed
  kRequire,   // the handshake fails without a certificate that verifies
};

// One server certificate chain (leaf first, then intermediates) and its private key, PEM files.
// Give one ECDSA and one RSA pair to serve both kinds of clients; OpenSSL picks per handshake.
struct CertificateKeyFiles {
  std::string chain_file{};
  std::string key_file{};
};

// TLS per FAPI 2.0 section 5.2.1 / BCP 195: TLS 1.2 and 1.3 only; TLS 1.2 suites only
// ECDHE-{ECDSA,RSA}-AES{128,256}-GCM; renegotiation off; tickets on.
struct TlsServerConfig {
  std::vector<CertificateKeyFiles> certificates{};
  ClientCertMode client_cert = ClientCertMode::kNone;
  std::string
      client_ca_file{};    // PEM trust anchors for client certificates (required unless kNone)
  std::string crl_file{};  // optional PEM CRLs; when set, the client leaf must not be revoked
  int verify_depth = 4;    // intermediates allowed between the client leaf and its anchor
  bool session_tickets = true;
  // Resumed sessions skip certificate verification (and any CRL published since): keep it short.
  std::chrono::seconds session_lifetime{3600};
};

// A listener behind a TLS terminator (nginx, an AWS ALB, Envoy) that verifies the client
// certificate and forwards it in a header.
struct TrustedProxyConfig {
  std::vector<std::string> proxies{};  // CIDRs of the terminators ("10.0.0.0/8", "127.0.0.1/32")
  std::string header = "X-Amzn-Mtls-Clientcert-Leaf";
  x509::ForwardedFormat format = x509::ForwardedFormat::kUrlEncodedPem;
  // Peers outside `proxies` are disconnected at once. When false they are served, but the header
  // is removed from their requests and never read.
  bool reject_other_peers = true;
  // Optional PEM trust anchors: forwarded certificates must also chain to them (defence in depth
  // behind a terminator that verifies too); a certificate that does not is answered 400.
  std::string client_ca_file{};
};

struct Limits {
  std::size_t max_header_bytes = 16 * 1024;  // request line + headers; beyond: 431
  std::size_t max_body_bytes = 1024 * 1024;  // beyond: 413 (RouteOptions may lower or raise it)
  Millis handshake_timeout{10'000};          // TCP accept to TLS handshake done
  Millis idle_timeout{60'000};               // keep-alive: waiting for a request's first byte
  Millis request_timeout{30'000};            // first byte to last body byte (slow clients)
  Millis write_timeout{30'000};              // writing one response
  std::size_t max_connections = 10'000;      // beyond: accepted and closed at once
};

struct ListenerConfig {
  std::string name = "default";
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (Server::port() tells which)
  std::optional<TlsServerConfig> tls{};
  std::optional<TrustedProxyConfig> trusted_proxy{};
  Limits limits{};
  SecurityHeaders security_headers{};
  bool health_endpoints = true;  // /healthz and /readyz
  bool metrics_endpoint = true;  // /metrics (put it on an internal listener in production)
};

struct ServerConfig {
  std::vector<ListenerConfig> listeners{};
  unsigned io_threads = 1;
  unsigned blocking_threads = 4;  // for RouteOptions::offload, unless `blocking_pool` is given
  std::shared_ptr<BlockingPool> blocking_pool{};
  std::shared_ptr<MetricsRegistry> metrics{};  // null: the server makes its own
  bool access_log = true;                      // one JSON line per request (logger "access")
  Millis shutdown_timeout{10'000};             // stop(): how long in-flight requests may take
  // Extra readiness condition for /readyz (store reachable...). Must be fast and thread-safe.
  std::function<bool()> ready{};
  // Time for validity checks of forwarded client certificates; null: the system clock. Must
  // outlive the server.
  const Clock* clock = nullptr;
};

}  // namespace gridgate::net
