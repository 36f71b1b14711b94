// gridgate-load: an HTTP/1.1 load generator that speaks mTLS (wrk cannot present a client
// certificate).
//
//   gridgate-load --url https://127.0.0.1:8443/json --cert client.chain.pem --key client.key
//                 --ca ca.pem --connections 16 --duration 10   # keep-alive requests
//   gridgate-load --mode handshake --connections 4 --duration 5 ...     # a new mTLS connection
//                                                                       # (full handshake) per
//                                                                       request
//   gridgate-load --mode idle --connections 1000 --hold 30 ...          # open, then hold idle
//
// Keep-alive and handshake modes print a summary and a last line for scripts:
//   RESULT mode=keepalive requests=812345 errors=0 seconds=10.00 rps=81234 p50_us=180 ...
// Idle mode prints "READY <n>" once n connections completed their handshake (and one request),
// then holds them for --hold seconds (or until killed).
#include <openssl/ssl.h>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "net/client.h"
#include "net/internal/asio.h"
#include "net/internal/stream.h"
#include "net/internal/tls.h"

namespace {

using namespace gridgate::net;
using namespace gridgate::net::internal;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string mode = "keepalive";
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool tls = true;
  std::string path = "/";
  std::string cert, key, ca;
  bool insecure = false;
  unsigned connections = 16;
  double duration = 10;
  std::uint64_t requests = 0;  // 0: until the duration ends
  double hold = 30;
  unsigned threads = 1;
};

[[noreturn]] void usage(const char* msg) {
  std::fprintf(
      stderr,
      "gridgate-load: %s\n"
      "usage: gridgate-load --url https://host:port/path [--mode keepalive|handshake|idle]\n"
      "  [--connections N] [--duration S] [--requests N] [--hold S] [--threads N]\n"
      "  [--cert chain.pem --key key.pem] [--ca ca.pem | --insecure]\n",
      msg);
  std::exit(2);
}

Options parseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--url") {
      std::string url = next();
      if (url.rfind("https://", 0) == 0) {
        url = url.substr(8);
      } else if (url.rfind("http://", 0) == 0) {
        o.tls = false;
        url = url.substr(7);
      } else {
        usage("URL must start with http:// or https://");
      }
      const auto slash = url.find('/');
      o.path = slash == std::string::npos ? "/" : url.substr(slash);
      const std::string authority = url.substr(0, slash);
      const auto colon = authority.rfind(':');
      if (colon == std::string::npos) usage("URL needs an explicit port");
      o.host = authority.substr(0, colon);
      o.port = static_cast<std::uint16_t>(std::stoi(authority.substr(colon + 1)));
    } else if (a == "--mode") {
      o.mode = next();
    } else if (a == "--cert") {
      o.cert = next();
    } else if (a == "--key") {
      o.key = next();
    } else if (a == "--ca") {
      o.ca = next();
    } else if (a == "--insecure") {
      o.insecure = true;
    } else if (a == "--connections" || a == "-c") {
      o.connections = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--duration" || a == "-d") {
      o.duration = std::stod(next());
    } else if (a == "--requests" || a == "-n") {
      o.requests = std::stoull(next());
    } else if (a == "--hold") {
      o.hold = std::stod(next());
    } else if (a == "--threads" || a == "-t") {
      o.threads = static_cast<unsigned>(std::stoul(next()));
    } else {
      usage(("unknown option " + a).c_str());
    }
  }
  if (o.port == 0) usage("--url is required");
  if (o.mode != "keepalive" && o.mode != "handshake" && o.mode != "idle") usage("bad --mode");
  if (o.connections == 0 || o.threads == 0) usage("--connections and --threads must be > 0");
  return o;
}

