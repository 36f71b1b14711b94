#include "net/client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <charconv>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "core/log.h"
#include "core/random.h"
#include "net/internal/asio.h"
#include "net/internal/http_io.h"
#include "net/internal/stream.h"
#include "net/internal/tls.h"

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

struct Url {
  bool tls = false;
  std::string host;  // without brackets
  std::uint16_t port = 0;
  bool host_is_ip = false;
  std::string target;  // path + query, at least "/"
  std::string hostHeader() const {
    const bool v6 = host.find(':') != std::string::npos;
    std::string h = v6 ? "[" + host + "]" : host;
    if (port != (tls ? 443 : 80)) h += ":" + std::to_string(port);
    return h;
  }
  std::string origin() const {
    return std::string(tls ? "https://" : "http://") + host + ":" + std::to_string(port);
  }
};

Result<Url> parseUrl(std::string_view url) {
  Url u;
  auto startsWithNoCase = [&](std::string_view prefix) {
    return url.size() >= prefix.size() && iequals(url.substr(0, prefix.size()), prefix);
  };
  if (startsWithNoCase("https://")) {
    u.tls = true;
    url.remove_prefix(8);
  } else if (startsWithNoCase("http://")) {
    url.remove_prefix(7);
  } else {
    return fail(Errc::kInvalidArgument, "URL scheme must be http or https");
  }
  const std::size_t end = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : url.substr(end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return fail(Errc::kInvalidArgument, "URL without host, or with userinfo");
  }
  std::string_view port_text;
  if (authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(Errc::kInvalidArgument, "bad IPv6 literal");
    u.host = std::string(authority.substr(1, close - 1));
    u.host_is_ip = true;
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(Errc::kInvalidArgument, "bad authority");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    error_code ec;
    asio::ip::make_address_v4(u.host, ec);
    u.host_is_ip = !ec;
  }
  if (u.host.empty()) return fail(Errc::kInvalidArgument, "empty host");
  for (const char c : u.host) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F || c == '/' || c == '\\') {
      return fail(Errc::kInvalidArgument, "bad character in host");
    }
  }
  u.port = u.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned p = 0;
    const auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), p);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || p == 0 ||
        p > 65535) {
      return fail(Errc::kInvalidArgument, "bad port");
    }
    u.port = static_cast<std::uint16_t>(p);
  }
  if (const std::size_t hash = rest.find('#'); hash != std::string_view::npos) {
    rest = rest.substr(0, hash);
  }
  u.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  for (const char c : u.target) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b >= 0x7F) return fail(Errc::kInvalidArgument, "bad character in path");
  }
  return u;
}

bool idempotentByMethod(Method m) {
  return m == Method::kGet || m == Method::kHead || m == Method::kPut || m == Method::kDelete ||
         m == Method::kOptions;
}

Error ioError(const error_code& ec, std::string_view what, SSL* ssl) {
  if (ec == asio::error::timed_out) return Error{Errc::kTimeout, std::string(what) + ": timeout"};
  if (ec == http::error::body_limit || ec == http::error::header_limit) {
    return Error{Errc::kLimitExceeded, std::string(what) + ": response too large"};
  }
  if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Error{Errc::kMalformed, std::string(what) + ": " + ec.message()};
  }
  if (ssl != nullptr && ec.category() == asio::error::get_ssl_category()) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return Error{Errc::kUntrustedCertificate, std::string(what) + ": server certificate: " +
                                                    X509_verify_cert_error_string(verify)};
    }
  }
  return Error{Errc::kUnavailable, std::string(what) + ": " + ec.message()};
}

}  // namespace

struct HttpClient::Impl {
  struct Pooled {
    std::unique_ptr<Stream> stream;
    SteadyClock::time_point since;
  };

  ClientConfig config;
  internal::SslCtxPtr ssl_ctx;
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::once_flag system_store_once;
  mutable std::mutex pool_mu;
  std::map<std::string, std::vector<Pooled>> idle;

  std::unique_ptr<Stream> takeIdle(const std::string& origin) {
    std::lock_guard lock(pool_mu);
    auto it = idle.find(origin);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      Pooled p = std::move(list.back());
      list.pop_back();
      if (SteadyClock::now() - p.since < config.pool_idle_timeout &&
          !p.stream->peerClosedOrSentData()) {
        return std::move(p.stream);
      }
    }
    return nullptr;
  }
  void putIdle(const std::string& origin, std::unique_ptr<Stream> s) {
    std::lock_guard lock(pool_mu);
    auto& list = idle[origin];
    if (list.size() >= config.max_idle_per_origin) return;  // `s` closes
    list.push_back(Pooled{std::move(s), SteadyClock::now()});
  }

  Awaitable<Result<std::unique_ptr<Stream>>> connect(const Url& url);
  Awaitable<Result<ClientResponse>> attempt(const Url& url, Method method, const std::string& wire);
  Awaitable<void> run(ClientRequest req, std::function<void(Result<ClientResponse>)> done);
};

