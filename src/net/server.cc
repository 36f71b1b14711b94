#include "net/server.h"

#include <openssl/ssl.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <array>
#include <atomic>
#include <boost/asio/signal_set.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "core/clock.h"
#include "core/log.h"
#include "net/cidr.h"
#include "net/internal/asio.h"
#include "net/internal/http_io.h"
#include "net/internal/stream.h"
#include "net/internal/tls.h"
#include "x509/forwarded.h"
#include "x509/trust_store.h"

namespace gridgate::net {

using internal::Awaitable;
using internal::ecToken;
using internal::error_code;
using internal::Stream;
using internal::sv;
using internal::tcp;
namespace asio = internal::asio;
namespace beast = internal::beast;
namespace http = internal::http;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kIdleBufferKeep = 8 * 1024;
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr int kMaxStatus = 600;

// ---------------------------------------------------------------------------------------------
// Per-route statistics: counters by status, created on first use and then reached without a lock.

struct RouteStats {
  std::string label;
  Histogram* latency = nullptr;
  std::array<std::atomic<Counter*>, kMaxStatus> by_status{};
};

// Stats slots after the router's own routes.
enum Builtin : std::size_t { kHealthz = 0, kReadyz, kMetrics, kUnmatched, kBuiltinCount };
constexpr std::array<const char*, kBuiltinCount> kBuiltinLabels = {"/healthz", "/readyz",
                                                                   "/metrics", "unmatched"};

// ---------------------------------------------------------------------------------------------
// Asynchronous responses. A handler gets a Respond (std::function, copyable, any thread); the
// connection's coroutine waits for it through an Asio completion handler kept in a Slot. The hub
// mutex orders delivery against server teardown: nothing is posted to a destroyed io_context.

struct Waiter {
  virtual ~Waiter() = default;
  virtual void post(Response r) = 0;
};

template <class Handler>
struct WaiterImpl final : Waiter {
  explicit WaiterImpl(Handler h) : handler(std::move(h)) {}
  void post(Response r) override {
    auto ex = asio::get_associated_executor(handler);
    asio::post(ex, [h = std::move(handler), r = std::move(r)]() mutable { h(std::move(r)); });
  }
  Handler handler;
};

struct Slot;

struct AsyncHub {
  std::mutex mu;
  bool alive = true;
  std::unordered_set<Slot*> waiting;
};

struct Slot {
  explicit Slot(std::shared_ptr<AsyncHub> h) : hub(std::move(h)) {}
  std::shared_ptr<AsyncHub> hub;
  std::optional<Response> result;  // guarded by hub->mu
  std::unique_ptr<Waiter> waiter;  // guarded by hub->mu

  void deliver(Response r) {
    std::lock_guard lock(hub->mu);
    if (waiter && hub->alive) {
      hub->waiting.erase(this);
      std::unique_ptr<Waiter> w = std::move(waiter);
      w->post(std::move(r));
    } else {
      result = std::move(r);
    }
  }
};

// Owned only by Respond copies: when the last one goes without having been called, the request
// is answered 500 rather than left hanging.
struct RespondCore {
  explicit RespondCore(std::shared_ptr<Slot> s) : slot(std::move(s)) {}
  ~RespondCore() {
    if (!called.exchange(true)) {
      log::error("handler dropped its Respond without answering; 500");
      slot->deliver(Response::text(500, "internal error"));
    }
  }
  void operator()(Response r) {
    if (called.exchange(true)) return;  // exactly once
    slot->deliver(std::move(r));
  }
  std::shared_ptr<Slot> slot;
  std::atomic<bool> called{false};
};

Awaitable<Response> awaitSlot(std::shared_ptr<Slot> slot) {
  {
    std::lock_guard lock(slot->hub->mu);
    if (slot->result) {
      Response r = std::move(*slot->result);
      slot->result.reset();
      co_return r;
    }
  }
  // The initiation captures a raw pointer (this frame's `slot` keeps the Slot alive): Asio 1.18
  // passes it by value into a coroutine that g++ 12 destroys twice, so it must be trivially
  // destructible (ASan found a shared_ptr captured here released twice).
  Slot* raw = slot.get();
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Response)>(
      [raw](auto handler) {
        std::lock_guard lock(raw->hub->mu);
        if (raw->result) {
          WaiterImpl<decltype(handler)> w(std::move(handler));
          w.post(std::move(*raw->result));
          raw->result.reset();
          return;
        }
        raw->waiter = std::make_unique<WaiterImpl<decltype(handler)>>(std::move(handler));
        raw->hub->waiting.insert(raw);
      },
      asio::use_awaitable);
}

Response runSync(const SyncHandler& handler, const Request& req) {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    log::error("handler for {} threw: {}", req.route, e.what());
  } catch (...) {
    log::error("handler for {} threw", req.route);
  }
  return Response::text(500, "internal error");
}

