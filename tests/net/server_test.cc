// The server over plain HTTP on 127.0.0.1: limits, timeouts, keep-alive, pipelining, routing
// errors, headers every response carries, operations endpoints, access log, graceful shutdown.
// Raw sockets, so that each test sends exactly the bytes it means.
#include "net/server.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <future>
#include <sstream>
#include <thread>

#include "core/random.h"
#include "support.h"

namespace gridgate::net {
namespace {

using namespace std::chrono_literals;
using test::RawClient;
using test::RawResponse;
using test::simpleGet;

std::shared_ptr<Router> testRouter() {
  auto r = std::make_shared<Router>();
  r->get("/hello", [](const Request&) { return Response::text(200, "hello"); });
  r->get("/echo/{value}",
         [](const Request& req) { return Response::text(200, *req.params.get("value")); });
  r->post("/form",
          [](const Request& req) { return Response::text(200, std::to_string(req.body.size())); });
  r->post(
      "/small", [](const Request& req) { return Response::text(200, req.body); },
      RouteOptions{.max_body_bytes = 8});
  r->get(
      "/slow",
      [](const Request&) {
        std::this_thread::sleep_for(300ms);
        return Response::text(200, "slow");
      },
      RouteOptions{.offload = true});
  r->add(Method::kGet, "/async", [](const Request& req, Respond done) {
    std::string id(*req.headers.get("x-id"));
    std::thread([done, id] {
      std::this_thread::sleep_for(5ms);
      done(Response::text(200, id));
    }).detach();
  });
  r->add(Method::kGet, "/dropped", [](const Request&, Respond) {});
  r->get("/throws", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  r->get("/bad-header", [](const Request&) {
    Response resp = Response::text(200, "x");
    resp.headers.add("X-Injected", "a\r\nSet-Cookie: evil=1");
    return resp;
  });
  r->get("/cacheable", [](const Request&) {
    return Response::text(200, "c").header("Cache-Control", "public, max-age=60");
  });
  r->add(Method::kPut, "/items/{id}", [](const Request&) { return Response::empty(204); });
  return r;
}

struct Running : test::RunningServer {
  explicit Running(ListenerConfig l = {}, ServerConfig base = {})
      : RunningServer(std::move(l), testRouter(), std::move(base)) {}
};

std::optional<RawResponse> get(std::uint16_t port, const std::string& path,
                               const std::string& headers = {}) {
  RawClient c(port);
  if (!c.send(simpleGet(path, headers))) return std::nullopt;
  return c.readResponse();
}

TEST(NetServer, AnswersWithDateInteractionIdAndSecurityHeaders) {
  Running s;
  auto r = get(s.port, "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  ASSERT_TRUE(r->header("date"));
  EXPECT_EQ(r->header("date")->size(), 29U);
  EXPECT_TRUE(isUuid(*r->header("x-fapi-interaction-id")));
  EXPECT_EQ(*r->header("cache-control"), "no-store");
  EXPECT_EQ(*r->header("content-security-policy"), "frame-ancestors 'none'");
  EXPECT_EQ(*r->header("x-content-type-options"), "nosniff");
  EXPECT_FALSE(r->header("strict-transport-security")) << "plain HTTP, no proxy";
  EXPECT_EQ(*r->header("content-length"), "5");

  auto c = get(s.port, "/cacheable");
  EXPECT_EQ(*c->header("cache-control"), "public, max-age=60") << "handler's choice kept";
}

TEST(NetServer, InteractionIdEchoedOnlyWhenValid) {
  Running s;
  const std::string mine = "6f1c2f9e-3b4a-4c5d-8e7f-0a1b2c3d4e5f";
  auto r = get(s.port, "/hello", "x-fapi-interaction-id: " + mine + "\r\n");
  EXPECT_EQ(*r->header("x-fapi-interaction-id"), mine);
  r = get(s.port, "/hello", "x-fapi-interaction-id: <script>\r\n");
  const std::string fresh = *r->header("x-fapi-interaction-id");
  EXPECT_TRUE(isUuid(fresh));
  EXPECT_EQ(fresh[14], '4');
  r = get(s.port, "/nope", "x-fapi-interaction-id: " + mine + "\r\n");
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(*r->header("x-fapi-interaction-id"), mine) << "error responses carry it too";
}

TEST(NetServer, RoutingErrorsAndHead) {
  Running s;
  EXPECT_EQ(get(s.port, "/nope")->status, 404);
  EXPECT_EQ(get(s.port, "/echo/a%zz")->status, 400);
  EXPECT_EQ(get(s.port, "/echo/a%2Fb")->body, "a/b");

  RawClient c(s.port);
  c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(*r->header("allow"), "GET, HEAD");
  c.send("BREW /items/1 HTTP/1.1\r\nHost: t\r\n\r\n");
  r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(*r->header("allow"), "PUT");

  c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  r = c.readResponse(/*head=*/true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(*r->header("content-length"), "5") << "HEAD: the GET's length, no body";
  c.send(simpleGet("/hello"));  // the connection is still in sync: no stray body bytes
  r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "hello");

  c.send("PUT /items/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->header("content-length")) << "RFC 9110 section 8.6: none on 204";
}

// tests/testdata/net/requests: each file's name starts with the status the server must answer
// before closing (README.md there names each defect).
TEST(NetServer, NegativeRequestFiles) {
  Running s;
  const std::filesystem::path dir = std::filesystem::path(GRIDGATE_TESTDATA_DIR) / "net/requests";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".http") continue;
    ++files;
    const int expected = std::stoi(name.substr(0, 3));
    RawClient c(s.port);
    c.send(test::readFileText(entry.path().string()));
    auto r = c.readResponse();
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, expected) << name;
    EXPECT_TRUE(c.closedWithin(3s)) << name;
    // Nothing smuggled behind it was answered.
    EXPECT_FALSE(c.readResponse(false, 100ms)) << name;
  }
  EXPECT_GE(files, 18);
}

TEST(NetServer, HeaderLimitIs431) {
  ListenerConfig l;
  l.limits.max_header_bytes = 1024;
  Running s(l);
  RawClient c(s.port);
  c.send(simpleGet("/hello", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  auto r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.closedWithin(3s));
  EXPECT_EQ(get(s.port, "/hello", "X-Small: " + std::string(500, 'a') + "\r\n")->status, 200);
}

TEST(NetServer, BodyLimitIs413) {
  ListenerConfig l;
  l.limits.max_body_bytes = 1024;
  Running s(l);
  {
    RawClient c(s.port);
    c.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n" +
           std::string(2000, 'a'));
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    EXPECT_TRUE(c.closedWithin(3s));
  }
  {
    // Chunked: the limit applies while reading.
    RawClient c(s.port);
    std::string chunked = "POST /form HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) chunked += "200\r\n" + std::string(512, 'b') + "\r\n";
    chunked += "0\r\n\r\n";
    c.send(chunked);
    auto r = c.readResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
  }
  {
    // A route's own, smaller limit.
    RawClient c(s.port);
    c.send("POST /small HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n123456789");
    EXPECT_EQ(c.readResponse()->status, 413);
  }
  RawClient c(s.port);
  c.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'a'));
  auto r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1000");
}