Awaitable<Result<std::unique_ptr<Stream>>> HttpClient::Impl::connect(const Url& url) {
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = SteadyClock::now() + config.connect_timeout;
  error_code ec;
  tcp::resolver resolver(ex);
  asio::steady_timer timer(ex);
  // Resolution and TCP connect have no deadline of their own: a timer cancels them.
  bool timed_out = false;
  timer.expires_at(deadline);
  timer.async_wait([&](error_code tec) {
    if (tec) return;
    timed_out = true;
    resolver.cancel();
  });
  const auto endpoints = co_await resolver.async_resolve(
      url.host, std::to_string(url.port), tcp::resolver::numeric_service, ecToken(ec));
  if (ec) {
    timer.cancel();
    co_return fail(timed_out ? Errc::kTimeout : Errc::kUnavailable,
                   "resolve " + url.host + ": " + ec.message());
  }
  tcp::socket socket(ex);
  timer.cancel();
  timer.expires_at(deadline);
  timer.async_wait([&](error_code tec) {
    if (tec) return;
    timed_out = true;
    error_code ignored;
    socket.cancel(ignored);
  });
  co_await asio::async_connect(socket, endpoints, ecToken(ec));
  timer.cancel();
  if (ec) {
    co_return fail(timed_out ? Errc::kTimeout : Errc::kUnavailable,
                   "connect " + url.origin() + ": " + ec.message());
  }
  auto stream = std::make_unique<Stream>(std::move(socket), url.tls ? ssl_ctx.get() : nullptr,
                                         Stream::Role::kClient);
  if (url.tls) {
    if (config.tls.ca_file.empty()) {
      std::call_once(system_store_once, [this] {
        if (SSL_CTX_set_default_verify_paths(ssl_ctx.get()) != 1) {
          log::warn("cannot load the system trust store; TLS servers will not verify");
        }
      });
    }
    SSL* ssl = stream->ssl();
    if (ssl == nullptr) co_return fail(Errc::kInternal, "SSL_new failed");
    // RFC 9525: the reference identity is the host we were asked for; SAN DNS for names, SAN IP
    // for address literals. SNI only for names (RFC 6066 forbids literals).
    if (url.host_is_ip) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) != 1) {
        co_return fail(Errc::kInvalidArgument, "bad IP literal " + url.host);
      }
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (SSL_set1_host(ssl, url.host.c_str()) != 1 ||
          SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                   const_cast<char*>(url.host.c_str())) != 1) {
        co_return fail(Errc::kInvalidArgument, "bad host name " + url.host);
      }
    }
    stream->expiresAfter(deadline - SteadyClock::now());
    co_await stream->handshake(ec);
    if (ec) co_return fail(ioError(ec, "TLS handshake with " + url.origin(), ssl));
  }
  co_return std::move(stream);
}

Awaitable<Result<ClientResponse>> HttpClient::Impl::attempt(const Url& url, Method method,
                                                            const std::string& wire) {
  const std::string origin = url.origin();
  std::unique_ptr<Stream> stream = takeIdle(origin);
  if (!stream) {
    auto connected = co_await connect(url);
    if (!connected) co_return fail(connected.error());
    stream = std::move(*connected);
  }
  error_code ec;
  stream->expiresAfter(config.request_timeout);
  co_await stream->writeAll(wire, ec);
  if (ec) co_return fail(ioError(ec, "send to " + origin, stream->ssl()));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(config.max_response_header_bytes));
  parser.body_limit(config.max_response_bytes);
  if (method == Method::kHead) parser.skip(true);
  co_await internal::readMessage(*stream, buffer, parser, false, ec);
  if (ec) co_return fail(ioError(ec, "response from " + origin, stream->ssl()));
  auto& msg = parser.get();
  ClientResponse res;
  res.status = static_cast<int>(msg.result_int());
  for (const auto& f : msg) {
    res.headers.add(std::string(sv(f.name_string())), std::string(sv(f.value())));
  }
  res.body = std::move(msg.body());
  if (msg.keep_alive() && buffer.size() == 0) {
    stream->expiresNever();
    putIdle(origin, std::move(stream));
  } else {
    stream->expiresAfter(std::chrono::seconds(1));
    co_await stream->shutdown(ec);
  }
  co_return res;
}