// ---------------------------------------------------------------------------------------------
// Response serialisation.

const std::string& httpDateNow() {
  thread_local std::int64_t cached_second = -1;
  thread_local std::string text;
  const std::int64_t now = SystemClock::instance().unixSeconds();
  if (now != cached_second) {
    cached_second = now;
    text = formatHttpDate(now);
  }
  return text;
}

bool isTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool validHeader(const Headers::Field& f) {
  if (f.name.empty()) return false;
  for (const char c : f.name) {
    if (!isTokenChar(c)) return false;
  }
  for (const char c : f.value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

// Headers the server owns; a handler's copies are dropped.
bool serverOwned(std::string_view name) {
  return iequals(name, "content-length") || iequals(name, "transfer-encoding") ||
         iequals(name, "connection") || iequals(name, "date") ||
         iequals(name, "x-fapi-interaction-id") || iequals(name, "keep-alive");
}

void appendInt(std::string& out, std::size_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

// A JSON string of `s`: quotes, backslashes, control characters and every byte outside ASCII
// escaped (\u00XX, the byte taken as Latin-1), so that a line is valid JSON whatever the bytes.
void appendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b >= 0x7f) {
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
}

std::string serialize(Response& r, std::string_view interaction_id, bool head, bool keep_alive,
                      unsigned version) {
  for (const Headers::Field& f : r.headers) {
    if (!validHeader(f)) {
      log::error("handler produced an invalid header field; 500");
      r = Response::text(500, "internal error");
      break;
    }
  }
  if (r.status < 200 || r.status >= kMaxStatus) {
    log::error("handler produced status {}; 500", r.status);
    r = Response::text(500, "internal error");
  }
  const bool no_body = r.status == 204 || r.status == 304;
  std::string out;
  out.reserve(256 + r.body.size());
  out += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  appendInt(out, static_cast<std::size_t>(r.status));
  out.push_back(' ');
  out += reasonPhrase(r.status);
  out += "\r\nDate: ";
  out += httpDateNow();
  out += "\r\nx-fapi-interaction-id: ";
  out += interaction_id;
  out += "\r\n";
  for (const Headers::Field& f : r.headers) {
    if (serverOwned(f.name)) continue;
    out += f.name;
    out += ": ";
    out += f.value;
    out += "\r\n";
  }
  if (r.status != 204) {
    out += "Content-Length: ";
    appendInt(out, no_body ? 0 : r.body.size());
    out += "\r\n";
  }
  if (!keep_alive) {
    out += "Connection: close\r\n";
  } else if (version == 10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (!head && !no_body) out += r.body;
  return out;
}

// ---------------------------------------------------------------------------------------------

std::string handshakeFailureReason(const error_code& ec) {
  if (ec == asio::error::timed_out) return "timeout";
  if (ec == asio::error::eof) return "eof";
  if (ec == asio::error::operation_aborted) return "shutdown";
  if (ec.category() == asio::error::get_ssl_category()) {
    return internal::tlsFailureReason(static_cast<unsigned long>(ec.value()));
  }
  if (ec == asio::error::connection_reset) return "reset";
  return "io";
}

// Beast frames a request whose Transfer-Encoding does not end in chunked as having no body, and
// reads "chunked, chunked" the same way; either would let the body be parsed as a second request
// (smuggling). RFC 9112 section 6.3: such a request is a 400. Only exactly "chunked", in HTTP/1.1.
bool acceptableTransferEncoding(const Request& req) {
  const auto te = req.headers.getAll("transfer-encoding");
  if (te.empty()) return true;
  if (req.version != 11 || te.size() != 1) return false;
  std::string_view v = te[0];
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return iequals(v, "chunked");
}

// The status to answer a request that could not be read, or 0 to close silently (the client went
// away, timed out, or never sent anything).
int readErrorStatus(const error_code& ec) {
  if (ec == http::error::header_limit) return 431;
  if (ec == http::error::body_limit) return 413;
  if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) return 0;
    return 400;
  }
  return 0;
}

}  // namespace

// -----------------------------------------------------------------------------------------------

struct Listener {
  ListenerConfig config;
  std::shared_ptr<const Router> router;
  internal::SslCtxPtr ssl_ctx;
  std::vector<Cidr> proxies;
  std::optional<x509::TrustStore> forwarded_trust;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::size_t max_route_body = 0;
  std::atomic<std::size_t> connections{0};

  MetricsRegistry* registry = nullptr;
  Gauge* active = nullptr;
  Counter* handshakes = nullptr;
  Counter* refused_limit = nullptr;
  Counter* refused_not_proxy = nullptr;
  std::vector<std::unique_ptr<RouteStats>> stats;  // router routes, then Builtin slots