struct Shared {
  Options opt;
  SslCtxPtr ctx;
  std::string request;        // keep-alive request
  std::string close_request;  // with Connection: close
  SteadyClock::time_point deadline;
  std::atomic<std::uint64_t> issued{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<unsigned> ready{0};
  std::atomic<bool> stop{false};
};

// Reads one response (Content-Length delimited). Returns false on error or close.
Awaitable<bool> readResponse(Stream& s, std::string& buf, bool& closed) {
  error_code ec;
  closed = false;
  for (;;) {
    const std::size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      std::size_t length = 0;
      const char* cl = "\r\ncontent-length:";
      std::string_view head(buf.data(), end);
      for (std::size_t p = 0; p + 17 <= head.size(); ++p) {
        if (strncasecmp(head.data() + p, cl, 17) == 0) {
          std::size_t q = p + 17;
          while (q < head.size() && head[q] == ' ') ++q;
          std::from_chars(head.data() + q, head.data() + head.size(), length);
          break;
        }
      }
      const bool ok_status = buf.size() > 9 && buf[9] == '2';
      if (buf.size() >= end + 4 + length) {
        buf.erase(0, end + 4 + length);
        co_return ok_status;
      }
    }
    char chunk[16384];
    const std::size_t n = co_await s.readSome(asio::buffer(chunk), ec);
    if (ec) {
      closed = true;
      co_return false;
    }
    buf.append(chunk, n);
  }
}

Awaitable<std::unique_ptr<Stream>> connect(Shared& sh, error_code& ec) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  const tcp::endpoint ep(asio::ip::make_address(sh.opt.host), sh.opt.port);
  co_await socket.async_connect(ep, ecToken(ec));
  if (ec) co_return nullptr;
  auto s = std::make_unique<Stream>(std::move(socket), sh.opt.tls ? sh.ctx.get() : nullptr,
                                    Stream::Role::kClient);
  s->expiresAfter(std::chrono::seconds(30));
  co_await s->handshake(ec);
  if (ec) co_return nullptr;
  co_return s;
}

struct Worker {
  std::vector<std::uint32_t> latencies_us;
  std::uint64_t done = 0;
};

bool takeTicket(Shared& sh) {
  if (sh.stop.load(std::memory_order_relaxed)) return false;
  if (SteadyClock::now() >= sh.deadline) return false;
  if (sh.opt.requests == 0) return true;
  return sh.issued.fetch_add(1, std::memory_order_relaxed) < sh.opt.requests;
}

Awaitable<void> keepAliveWorker(Shared& sh, Worker& w) {
  error_code ec;
  std::unique_ptr<Stream> s;
  std::string buf;
  while (takeTicket(sh)) {
    if (!s) {
      s = co_await connect(sh, ec);
      if (!s) {
        sh.errors.fetch_add(1);
        continue;
      }
      buf.clear();
    }
    const auto t0 = SteadyClock::now();
    s->expiresAfter(std::chrono::seconds(30));
    co_await s->writeAll(sh.request, ec);
    bool closed = false;
    const bool ok = !ec && co_await readResponse(*s, buf, closed);
    if (!ok) {
      sh.errors.fetch_add(1);
      s.reset();
      continue;
    }
    w.latencies_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count()));
    ++w.done;
  }
}

Awaitable<void> handshakeWorker(Shared& sh, Worker& w) {
  error_code ec;
  while (takeTicket(sh)) {
    const auto t0 = SteadyClock::now();
    auto s = co_await connect(sh, ec);
    if (!s) {
      sh.errors.fetch_add(1);
      continue;
    }
    co_await s->writeAll(sh.close_request, ec);
    std::string buf;
    bool closed = false;
    const bool ok = !ec && co_await readResponse(*s, buf, closed);
    co_await s->shutdown(ec);
    if (!ok) {
      sh.errors.fetch_add(1);
      continue;
    }
    w.latencies_us.push_back(static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - t0).count()));
    ++w.done;
  }
}

Awaitable<void> idleWorker(Shared& sh, Worker& w, SteadyClock::time_point hold_until) {
  error_code ec;
  auto s = co_await connect(sh, ec);
  if (!s) {
    sh.errors.fetch_add(1);
    co_return;
  }
  // One request, so that the server has done everything a real client makes it do.
  co_await s->writeAll(sh.request, ec);
  std::string buf;
  bool closed = false;
  if (ec || !co_await readResponse(*s, buf, closed)) {
    sh.errors.fetch_add(1);
    co_return;
  }
  ++w.done;
  sh.ready.fetch_add(1);
  asio::steady_timer t(co_await asio::this_coro::executor);
  while (!sh.stop.load() && SteadyClock::now() < hold_until) {
    t.expires_after(std::chrono::milliseconds(200));
    co_await t.async_wait(ecToken(ec));
  }
}