TEST(NetServer, ExpectContinue) {
  Running s;
  RawClient c(s.port);
  c.send("POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
  auto interim = c.readResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  c.send("abc");
  auto r = c.readResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "3");
}

TEST(NetServer, PipelinedRequestsAnsweredInOrder) {
  Running s;
  RawClient c(s.port);
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += simpleGet("/echo/" + std::to_string(i));
  batch += "POST /form HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcd";
  batch += simpleGet("/echo/last");
  ASSERT_TRUE(c.send(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = c.readResponse();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, std::to_string(i));
  }
  EXPECT_EQ(c.readResponse()->body, "4");
  EXPECT_EQ(c.readResponse()->body, "last");
}

TEST(NetServer, ManyConcurrentKeepAliveClientsNoLostOrMixedResponses) {
  Running s;
  constexpr int kClients = 32;
  constexpr int kRequests = 40;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      RawClient c(s.port);
      for (int i = 0; i < kRequests; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        // Alternate a synchronous route and an asynchronous one answered from another thread.
        if (i % 2 == 0) {
          c.send(simpleGet("/echo/" + id));
        } else {
          c.send(simpleGet("/async", "x-id: " + id + "\r\n"));
        }
        auto r = c.readResponse();
        if (r && r->status == 200 && r->body == id) ++good;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
}

TEST(NetServer, IdleKeepAliveConnectionIsClosed) {
  ListenerConfig l;
  l.limits.idle_timeout = 200ms;
  Running s(l);
  RawClient c(s.port);
  c.send(simpleGet("/hello"));
  ASSERT_TRUE(c.readResponse());
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.closedWithin(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 150ms);
}

TEST(NetServer, SlowClientCannotHoldTheConnection) {
  ListenerConfig l;
  l.limits.request_timeout = 300ms;
  l.limits.idle_timeout = 10s;
  Running s(l);
  RawClient c(s.port);
  // One header byte every 50 ms: each read succeeds, the request never completes.
  const std::string req = simpleGet("/hello", "X-Slow: " + std::string(100, 'z') + "\r\n");
  const auto t0 = std::chrono::steady_clock::now();
  bool closed = false;
  for (char ch : req) {
    if (!c.send(std::string(1, ch))) {
      closed = true;
      break;
    }
    if (c.closedWithin(50ms)) {
      closed = true;
      break;
    }
  }
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_TRUE(closed);
  EXPECT_LT(took, 2s);
  EXPECT_GE(took, 250ms);
}

TEST(NetServer, ConnectionLimit) {
  ListenerConfig l;
  l.limits.max_connections = 2;
  Running s(l);
  RawClient a(s.port);
  RawClient b(s.port);
  a.send(simpleGet("/hello"));
  b.send(simpleGet("/hello"));
  ASSERT_TRUE(a.readResponse());
  ASSERT_TRUE(b.readResponse());
  RawClient third(s.port);
  third.send(simpleGet("/hello"));
  EXPECT_FALSE(third.readResponse(false, 2s));
  EXPECT_TRUE(s.server->metrics().renderPrometheus().find(
                  "gridgate_connections_refused_total{listener=\"test\",reason=\"limit\"} 1") !=
              std::string::npos);
  a.close();
  // The slot frees once the server sees the close.
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    RawClient again(s.port);
    again.send(simpleGet("/hello"));
    auto r = again.readResponse(false, 500ms);
    served = r && r->status == 200;
  }
  EXPECT_TRUE(served);
}