  bool isProxy(const std::string& address) const {
    for (const Cidr& c : proxies) {
      if (c.contains(address)) return true;
    }
    return false;
  }
  void handshakeFailed(const std::string& reason) {
    registry
        ->counter("gridgate_tls_handshake_failures_total", "Failed TLS handshakes by reason",
                  {{"listener", config.name}, {"reason", reason}})
        .inc();
  }
  void record(std::size_t slot, int status, double seconds) {
    RouteStats& rs = *stats[slot];
    const auto idx = static_cast<std::size_t>(status);
    Counter* c = rs.by_status[idx].load(std::memory_order_acquire);
    if (c == nullptr) {
      c = &registry->counter(
          "gridgate_http_requests_total", "HTTP requests by route and status",
          {{"listener", config.name}, {"route", rs.label}, {"status", std::to_string(status)}});
      rs.by_status[idx].store(c, std::memory_order_release);
    }
    c->inc();
    rs.latency->observe(seconds);
  }
};

struct Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket s, SSL_CTX* ctx) : stream(std::move(s), ctx, Stream::Role::kServer) {}
  enum class State { kHandshake, kIdle, kBusy };
  Stream stream;
  State state = State::kHandshake;
  bool stop_requested = false;
  PeerInfo peer;
  bool peer_is_proxy = false;
  // Behind a proxy: the last forwarded header value and its certificate, so that a connection
  // carrying one client's requests parses that certificate once.
  std::string forwarded_value;
  std::shared_ptr<const ClientCertificate> forwarded_cert;

  // On the connection's strand.
  void requestStop(bool force) {
    stop_requested = true;
    if (force || state != State::kBusy) stream.cancel();
    if (force) stream.close();
  }
};

struct Server::Impl {
  explicit Impl(ServerConfig c)
      : config(std::move(c)),
        ioc(static_cast<int>(config.io_threads == 0 ? 1 : config.io_threads)) {}

  ServerConfig config;
  std::map<std::string, std::shared_ptr<const Router>, std::less<>> routers;
  std::shared_ptr<const Router> default_router;
  std::shared_ptr<MetricsRegistry> metrics;
  std::shared_ptr<BlockingPool> pool;
  bool own_pool = false;
  std::shared_ptr<AsyncHub> hub = std::make_shared<AsyncHub>();

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<std::thread> threads;
  std::unique_ptr<asio::signal_set> signals;
  std::shared_ptr<spdlog::logger> access_log;

  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::mutex conns_mu;
  std::unordered_set<Connection*> conns;
  std::mutex join_mu;
  bool joined = false;

  Status prepareListener(Listener& l);
  Awaitable<void> acceptLoop(Listener& l);
  Awaitable<void> serveConnection(Listener& l, tcp::socket socket);
  Awaitable<void> serveHttp(std::shared_ptr<Connection> conn, Listener& l);
  Awaitable<Response> handle(Request& req, Router::Match& m, Listener& l, Connection& conn,
                             std::size_t& slot);
  Response builtin(Builtin which, const Request& req);
  void logAccess(const Listener& l, const Request& req, int status, double seconds);
  Awaitable<void> shutdownSequence();
  void notifyConnections(bool force);
  const Clock& clock() const {
    return config.clock != nullptr ? *config.clock : SystemClock::instance();
  }
  std::size_t connectionCount() {
    std::lock_guard lock(conns_mu);
    return conns.size();
  }
};

// -----------------------------------------------------------------------------------------------