Awaitable<void> HttpClient::Impl::run(ClientRequest req,
                                      std::function<void(Result<ClientResponse>)> done) {
  auto url = parseUrl(req.url);
  if (!url) {
    done(fail(url.error()));
    co_return;
  }
  if (req.method == Method::kOther) {
    done(fail(Errc::kInvalidArgument, "unsupported method"));
    co_return;
  }
  std::string wire;
  wire.reserve(256 + req.body.size());
  wire += methodName(req.method);
  wire += ' ';
  wire += url->target;
  wire += " HTTP/1.1\r\nHost: ";
  wire += url->hostHeader();
  wire += "\r\n";
  if (!req.headers.contains("user-agent")) wire += "User-Agent: " + config.user_agent + "\r\n";
  for (const Headers::Field& f : req.headers) {
    if (iequals(f.name, "host") || iequals(f.name, "content-length") ||
        iequals(f.name, "transfer-encoding") || iequals(f.name, "connection")) {
      continue;
    }
    if (f.name.empty() || f.name.find_first_of(" \t\r\n:") != std::string::npos ||
        f.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      done(fail(Errc::kInvalidArgument, "bad request header"));
      co_return;
    }
    wire += f.name;
    wire += ": ";
    wire += f.value;
    wire += "\r\n";
  }
  if (!req.body.empty() || req.method == Method::kPost || req.method == Method::kPut ||
      req.method == Method::kPatch) {
    wire += "Content-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  wire += "\r\n";
  wire += req.body;

  const bool idempotent = req.idempotent.value_or(idempotentByMethod(req.method));
  const unsigned attempts = std::max(1U, config.retry.max_attempts);
  Result<ClientResponse> result = fail(Errc::kInternal, "no attempt made");
  for (unsigned n = 1; n <= attempts; ++n) {
    result = co_await attempt(*url, req.method, wire);
    bool retry = false;
    if (!result) {
      const Errc code = result.error().code;
      retry = idempotent && (code == Errc::kUnavailable || code == Errc::kTimeout);
    } else {
      retry =
          idempotent && (result->status == 502 || result->status == 503 || result->status == 504);
    }
    if (!retry || n == attempts) break;
    // Exponential backoff with full jitter: uniform in [0, min(max, base * 2^(n-1))].
    const auto cap = std::min<std::int64_t>(config.retry.max_backoff.count(),
                                            config.retry.base_backoff.count() << (n - 1));
    const Bytes r = randomBytes(4);
    const std::uint32_t u = (std::uint32_t{r[0]} << 24U) | (std::uint32_t{r[1]} << 16U) |
                            (std::uint32_t{r[2]} << 8U) | std::uint32_t{r[3]};
    const auto wait_ms = static_cast<std::int64_t>(static_cast<double>(u) / 4294967296.0 *
                                                   static_cast<double>(cap + 1));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(std::chrono::milliseconds(wait_ms));
    error_code ignored;
    co_await timer.async_wait(ecToken(ignored));
  }
  done(std::move(result));
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpClient::~HttpClient() {
  Impl& i = *impl_;
  i.work.reset();
  i.ioc.stop();
  if (i.thread.joinable()) i.thread.join();
  std::lock_guard lock(i.pool_mu);
  i.idle.clear();  // while the io_context still exists
}

Result<std::unique_ptr<HttpClient>> HttpClient::create(ClientConfig config) {
  auto impl = std::make_unique<Impl>();
  impl->config = std::move(config);
  GG_TRY(impl->ssl_ctx, internal::makeClientContext(impl->config.tls));
  impl->work.emplace(impl->ioc.get_executor());
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] {
    for (;;) {
      try {
        raw->ioc.run();
        return;
      } catch (const std::exception& e) {
        log::error("uncaught exception on the HTTP client thread: {}", e.what());
      }
    }
  });
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

void HttpClient::sendAsync(ClientRequest request,
                           std::function<void(Result<ClientResponse>)> done) {
  asio::co_spawn(impl_->ioc, impl_->run(std::move(request), std::move(done)), asio::detached);
}

Result<ClientResponse> HttpClient::send(ClientRequest request) {
  if (std::this_thread::get_id() == impl_->thread.get_id()) {
    return fail(Errc::kInternal, "HttpClient::send on the client's own thread would deadlock");
  }
  std::promise<Result<ClientResponse>> promise;
  auto future = promise.get_future();
  sendAsync(std::move(request),
            [&promise](Result<ClientResponse> r) { promise.set_value(std::move(r)); });
  return future.get();
}

std::size_t HttpClient::idleConnections() const {
  std::lock_guard lock(impl_->pool_mu);
  std::size_t n = 0;
  for (const auto& [k, v] : impl_->idle) n += v.size();
  return n;
}

}  // namespace gridgate::net