TEST(NetServer, HandlerFailuresAre500NotCrashes) {
  Running s;
  EXPECT_EQ(get(s.port, "/throws")->status, 500);
  EXPECT_EQ(get(s.port, "/dropped")->status, 500);
  auto r = get(s.port, "/bad-header");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_FALSE(r->header("set-cookie")) << "no header injection";
  EXPECT_EQ(get(s.port, "/hello")->status, 200);
}

TEST(NetServer, HealthReadyMetrics) {
  bool ready = true;
  ServerConfig base;
  base.ready = [&ready] { return ready; };
  Running s({}, base);
  EXPECT_EQ(get(s.port, "/healthz")->status, 200);
  EXPECT_EQ(get(s.port, "/readyz")->status, 200);
  ready = false;
  EXPECT_EQ(get(s.port, "/readyz")->status, 503);
  get(s.port, "/hello");
  get(s.port, "/echo/secret-id-123");
  get(s.port, "/nope");
  auto m = get(s.port, "/metrics");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->status, 200);
  EXPECT_EQ(m->header("content-type")->rfind("text/plain; version=0.0.4", 0), 0U);
  const std::string& text = m->body;
  EXPECT_NE(text.find("gridgate_http_requests_total{listener=\"test\",route=\"/hello\",status="
                      "\"200\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("route=\"/echo/{value}\",status=\"200\"} 1"), std::string::npos);
  EXPECT_NE(text.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
  EXPECT_NE(text.find("gridgate_http_request_duration_seconds_bucket{listener=\"test\",route=\"/"
                      "hello\",le=\"0.0001\"}"),
            std::string::npos);
  EXPECT_NE(text.find("gridgate_http_active_connections{listener=\"test\"} 1"), std::string::npos)
      << "the scraping connection itself";
  EXPECT_EQ(text.find("secret-id-123"), std::string::npos);

  RawClient c(s.port);
  c.send("POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n");
  auto r = c.readResponse();
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(*r->header("allow"), "GET, HEAD");
}

