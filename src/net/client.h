// Outbound HTTPS (and loopback http://) with mTLS, for introspection, JWKS, discovery and message
// delivery. No Asio or Beast here: the client runs its own I/O thread behind a pimpl.
//
//   GG_TRY(auto client, net::HttpClient::create(net::ClientConfig{
//       .tls = {.ca_file = "server-ca.pem", .cert_chain_file = "client.chain.pem",
//               .key_file = "client.key"}}));
//   net::ClientRequest req{.method = net::Method::kPost,
//                          .url = "https://as.example:8001/introspect",
//                          .body = net::encodeForm({{"token", token}})};
//   req.headers.add("Content-Type", "application/x-www-form-urlencoded");
//   GG_TRY(net::ClientResponse res, client->send(req));          // blocking
//   client->sendAsync(req, [](Result<net::ClientResponse> r) { ... });   // on the client thread
//
// The server certificate must chain to `ca_file` (or the system store) and name the host: SAN DNS
// or SAN IP (RFC 9525; the CN is never used). Connections are kept alive and pooled per origin.
// Idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS, or `idempotent = true`) are retried after
// a connection failure, a timeout, or a 502/503/504, with exponential backoff and full jitter; a
// POST is sent once. Errors: kUnavailable (connect/TLS/reset), kTimeout, kLimitExceeded (response
// too large), kMalformed (not HTTP), kInvalidArgument (bad URL).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "net/http.h"

namespace gridgate::net {

struct TlsClientConfig {
  std::string ca_file{};          // PEM trust anchors for the server; empty: the system store
  std::string cert_chain_file{};  // optional client certificate chain (PEM, leaf first)
  std::string key_file{};
  bool verify_peer = true;  // false only for load generation against a known test server
  // Test-only overrides, to check that a server refuses what gridgate's policy forbids:
  // an OpenSSL cipher list ("AES128-GCM-SHA256", "DEFAULT@SECLEVEL=0") and a maximum protocol
  // version (TLS1_1_VERSION); both also lift the TLS 1.2 minimum.
  std::optional<std::string> test_cipher_list{};
  int test_max_version = 0;
};

struct RetryPolicy {
  unsigned max_attempts = 3;  // including the first
  std::chrono::milliseconds base_backoff{100};
  std::chrono::milliseconds max_backoff{2000};
};

struct ClientConfig {
  TlsClientConfig tls{};
  std::chrono::milliseconds connect_timeout{5000};   // DNS + TCP + TLS handshake
  std::chrono::milliseconds request_timeout{30000};  // write the request, read the response
  std::size_t max_response_bytes = 4 * 1024 * 1024;
  std::size_t max_response_header_bytes = 64 * 1024;
  std::size_t max_idle_per_origin = 8;
  std::chrono::milliseconds pool_idle_timeout{30000};
  RetryPolicy retry{};
  std::string user_agent = "gridgate";
};

struct ClientRequest {
  Method method = Method::kGet;
  std::string url{};  // http:// or https://, host as DNS name, IPv4 or [IPv6]
  Headers headers{};
  std::string body{};
  std::optional<bool> idempotent{};  // default: by method
};

struct ClientResponse {
  int status = 0;
  Headers headers{};
  std::string body{};
};

class HttpClient {
 public:
  [[nodiscard]] static Result<std::unique_ptr<HttpClient>> create(ClientConfig config);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Blocks the calling thread; never call it from inside `sendAsync`'s callback.
  [[nodiscard]] Result<ClientResponse> send(ClientRequest request);
  // `done` runs exactly once, on the client's I/O thread: keep it short, or post elsewhere.
  void sendAsync(ClientRequest request, std::function<void(Result<ClientResponse>)> done);

  // Pooled idle connections (for tests).
  std::size_t idleConnections() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_{};
};

}  // namespace gridgate::net