Status Server::Impl::prepareListener(Listener& l) {
  const ListenerConfig& c = l.config;
  if (c.tls) {
    GG_TRY(l.ssl_ctx, internal::makeServerContext(*c.tls, "gridgate:" + c.name));
  }
  if (c.trusted_proxy) {
    if (c.trusted_proxy->proxies.empty()) {
      return fail(Errc::kInvalidArgument, "listener " + c.name + ": trusted_proxy without proxies");
    }
    for (const std::string& text : c.trusted_proxy->proxies) {
      auto cidr = Cidr::parse(text);
      if (!cidr) return fail(Errc::kInvalidArgument, "listener " + c.name + ": proxy " + text);
      l.proxies.push_back(*cidr);
    }
    if (c.trusted_proxy->header.empty()) {
      return fail(Errc::kInvalidArgument, "listener " + c.name + ": trusted_proxy without header");
    }
    if (!c.trusted_proxy->client_ca_file.empty()) {
      GG_TRY(std::string pem, internal::readFile(c.trusted_proxy->client_ca_file));
      GG_TRY(x509::TrustStore trust, x509::TrustStore::fromPem(pem));
      l.forwarded_trust = std::move(trust);
    }
  }
  if (!l.router) l.router = std::make_shared<Router>();
  l.max_route_body = c.limits.max_body_bytes;
  for (std::size_t i = 0; i < l.router->routeCount(); ++i) {
    const auto& opt = l.router->route(i).options.max_body_bytes;
    if (opt && *opt > l.max_route_body) l.max_route_body = *opt;
  }

  error_code ec;
  const auto address = asio::ip::make_address(c.address, ec);
  if (ec) return fail(Errc::kInvalidArgument, "listener " + c.name + ": bad address " + c.address);
  const tcp::endpoint endpoint(address, c.port);
  l.acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(ioc));
  l.acceptor->open(endpoint.protocol(), ec);
  if (!ec) l.acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) l.acceptor->bind(endpoint, ec);
  if (!ec) l.acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(Errc::kIo, "listener " + c.name + ": cannot listen on " + c.address + ":" +
                               std::to_string(c.port) + ": " + ec.message());
  }
  l.port = l.acceptor->local_endpoint(ec).port();

  l.registry = metrics.get();
  const Labels by_listener{{"listener", c.name}};
  l.active = &metrics->gauge("gridgate_http_active_connections", "Open connections", by_listener);
  l.handshakes =
      &metrics->counter("gridgate_tls_handshakes_total", "Completed TLS handshakes", by_listener);
  l.refused_limit =
      &metrics->counter("gridgate_connections_refused_total", "Connections closed at accept",
                        {{"listener", c.name}, {"reason", "limit"}});
  l.refused_not_proxy =
      &metrics->counter("gridgate_connections_refused_total", "Connections closed at accept",
                        {{"listener", c.name}, {"reason", "not_a_proxy"}});
  const std::size_t routes = l.router->routeCount();
  for (std::size_t i = 0; i < routes + kBuiltinCount; ++i) {
    auto rs = std::make_unique<RouteStats>();
    rs->label = i < routes ? l.router->route(i).pattern : kBuiltinLabels[i - routes];
    rs->latency = &metrics->histogram("gridgate_http_request_duration_seconds",
                                      "Time from a request's first byte to its response written",
                                      MetricsRegistry::latencyBuckets(),
                                      {{"listener", c.name}, {"route", rs->label}});
    l.stats.push_back(std::move(rs));
  }
  return ok();
}

Awaitable<void> Server::Impl::acceptLoop(Listener& l) {
  const std::size_t max_conns = l.config.limits.max_connections;
  const bool reject_others = l.config.trusted_proxy && l.config.trusted_proxy->reject_other_peers;
  for (;;) {
    tcp::socket socket(asio::make_strand(ioc));
    error_code ec;
    co_await l.acceptor->async_accept(socket, ecToken(ec));
    if (stopping.load() || !l.acceptor->is_open() || ec == asio::error::operation_aborted) {
      co_return;
    }
    if (ec) {
      // Out of descriptors or memory: pause instead of spinning on the same error.
      log::warn("listener {}: accept failed: {}", l.config.name, ec.message());
      asio::steady_timer pause(co_await asio::this_coro::executor);
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(ecToken(ec));
      continue;
    }
    if (l.connections.load() >= max_conns) {
      l.refused_limit->inc();
      socket.close(ec);
      continue;
    }
    if (reject_others) {
      const auto remote = socket.remote_endpoint(ec);
      if (ec || !l.isProxy(remote.address().to_string())) {
        l.refused_not_proxy->inc();
        socket.close(ec);
        continue;
      }
    }
    l.connections.fetch_add(1);
    l.active->inc();
    auto ex = socket.get_executor();
    asio::co_spawn(ex, serveConnection(l, std::move(socket)), asio::detached);
  }
}