TEST(NetServer, AccessLogIsJsonWithoutPathsOrQueries) {
  std::ostringstream sink_out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(sink_out);
  auto logger = std::make_shared<spdlog::logger>("access", sink);
  logger->set_pattern("%v");
  spdlog::drop("access");
  spdlog::register_logger(logger);
  {
    Running s;
    get(s.port, "/echo/code-SECRETVALUE?code=QUERYSECRET&state=x",
        "Authorization: Bearer TOKENSECRET\r\n");
    get(s.port, "/nope?token=ANOTHERSECRET");
  }
  spdlog::drop("access");
  const std::string log = sink_out.str();
  EXPECT_NE(log.find(R"("route":"/echo/{value}")"), std::string::npos) << log;
  EXPECT_NE(log.find(R"("status":200)"), std::string::npos);
  EXPECT_NE(log.find(R"("method":"GET")"), std::string::npos);
  EXPECT_NE(log.find(R"("interaction_id":")"), std::string::npos);
  EXPECT_NE(log.find(R"("duration_ms":)"), std::string::npos);
  EXPECT_NE(log.find(R"("route":"unmatched")"), std::string::npos);
  for (const char* secret : {"SECRETVALUE", "QUERYSECRET", "TOKENSECRET", "ANOTHERSECRET"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  std::istringstream lines(log);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    auto parsed = parseJsonObject(line);
    ASSERT_TRUE(parsed) << line;
    const Json& o = *parsed;
    EXPECT_EQ(o.size(), 10u) << line;
    EXPECT_TRUE(o["status"].is_number_integer()) << line;
    EXPECT_TRUE(o["duration_ms"].is_number()) << line;
    EXPECT_GE(o["duration_ms"].get<double>(), 0.0) << line;
    EXPECT_EQ(o["tls"], false) << line;
    EXPECT_EQ(o["client_cert"], false) << line;
    EXPECT_EQ(o["remote"], "127.0.0.1") << line;
    EXPECT_EQ(o["time"].get<std::string>().size(), 20u) << line;  // YYYY-MM-DDTHH:MM:SSZ
    ++n;
  }
  EXPECT_EQ(n, 2);
}

TEST(NetServer, GracefulShutdownFinishesInFlightRequests) {
  Running s;
  constexpr int kInFlight = 8;
  std::vector<std::future<std::optional<RawResponse>>> results;
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kInFlight; ++i) {
    clients.push_back(std::make_unique<RawClient>(s.port));
    clients.back()->send(simpleGet("/slow"));
  }
  RawClient idle(s.port);  // connected, no request: closed at once on stop
  idle.send(simpleGet("/hello"));
  ASSERT_TRUE(idle.readResponse());
  std::this_thread::sleep_for(50ms);  // the slow handlers are running
  for (auto& c : clients) {
    results.push_back(std::async(std::launch::async, [&c] { return c->readResponse(); }));
  }
  s.server->stop();
  EXPECT_TRUE(idle.closedWithin(2s));
  for (auto& f : results) {
    auto r = f.get();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "slow");
    EXPECT_EQ(*r->header("connection"), "close");
  }
  s.server->wait();
  RawClient late(s.port);
  EXPECT_FALSE(late.connected()) << "no longer accepting";
}

}  // namespace
}  // namespace gridgate::net

namespace gridgate::net {
namespace {

TEST(NetServer, SigtermStopsGracefully) {
  Running s;
  s.server->stopOnSignals();
  test::RawClient busy(s.port);
  busy.send(test::simpleGet("/slow"));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto answer = std::async(std::launch::async, [&busy] { return busy.readResponse(); });
  std::raise(SIGTERM);  // handled by the server's signal_set, not the default action
  s.server->wait();
  auto r = answer.get();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(s.server->stopping());
}

}  // namespace
}  // namespace gridgate::net
