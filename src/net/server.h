// The HTTPS/mTLS server every gridgate component runs on. No Asio or Beast here (pimpl): code that
// registers handlers and starts a server compiles without them.
//
//   net::ServerConfig cfg = loadConfig(...);              // plain structs, net/config.h
//   auto mtls = std::make_shared<net::Router>();
//   mtls->post("/token", tokenHandler, {.offload = true});
//   net::Server server(std::move(cfg));
//   server.setRouter("mtls", mtls);                       // per listener name
//   server.setRouter(publicRouter);                       // every other listener
//   if (auto st = server.start(); !st) return fail(st.error());   // binds, loads certificates
//   log::info("listening on {}", server.port("mtls"));    // the bound port (config port 0)
//   server.stopOnSignals();                               // SIGTERM/SIGINT -> stop()
//   server.wait();                                        // returns once drained: exit 0
//
// One coroutine per connection on its own strand; `io_threads` threads run them (1 is right for a
// benchmark and most deployments: TLS and HTTP parsing are cheap, blocking work is offloaded).
// Per connection: TLS handshake (deadline), then for each request a fresh parser with the header
// and body limits, the whole request read under one deadline (a slow client cannot hold the
// connection), routing, the handler, one write. Keep-alive and pipelining: requests on a
// connection are answered in order.
//
// The client certificate is verified in the handshake and parsed once per connection
// (Request::peer.client_cert); behind a trusted proxy it comes from the configured header, parsed
// once per distinct header value on the connection.
//
// Every response gets Date, x-fapi-interaction-id (the request's if it is a UUID, else a new UUID
// v4), Content-Length and the listener's security headers. Errors produced by the server itself:
// 400 (unparseable request, bad forwarded certificate), 404, 405 + Allow, 413, 431, 500 (handler
// threw or dropped its Respond), 503 (blocking pool full). Operations: /healthz, /readyz,
// /metrics, and a JSON access log line per request (method, route pattern, status, duration,
// interaction id; never a path, query string, header or body).
//
// stop() is thread-safe and returns at once: listeners close, idle connections close, in-flight
// requests finish (their responses say `Connection: close`) within `shutdown_timeout`, then the
// I/O threads end and wait() returns.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "core/result.h"
#include "net/blocking_pool.h"
#include "net/config.h"
#include "net/metrics.h"
#include "net/router.h"

namespace gridgate::net {

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();  // stop() and wait()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Before start(). A listener without a router of its own uses the default one.
  void setRouter(std::string_view listener, std::shared_ptr<const Router> router);
  void setRouter(std::shared_ptr<const Router> router);

  // Binds every listener, loads certificates and trust anchors, starts the threads.
  [[nodiscard]] Status start();
  // The bound port of a listener (after start), 0 if there is no such listener.
  std::uint16_t port(std::string_view listener) const;
  std::uint16_t port() const;  // of the first listener

  void stop();
  void wait();
  // SIGINT and SIGTERM call stop(). After start().
  void stopOnSignals();
  bool stopping() const;

  MetricsRegistry& metrics();
  BlockingPool& blockingPool();
  std::size_t activeConnections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridgate::net