Awaitable<void> Server::Impl::serveConnection(Listener& l, tcp::socket socket) {
  auto conn = std::make_shared<Connection>(std::move(socket), l.ssl_ctx.get());
  {
    std::lock_guard lock(conns_mu);
    conns.insert(conn.get());
  }
  // Undo the accounting however the coroutine ends.
  struct Guard {
    Impl& impl;
    Listener& l;
    Connection* c;
    ~Guard() {
      {
        std::lock_guard lock(impl.conns_mu);
        impl.conns.erase(c);
      }
      l.connections.fetch_sub(1);
      l.active->dec();
    }
  } guard{*this, l, conn.get()};

  Stream& s = conn->stream;
  PeerInfo& peer = conn->peer;
  peer.listener = l.config.name;
  error_code ec;
  const auto remote = s.socket().remote_endpoint(ec);
  if (ec) co_return;
  peer.remote_address = remote.address().to_string();
  peer.remote_port = remote.port();
  conn->peer_is_proxy = l.config.trusted_proxy && l.isProxy(peer.remote_address);

  if (s.tls()) {
    if (stopping.load()) co_return;
    s.expiresAfter(l.config.limits.handshake_timeout);
    co_await s.handshake(ec);
    if (ec) {
      l.handshakeFailed(handshakeFailureReason(ec));
      co_return;
    }
    l.handshakes->inc();
    SSL* ssl = s.ssl();
    peer.tls = true;
    peer.tls_version = SSL_get_version(ssl);
    peer.tls_resumed = SSL_session_reused(ssl) == 1;
    if (X509* leaf = SSL_get0_peer_certificate(ssl)) {
      if (SSL_get_verify_result(ssl) != X509_V_OK) {  // never reached with SSL_VERIFY_PEER
        l.handshakeFailed("certificate_verify_failed");
        co_return;
      }
      // Parsed once here, for every request on this connection (TARGETS.md).
      auto cc = std::make_shared<ClientCertificate>(
          ClientCertificate{x509::Certificate::adopt(leaf), {}});
      if (STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
          cc->chain.push_back(x509::Certificate::adopt(sk_X509_value(chain, i)));
        }
      }
      peer.client_cert = std::move(cc);
    }
  }
  co_await serveHttp(conn, l);
}