std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto idx = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1));
  return sorted[idx];
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  Shared sh;
  sh.opt = parseArgs(argc, argv);
  if (sh.opt.tls) {
    TlsClientConfig tc;
    tc.ca_file = sh.opt.ca;
    tc.cert_chain_file = sh.opt.cert;
    tc.key_file = sh.opt.key;
    tc.verify_peer = !sh.opt.insecure;
    auto ctx = makeClientContext(tc);
    if (!ctx) {
      std::fprintf(stderr, "gridgate-load: TLS setup: %s\n", ctx.error().detail.c_str());
      return 1;
    }
    sh.ctx = std::move(*ctx);
    // Full handshakes every time in handshake mode: no session cache on the client.
    SSL_CTX_set_session_cache_mode(sh.ctx.get(), SSL_SESS_CACHE_OFF);
  }
  const std::string host_header = sh.opt.host + ":" + std::to_string(sh.opt.port);
  sh.request = "GET " + sh.opt.path + " HTTP/1.1\r\nHost: " + host_header +
               "\r\nUser-Agent: gridgate-load\r\nAccept: */*\r\n\r\n";
  sh.close_request = "GET " + sh.opt.path + " HTTP/1.1\r\nHost: " + host_header +
                     "\r\nUser-Agent: gridgate-load\r\nConnection: close\r\n\r\n";

  const auto start = SteadyClock::now();
  const bool idle = sh.opt.mode == "idle";
  sh.deadline = idle ? SteadyClock::time_point::max()
                     : start + std::chrono::duration_cast<SteadyClock::duration>(
                                   std::chrono::duration<double>(sh.opt.duration));
  const auto hold_until = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                   std::chrono::duration<double>(sh.opt.hold));

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<Worker> workers(sh.opt.connections);
  for (unsigned t = 0; t < sh.opt.threads; ++t)
    contexts.push_back(std::make_unique<asio::io_context>(1));
  for (unsigned c = 0; c < sh.opt.connections; ++c) {
    auto& ioc = *contexts[c % sh.opt.threads];
    Worker& w = workers[c];
    if (sh.opt.mode == "keepalive") {
      asio::co_spawn(ioc, keepAliveWorker(sh, w), asio::detached);
    } else if (sh.opt.mode == "handshake") {
      asio::co_spawn(ioc, handshakeWorker(sh, w), asio::detached);
    } else {
      asio::co_spawn(ioc, idleWorker(sh, w, hold_until), asio::detached);
    }
  }
  std::thread reporter;
  if (idle) {
    reporter = std::thread([&sh] {
      while (!sh.stop.load()) {
        const unsigned ready = sh.ready.load();
        if (ready + sh.errors.load() >= sh.opt.connections) {
          std::printf("READY %u errors=%llu\n", ready,
                      static_cast<unsigned long long>(sh.errors.load()));
          std::fflush(stdout);
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
  }
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) threads.emplace_back([&ioc] { ioc->run(); });
  for (auto& t : threads) t.join();
  sh.stop = true;
  if (reporter.joinable()) reporter.join();
  if (idle) return 0;

  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  std::vector<std::uint32_t> all;
  std::uint64_t done = 0;
  for (auto& w : workers) {
    done += w.done;
    all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
  }
  std::sort(all.begin(), all.end());
  const double rps = static_cast<double>(done) / seconds;
  std::printf("%s: %llu requests in %.2f s over %u connections, %llu errors\n", sh.opt.mode.c_str(),
              static_cast<unsigned long long>(done), seconds, sh.opt.connections,
              static_cast<unsigned long long>(sh.errors.load()));
  std::printf(
      "  %.0f requests/s; latency p50 %u us, p90 %u us, p99 %u us, p99.9 %u us, max %u us\n", rps,
      percentile(all, 50), percentile(all, 90), percentile(all, 99), percentile(all, 99.9),
      all.empty() ? 0 : all.back());
  std::printf(
      "RESULT mode=%s requests=%llu errors=%llu seconds=%.3f rps=%.1f p50_us=%u p90_us=%u "
      "p99_us=%u p999_us=%u max_us=%u\n",
      sh.opt.mode.c_str(), static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(sh.errors.load()), seconds, rps, percentile(all, 50),
      percentile(all, 90), percentile(all, 99), percentile(all, 99.9),
      all.empty() ? 0 : all.back());
  return sh.errors.load() > 0 && done == 0 ? 1 : 0;
}
