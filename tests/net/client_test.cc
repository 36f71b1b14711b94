// The HTTP client against in-process servers on 127.0.0.1: keep-alive pooling, retries of
// idempotent requests only, response size bound, timeouts, refused connections, URL errors.
#include "net/client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <set>
#include <thread>

#include "net/server.h"
#include "support.h"

namespace gridgate::net {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  std::atomic<int> flaky_calls{0};
  std::atomic<int> post_calls{0};
  std::shared_ptr<Router> router() {
    auto r = std::make_shared<Router>();
    r->get("/port", [](const Request& req) {
      return Response::text(200, std::to_string(req.peer.remote_port));
    });
    r->get("/flaky", [this](const Request&) {
      return ++flaky_calls < 3 ? Response::text(503, "later") : Response::text(200, "fine");
    });
    r->post("/flaky", [this](const Request&) {
      ++post_calls;
      return Response::text(503, "later");
    });
    r->get("/big", [](const Request&) { return Response::text(200, std::string(2 << 20, 'x')); });
    r->get(
        "/sleep",
        [](const Request&) {
          std::this_thread::sleep_for(500ms);
          return Response::text(200, "late");
        },
        RouteOptions{.offload = true});
    r->post("/echo", [](const Request& req) {
      Response resp = Response::text(200, req.body);
      resp.headers.set("X-Content-Type-Seen",
                       std::string(req.headers.get("content-type").value_or("")));
      return resp;
    });
    return r;
  }
};

ClientConfig fast() {
  ClientConfig c;
  c.retry = RetryPolicy{.max_attempts = 3, .base_backoff = 5ms, .max_backoff = 20ms};
  c.request_timeout = 2s;
  c.connect_timeout = 2s;
  return c;
}

std::string url(std::uint16_t port, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

TEST(NetClient, KeepAlivePoolReusesTheConnection) {
  Fixture f;
  test::RunningServer s({}, f.router());
  auto client = HttpClient::create(fast());
  ASSERT_TRUE(client);
  std::set<std::string> ports;
  for (int i = 0; i < 10; ++i) {
    auto r = (*client)->send({.url = url(s.port, "/port")});
    ASSERT_TRUE(r) << r.error().detail;
    ports.insert(r->body);
  }
  EXPECT_EQ(ports.size(), 1U) << "one TCP connection for sequential requests";
  EXPECT_EQ((*client)->idleConnections(), 1U);
}

TEST(NetClient, PoolDropsConnectionsTheServerClosed) {
  Fixture f;
  ListenerConfig l;
  l.limits.idle_timeout = 100ms;
  test::RunningServer s(l, f.router());
  auto client = HttpClient::create(fast());
  ASSERT_TRUE(client);
  auto first = (*client)->send({.url = url(s.port, "/port")});
  ASSERT_TRUE(first);
  std::this_thread::sleep_for(300ms);  // the server closes the idle connection
  ClientRequest post{.method = Method::kPost, .url = url(s.port, "/echo"), .body = "x"};
  auto second = (*client)->send(post);
  ASSERT_TRUE(second) << "a POST is never retried, so the pool must not hand out a dead "
                         "connection: "
                      << second.error().detail;
  EXPECT_EQ(second->body, "x");
}

TEST(NetClient, RetriesIdempotentRequestsOnly) {
  Fixture f;
  test::RunningServer s({}, f.router());
  auto client = HttpClient::create(fast());
  ASSERT_TRUE(client);
  auto r = (*client)->send({.url = url(s.port, "/flaky")});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.flaky_calls.load(), 3);
  auto p = (*client)->send({.method = Method::kPost, .url = url(s.port, "/flaky")});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 503);
  EXPECT_EQ(f.post_calls.load(), 1) << "POST sent once";
  auto forced =
      (*client)->send({.method = Method::kPost, .url = url(s.port, "/flaky"), .idempotent = true});
  EXPECT_EQ(f.post_calls.load(), 4) << "unless the caller says it is idempotent";
}

TEST(NetClient, ResponseSizeIsBounded) {
  Fixture f;
  test::RunningServer s({}, f.router());
  ClientConfig c = fast();
  c.max_response_bytes = 1 << 20;
  auto client = HttpClient::create(c);
  auto r = (*client)->send({.url = url(s.port, "/big")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kLimitExceeded);
}

TEST(NetClient, ReadTimeout) {
  Fixture f;
  test::RunningServer s({}, f.router());
  ClientConfig c = fast();
  c.request_timeout = 100ms;
  c.retry.max_attempts = 1;
  auto client = HttpClient::create(c);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = (*client)->send({.url = url(s.port, "/sleep")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 450ms);
}

TEST(NetClient, ConnectionRefusedIsUnavailableAfterRetries) {
  const std::uint16_t port = test::freePort();
  auto client = HttpClient::create(fast());
  auto r = (*client)->send({.url = url(port, "/x")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kUnavailable);
}

TEST(NetClient, BadUrlsAndHeaders) {
  auto client = HttpClient::create(fast());
  for (const char* bad : {"ftp://x/", "http://", "http://user@host/", "http://host:0/",
                          "http://host:99999/", "http://[::1/", "http://host/pa th"}) {
    auto r = (*client)->send({.url = bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::kInvalidArgument) << bad;
  }
  ClientRequest injected{.url = "http://127.0.0.1:1/"};
  injected.headers.add("X-Evil", "a\r\nInjected: 1");
  EXPECT_EQ((*client)->send(injected).error().code, Errc::kInvalidArgument);
}

TEST(NetClient, PostBodyAndHeadersArrive) {
  Fixture f;
  test::RunningServer s({}, f.router());
  auto client = HttpClient::create(fast());
  ClientRequest req{.method = Method::kPost, .url = url(s.port, "/echo?x=1"), .body = "a=1&b=2"};
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  auto r = (*client)->send(req);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->body, "a=1&b=2");
  EXPECT_EQ(*r->headers.get("x-content-type-seen"), "application/x-www-form-urlencoded");
  EXPECT_TRUE(r->headers.contains("x-fapi-interaction-id"));
}

TEST(NetClient, ConcurrentAsyncRequests) {
  Fixture f;
  test::RunningServer s({}, f.router());
  auto client = HttpClient::create(fast());
  constexpr int kN = 64;
  std::vector<std::promise<std::string>> done(kN);
  for (int i = 0; i < kN; ++i) {
    ClientRequest req{
        .method = Method::kPost, .url = url(s.port, "/echo"), .body = std::to_string(i)};
    (*client)->sendAsync(req, [&done, i](Result<ClientResponse> r) {
      done[static_cast<std::size_t>(i)].set_value(r ? r->body : "error");
    });
  }
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ(done[static_cast<std::size_t>(i)].get_future().get(), std::to_string(i));
  }
}

}  // namespace
}  // namespace gridgate::net