Awaitable<void> Server::Impl::serveHttp(std::shared_ptr<Connection> conn, Listener& l) {
  Stream& s = conn->stream;
  const Limits& limits = l.config.limits;
  beast::flat_buffer buffer;
  bool linger = false;
  for (;;) {
    error_code ec;
    if (buffer.size() == 0) {
      if (conn->stop_requested || stopping.load()) break;
      conn->state = Connection::State::kIdle;
      if (buffer.capacity() > kIdleBufferKeep) buffer.shrink_to_fit();
      s.expiresAfter(limits.idle_timeout);
      const std::size_t n = co_await s.readSome(buffer.prepare(internal::kReadChunk), ec);
      if (ec) break;
      buffer.commit(n);
    }
    conn->state = Connection::State::kBusy;
    const auto started_at = SteadyClock::now();
    // One deadline for the whole request, header and body: a client that trickles bytes cannot
    // hold the connection longer than request_timeout.
    s.expiresAfter(limits.request_timeout);

    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(l.max_route_body);
    co_await internal::readMessage(s, buffer, parser, true, ec);

    Request req;
    req.peer = conn->peer;
    std::size_t slot = l.router->routeCount() + kUnmatched;
    Response resp;
    bool keep_alive = false;
    bool head = false;
    bool respond_now = false;  // an error answer without a handler

    if (ec) {
      const int status = readErrorStatus(ec);
      if (status == 0) break;
      req.interaction_id = resolveInteractionId(std::nullopt);
      resp = Response::text(status, std::string(reasonPhrase(status)));
      respond_now = true;
      linger = true;
      req.method_token = "-";
    } else {
      auto& msg = parser.get();
      req.method_token = std::string(sv(msg.method_string()));
      req.method = parseMethod(req.method_token);
      head = req.method == Method::kHead;
      req.version = msg.version();
      req.target = std::string(sv(msg.target()));
      const std::size_t q = req.target.find('?');
      req.path = req.target.substr(0, q);
      if (q != std::string::npos) req.query = req.target.substr(q + 1);
      req.headers.reserve(16);
      for (const auto& f : msg)
        req.headers.add(std::string(sv(f.name_string())), std::string(sv(f.value())));
      req.interaction_id = resolveInteractionId(req.headers.get("x-fapi-interaction-id"));
      keep_alive = msg.keep_alive();

      // Trusted proxy: the forwarded certificate header is read only from a configured proxy
      // address and removed from everyone's requests.
      int proxy_error = 0;
      if (l.config.trusted_proxy) {
        const TrustedProxyConfig& tp = *l.config.trusted_proxy;
        if (conn->peer_is_proxy) {
          req.peer.via_proxy = true;
          const auto values = req.headers.getAll(tp.header);
          if (values.size() > 1) {
            proxy_error = 400;
          } else if (values.size() == 1) {
            if (conn->forwarded_cert && values[0] == conn->forwarded_value) {
              req.peer.client_cert = conn->forwarded_cert;
            } else {
              auto cert = x509::decodeForwardedCert(tp.format, values[0]);
              Status verified = ok();
              if (cert && l.forwarded_trust) {
                verified =
                    x509::verifyChain(*cert, {}, *l.forwarded_trust,
                                      x509::VerifyOptions{.at_time = clock().unixSeconds(),
                                                          .purpose = x509::Purpose::kClientAuth});
              }
              if (!cert || !verified) {
                log::info("listener {}: forwarded client certificate refused: {}", l.config.name,
                          !cert ? cert.error().detail : verified.error().detail);
                proxy_error = 400;
              } else {
                conn->forwarded_value = std::string(values[0]);
                conn->forwarded_cert =
                    std::make_shared<ClientCertificate>(ClientCertificate{std::move(*cert), {}});
                req.peer.client_cert = conn->forwarded_cert;
              }
            }
          } else {
            req.peer.client_cert = nullptr;  // the proxy forwarded no certificate
          }
        }
        req.headers.remove(tp.header);
      }

      const bool is_http11 = req.version == 11;
      if (proxy_error != 0) {
        resp = Response::text(proxy_error, "bad forwarded client certificate");
        respond_now = true;
      } else if (!acceptableTransferEncoding(req)) {
        resp = Response::text(400, "bad request");
        respond_now = true;
      } else if (req.target.empty() || req.target.front() != '/' ||
                 (is_http11 && req.headers.count("host") != 1) || req.headers.count("host") > 1) {
        // Origin-form only (no proxy requests), exactly one Host (RFC 9112 section 3.2).
        resp = Response::text(400, "bad request");
        respond_now = true;
      }

      Router::Match match;
      std::size_t body_limit = limits.max_body_bytes;
      if (!respond_now) {
        match = l.router->match(req.method, req.path);
        if (match.kind == Router::Match::Kind::kFound && match.route->options.max_body_bytes) {
          body_limit = *match.route->options.max_body_bytes;
        }
      }
      if (!parser.is_done()) {
        const auto length = parser.content_length();
        if (length && *length > body_limit) {
          resp = Response::text(413, std::string(reasonPhrase(413)));
          respond_now = true;
          keep_alive = false;
          linger = true;
        } else {
          parser.body_limit(body_limit);
          const auto expect = req.headers.get("expect");
          if (expect && iequals(*expect, "100-continue") && is_http11) {
            s.expiresAfter(limits.write_timeout);
            co_await s.writeAll("HTTP/1.1 100 Continue\r\n\r\n", ec);
            if (ec) break;
            s.expiresAfter(limits.request_timeout);
          }
          co_await internal::readMessage(s, buffer, parser, false, ec);
          if (ec) {
            const int status = readErrorStatus(ec);
            if (status == 0) break;
            if (!respond_now) resp = Response::text(status, std::string(reasonPhrase(status)));
            respond_now = true;
            keep_alive = false;
            linger = true;
          }
        }
      }
      if (!respond_now) {
        req.body = std::move(parser.get().body());
        resp = co_await handle(req, match, l, *conn, slot);
      }
    }
    if (respond_now) keep_alive = false;
    if (conn->stop_requested || stopping.load()) keep_alive = false;

    applySecurityHeaders(resp, l.config.security_headers, conn->peer.tls || conn->peer_is_proxy);
    const std::string wire =
        serialize(resp, req.interaction_id, head, keep_alive, req.version == 10 ? 10 : 11);
    s.expiresAfter(limits.write_timeout);
    co_await s.writeAll(wire, ec);
    const double seconds = std::chrono::duration<double>(SteadyClock::now() - started_at).count();
    l.record(slot, resp.status, seconds);
    if (access_log) logAccess(l, req, resp.status, seconds);
    if (ec || !keep_alive) break;
  }
  // Close: TLS close_notify and FIN; after an error answer, read what the client still sends for a
  // moment, so that our answer is not destroyed by a reset.
  error_code ec;
  s.expiresAfter(kLingerTime);
  co_await s.shutdown(ec);
  if (linger) co_await s.drain(ec);
}

Awaitable<Response> Server::Impl::handle(Request& req, Router::Match& m, Listener& l,
                                         Connection& conn, std::size_t& slot) {
  (void)conn;
  using Kind = Router::Match::Kind;
  const std::size_t routes = l.router->routeCount();
  req.route = kBuiltinLabels[kUnmatched];
  if (m.kind == Kind::kBadPath) co_return Response::text(400, "bad request");
  if (m.kind == Kind::kNotFound) {
    Builtin which = kBuiltinCount;
    if (l.config.health_endpoints && req.path == "/healthz") which = kHealthz;
    if (l.config.health_endpoints && req.path == "/readyz") which = kReadyz;
    if (l.config.metrics_endpoint && req.path == "/metrics") which = kMetrics;
    if (which == kBuiltinCount) co_return Response::text(404, "not found");
    slot = routes + which;
    req.route = kBuiltinLabels[which];
    if (req.method != Method::kGet && req.method != Method::kHead) {
      Response r = Response::text(405, "method not allowed");
      r.headers.set("Allow", "GET, HEAD");
      co_return r;
    }
    co_return builtin(which, req);
  }
  if (m.kind == Kind::kMethodNotAllowed) {
    Response r = Response::text(405, "method not allowed");
    r.headers.set("Allow", m.allow);
    co_return r;
  }
  const Router::Route& route = *m.route;
  slot = route.id;
  req.route = route.pattern;
  req.params = std::move(m.params);
  if (route.sync && !route.options.offload) co_return runSync(route.sync, req);

  auto waiting = std::make_shared<Slot>(hub);
  {
    auto core = std::make_shared<RespondCore>(waiting);
    Respond respond = [core](Response r) { (*core)(std::move(r)); };
    if (route.async) {
      try {
        route.async(req, std::move(respond));
      } catch (const std::exception& e) {
        log::error("handler for {} threw: {}", route.pattern, e.what());
        (*core)(Response::text(500, "internal error"));
      } catch (...) {
        log::error("handler for {} threw", route.pattern);
        (*core)(Response::text(500, "internal error"));
      }
    } else {
      const Request* request = &req;  // lives in this frame until the response arrives
      const SyncHandler* handler = &route.sync;
      if (!pool->post([request, handler, respond] { respond(runSync(*handler, *request)); })) {
        (*core)(Response::text(503, "busy"));
      }
    }
  }
  co_return co_await awaitSlot(std::move(waiting));
}

Response Server::Impl::builtin(Builtin which, const Request& req) {
  (void)req;
  switch (which) {
    case kHealthz:
      return Response::jsonText(200, R"({"status":"ok"})");
    case kReadyz: {
      const bool ready = !stopping.load() && (!config.ready || config.ready());
      return ready ? Response::jsonText(200, R"({"status":"ready"})")
                   : Response::jsonText(503, R"({"status":"not ready"})");
    }
    case kMetrics: {
      Response r;
      r.headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      r.body = metrics->renderPrometheus();
      return r;
    }
    case kUnmatched:
    case kBuiltinCount:
      break;
  }
  return Response::text(404, "not found");
}

void Server::Impl::logAccess(const Listener& l, const Request& req, int status, double seconds) {
  // Never the path, the query string, a header or the body: the route pattern names the endpoint
  // without the identifiers, codes and tokens a URL can carry. One JSON object per line, members
  // in byte order, written directly (a Json object cost 3.5% of the full flow's CPU).
  std::string line;
  line.reserve(256);
  line += R"({"client_cert":)";
  line += req.peer.client_cert != nullptr ? "true" : "false";
  line += R"(,"duration_ms":)";
  const std::size_t number_at = line.size();
  line += fmt::format("{}", std::round(seconds * 1e6) / 1e3);
  if (line.find_first_of(".en", number_at) == std::string::npos) line += ".0";
  line += R"(,"interaction_id":)";
  appendJsonString(line, req.interaction_id);
  line += R"(,"listener":)";
  appendJsonString(line, l.config.name);
  line += R"(,"method":)";
  appendJsonString(line, req.method == Method::kOther ? std::string_view("OTHER")
                                                      : std::string_view(req.method_token));
  line += R"(,"remote":)";
  appendJsonString(line, req.peer.remote_address);
  line += R"(,"route":)";
  appendJsonString(line, req.route.empty() ? std::string_view("-") : std::string_view(req.route));
  line += R"(,"status":)";
  line += std::to_string(status);
  line += R"(,"time":)";
  appendJsonString(line, formatUtc(SystemClock::instance().unixSeconds()));
  line += R"(,"tls":)";
  line += req.peer.tls ? "true" : "false";
  line += '}';
  access_log->info("{}", line);
}

void Server::Impl::notifyConnections(bool force) {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(conns_mu);
    for (Connection* c : conns) {
      if (auto sp = c->weak_from_this().lock()) live.push_back(std::move(sp));
    }
  }
  for (auto& c : live) {
    asio::post(c->stream.executor(), [c, force] { c->requestStop(force); });
  }
}

Awaitable<void> Server::Impl::shutdownSequence() {
  for (auto& l : listeners) {
    asio::post(l->acceptor->get_executor(), [&l] {
      error_code ignored;
      l->acceptor->close(ignored);
    });
  }
  if (signals) {
    error_code ignored;
    signals->cancel(ignored);
  }
  notifyConnections(false);
  asio::steady_timer tick(ioc);
  error_code ec;
  const auto deadline = SteadyClock::now() + config.shutdown_timeout;
  while (connectionCount() > 0 && SteadyClock::now() < deadline) {
    tick.expires_after(std::chrono::milliseconds(5));
    co_await tick.async_wait(ecToken(ec));
  }
  if (connectionCount() > 0) {
    log::warn("shutdown: closing {} connections still busy after {} ms", connectionCount(),
              config.shutdown_timeout.count());
    notifyConnections(true);
    const auto hard = SteadyClock::now() + std::chrono::seconds(1);
    while (connectionCount() > 0 && SteadyClock::now() < hard) {
      tick.expires_after(std::chrono::milliseconds(5));
      co_await tick.async_wait(ecToken(ec));
    }
  }
  signals.reset();
  work.reset();
  if (connectionCount() > 0) ioc.stop();  // a handler that never answers must not hold us
}

// -----------------------------------------------------------------------------------------------

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  Impl& i = *impl_;
  if (i.config.io_threads == 0) i.config.io_threads = 1;
  i.metrics = i.config.metrics ? i.config.metrics : std::make_shared<MetricsRegistry>();
  if (i.config.blocking_pool) {
    i.pool = i.config.blocking_pool;
  } else {
    i.pool = std::make_shared<BlockingPool>(i.config.blocking_threads);
    i.own_pool = true;
  }
}

Server::~Server() {
  stop();
  wait();
  Impl& i = *impl_;
  if (i.own_pool) i.pool->stop();
  // Completion handlers still waiting for a handler's answer own coroutine frames that hold
  // sockets: destroy them while the io_context still exists, and let later answers go nowhere.
  std::vector<std::unique_ptr<Waiter>> orphans;
  {
    std::lock_guard lock(i.hub->mu);
    i.hub->alive = false;
    for (Slot* s : i.hub->waiting) orphans.push_back(std::move(s->waiter));
    i.hub->waiting.clear();
  }
  orphans.clear();
}

void Server::setRouter(std::string_view listener, std::shared_ptr<const Router> router) {
  impl_->routers[std::string(listener)] = std::move(router);
}

void Server::setRouter(std::shared_ptr<const Router> router) {
  impl_->default_router = std::move(router);
}

Status Server::start() {
  Impl& i = *impl_;
  if (i.started.exchange(true)) return fail(Errc::kInvalidArgument, "server already started");
  if (i.config.listeners.empty()) return fail(Errc::kInvalidArgument, "no listeners configured");
  if (i.config.access_log) {
    i.access_log = spdlog::get("access");
    if (!i.access_log) {
      i.access_log = spdlog::stderr_logger_mt("access");
      i.access_log->set_pattern("%v");
    }
  }
  for (const ListenerConfig& c : i.config.listeners) {
    auto l = std::make_unique<Listener>();
    l->config = c;
    if (auto it = i.routers.find(c.name); it != i.routers.end()) {
      l->router = it->second;
    } else {
      l->router = i.default_router;
    }
    for (const auto& other : i.listeners) {
      if (other->config.name == c.name) {
        return fail(Errc::kInvalidArgument, "two listeners named " + c.name);
      }
    }
    GG_TRY(i.prepareListener(*l));
    i.listeners.push_back(std::move(l));
  }
  i.work.emplace(i.ioc.get_executor());
  for (auto& l : i.listeners) {
    asio::co_spawn(l->acceptor->get_executor(), i.acceptLoop(*l), asio::detached);
  }
  for (unsigned t = 0; t < i.config.io_threads; ++t) {
    i.threads.emplace_back([&i] {
      for (;;) {
        try {
          i.ioc.run();
          return;
        } catch (const std::exception& e) {
          log::error("uncaught exception on an I/O thread: {}", e.what());
        }
      }
    });
  }
  return ok();
}

std::uint16_t Server::port(std::string_view listener) const {
  for (const auto& l : impl_->listeners) {
    if (l->config.name == listener) return l->port;
  }
  return 0;
}

std::uint16_t Server::port() const {
  return impl_->listeners.empty() ? 0 : impl_->listeners.front()->port;
}

void Server::stop() {
  Impl& i = *impl_;
  if (!i.started.load()) return;
  if (i.stopping.exchange(true)) return;
  asio::co_spawn(i.ioc, i.shutdownSequence(), asio::detached);
}

void Server::wait() {
  Impl& i = *impl_;
  std::lock_guard lock(i.join_mu);
  if (i.joined) return;
  for (auto& t : i.threads) {
    if (t.joinable()) t.join();
  }
  i.joined = true;
}

void Server::stopOnSignals() {
  Impl& i = *impl_;
  if (!i.started.load() || i.signals) return;
  i.signals = std::make_unique<asio::signal_set>(i.ioc, SIGINT, SIGTERM);
  i.signals->async_wait([this](const error_code& ec, int signo) {
    if (ec) return;
    log::info("signal {}: stopping", signo);
    stop();
  });
}

bool Server::stopping() const { return impl_->stopping.load(); }
MetricsRegistry& Server::metrics() { return *impl_->metrics; }
BlockingPool& Server::blockingPool() { return *impl_->pool; }
std::size_t Server::activeConnections() const { return impl_->connectionCount(); }

}  // namespace gridgate::net
