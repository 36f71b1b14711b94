// validator::http over real servers: a resource server (net::Server, mTLS or behind a trusted
// proxy) whose routes are protected with HttpValidator::protect(), called with net::HttpClient
// holding the API client's certificate, against the in-process test issuer.
#include <gtest/gtest.h>

#include <thread>

#include "net/client.h"
#include "net/server.h"
#include "support.h"
#include "validator/http/net_fetcher.h"
#include "validator/http/net_metrics.h"
#include "validator/http/protect.h"
#include "validator/issuer.h"

namespace gridgate::validator::http {
namespace {

using validator::testing::kLicence;
using validator::testing::TestIssuer;

struct Resource {
  std::unique_ptr<net::Server> server;
  std::string base;
};

class HttpTest : public ::testing::Test {
 protected:
  FakeClock clock{SystemClock::instance().unixSeconds()};
  const validator::testing::TestPki& pki = validator::testing::testPki();
  std::unique_ptr<TestIssuer> as = std::make_unique<TestIssuer>(clock);
  x509::Certificate demo = pki.cert("demo");
  std::shared_ptr<net::MetricsRegistry> registry = std::make_shared<net::MetricsRegistry>();
  std::shared_ptr<net::BlockingPool> pool = std::make_shared<net::BlockingPool>(2);

  std::shared_ptr<Validator> makeValidator(TokenMode mode) {
    auto metrics = std::make_shared<NetMetrics>(*registry);
    auto v = validator::testing::makeValidator(*as, mode, clock, {}, metrics);
    exportCacheGauges(*registry, v);
    return v;
  }

  // A resource server with /data (licence scope, role, client_id == certificate URI).
  Resource start(std::shared_ptr<Validator> v, net::ListenerConfig listener,
                 HttpValidatorOptions options = {}) {
    options.pool = pool;
    HttpValidator guard(std::move(v), std::move(options));
    RouteRequirements route;
    route.require(Requirement::scopes({std::string(kLicence)}))
        .require(Requirement::certificateRole(pki.ids.client_role))
        .require(Requirement::clientIdIsCertificateUri());
    auto router = std::make_shared<net::Router>();
    router->get("/data", guard.protect(route, [](const net::Request&, const TokenInfo& t) {
      return net::Response::json(200, Json{{"client", t.clientId()},
                                           {"source", std::string(tokenSourceName(t.source()))}});
    }));
    net::ServerConfig cfg;
    cfg.access_log = false;
    cfg.metrics = registry;
    cfg.blocking_pool = pool;
    cfg.listeners.push_back(std::move(listener));
    Resource r;
    r.server = std::make_unique<net::Server>(std::move(cfg));
    r.server->setRouter(router);
    EXPECT_TRUE(r.server->start().has_value());
    r.base = "127.0.0.1:" + std::to_string(r.server->port());
    return r;
  }

  net::ListenerConfig mtlsListener() {
    net::ListenerConfig l;
    l.name = "resource";
    l.tls = net::TlsServerConfig{.certificates = {{pki.server_bundle, pki.server_key}},
                                 .client_cert = net::ClientCertMode::kRequire,
                                 .client_ca_file = pki.client_verify_bundle};
    return l;
  }

  std::unique_ptr<net::HttpClient> client(const std::string& leaf) {
    net::ClientConfig c;
    c.tls.ca_file = pki.server_ca;
    if (!leaf.empty()) {
      c.tls.cert_chain_file = pki.leaves.at(leaf).bundle;
      c.tls.key_file = pki.leaves.at(leaf).key;
    }
    c.retry.max_attempts = 1;
    return *net::HttpClient::create(c);
  }

  static net::ClientResponse get(net::HttpClient& c, const std::string& url,
                                 std::vector<std::pair<std::string, std::string>> headers) {
    net::ClientRequest req{.method = net::Method::kGet, .url = url};
    for (auto& [n, v] : headers) req.headers.add(n, v);
    auto r = c.send(std::move(req));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().detail);
    return r ? *r : net::ClientResponse{};
  }
};

std::string header(const net::ClientResponse& r, std::string_view name) {
  auto v = r.headers.get(name);
  return v ? std::string(*v) : "<absent>";
}

TEST_F(HttpTest, ProtectedRouteOverMtls) {
  Resource rs = start(makeValidator(TokenMode::kAuto), mtlsListener());
  auto api = client("demo");
  const std::string url = "https://" + rs.base + "/data";

  // Allowed: JWT (checked inline once keys are loaded) and opaque (introspection on the pool).
  for (int i = 0; i < 2; ++i) {
    const auto ok = get(*api, url, {{"Authorization", "Bearer " + as->jwt({}, demo)}});
    EXPECT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(parseJsonObject(ok.body)->value("client", ""), pki.ids.demo_application);
  }
  const auto opaque = get(*api, url, {{"Authorization", "Bearer " + as->opaque({}, demo)}});
  EXPECT_EQ(opaque.status, 200) << opaque.body;
  EXPECT_EQ(parseJsonObject(opaque.body)->value("source", ""), "introspection");

  const auto none = get(*api, url, {});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(header(none, "www-authenticate"), "Bearer realm=\"test-provider\"");
  EXPECT_EQ(header(none, "cache-control"), "no-store");

  const auto query = get(*api, url + "?access_token=" + as->jwt({}, demo),
                         {{"Authorization", "Bearer " + as->jwt({}, demo)}});
  EXPECT_EQ(query.status, 400);
  EXPECT_NE(header(query, "www-authenticate").find("invalid_request"), std::string::npos);

  const auto expired = get(
      *api, url, {{"Authorization", "Bearer " + as->jwt({{"exp", clock.unixSeconds()}}, demo)}});
  EXPECT_EQ(expired.status, 401);
  EXPECT_NE(header(expired, "www-authenticate").find("error=\"invalid_token\""), std::string::npos);

  const auto scope =
      get(*api, url, {{"Authorization", "Bearer " + as->jwt({{"scope", "x"}}, demo)}});
  EXPECT_EQ(scope.status, 403);
  EXPECT_NE(header(scope, "www-authenticate").find("scope=\"" + std::string(kLicence) + "\""),
            std::string::npos);

  // A token of another client, presented with this client's certificate.
  const auto stolen =
      get(*api, url, {{"Authorization", "Bearer " + as->jwt({}, pki.cert("other"))}});
  EXPECT_EQ(stolen.status, 401);

  const std::string metrics = registry->renderPrometheus();
  EXPECT_NE(metrics.find("gridgate_validator_decisions_total{result=\"allow\",reason=\"ok\"} 3"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("result=\"deny\",reason=\"expired\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("gridgate_validator_upstream_seconds_count{upstream=\"introspection\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("gridgate_validator_cache_entries"), std::string::npos);
}

TEST_F(HttpTest, IssuerDownIs503WithRetryAfter) {
  Resource rs = start(makeValidator(TokenMode::kJwt), mtlsListener());
  as->setDown(true);
  auto api = client("demo");
  const auto r =
      get(*api, "https://" + rs.base + "/data", {{"Authorization", "Bearer " + as->jwt({}, demo)}});
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(header(r, "retry-after"), "10");
}

TEST_F(HttpTest, IoNeverBlocksTheServerThread) {
  auto v = makeValidator(TokenMode::kAuto);
  ASSERT_TRUE(v->warmUp().has_value());
  Resource rs = start(v, mtlsListener());
  const std::string url = "https://" + rs.base + "/data";
  as->holdIntrospection();
  std::thread slow([&] {
    auto c = client("demo");
    const auto r = get(*c, url, {{"Authorization", "Bearer " + as->opaque({}, demo)}});
    EXPECT_EQ(r.status, 200);
  });
  while (as->introspectionCalls() < 1) std::this_thread::yield();
  // The introspection is held at the issuer; the server's only I/O thread still answers.
  auto fast = client("demo");
  EXPECT_EQ(get(*fast, url, {{"Authorization", "Bearer " + as->jwt({}, demo)}}).status, 200);
  as->open();
  slow.join();
}

TEST_F(HttpTest, CertificateFromTrustedProxyHeader) {
  net::ListenerConfig trusted;
  trusted.name = "behind-proxy";
  trusted.trusted_proxy = net::TrustedProxyConfig{.proxies = {"127.0.0.1/32"}};
  Resource rs = start(makeValidator(TokenMode::kJwt), std::move(trusted));
  auto plain = client("");
  const std::string url = "http://" + rs.base + "/data";
  const std::string escaped = formUrlEncode(demo.toPem());
  const auto ok = get(
      *plain, url,
      {{"X-Amzn-Mtls-Clientcert-Leaf", escaped}, {"Authorization", "Bearer " + as->jwt({}, demo)}});
  EXPECT_EQ(ok.status, 200) << ok.body;
  const auto none = get(*plain, url, {{"Authorization", "Bearer " + as->jwt({}, demo)}});
  EXPECT_EQ(none.status, 401);

  // The same header from a peer that is not a configured proxy is ignored.
  net::ListenerConfig untrusted;
  untrusted.name = "exposed";
  untrusted.trusted_proxy =
      net::TrustedProxyConfig{.proxies = {"10.0.0.0/8"}, .reject_other_peers = false};
  Resource other = start(makeValidator(TokenMode::kJwt), std::move(untrusted));
  const auto ignored = get(
      *plain, "http://" + other.base + "/data",
      {{"X-Amzn-Mtls-Clientcert-Leaf", escaped}, {"Authorization", "Bearer " + as->jwt({}, demo)}});
  EXPECT_EQ(ignored.status, 401);
  EXPECT_NE(header(ignored, "www-authenticate").find("invalid_token"), std::string::npos);
}

TEST_F(HttpTest, ApplicationCertificateSource) {
  net::ListenerConfig plain_listener;
  plain_listener.name = "app";
  HttpValidatorOptions options;
  // The seed's client_cert_parser: here a PEM in a header of the application's choosing.
  options.certificate_source =
      [](const net::Request& req) -> Result<std::optional<x509::Certificate>> {
    const auto pem = req.headers.get("x-test-cert");
    if (!pem) return std::optional<x509::Certificate>();
    GG_TRY(auto cert, x509::Certificate::fromPem(*pem));
    return std::optional<x509::Certificate>(std::move(cert));
  };
  Resource rs = start(makeValidator(TokenMode::kJwt), std::move(plain_listener), options);
  auto plain = client("");
  const std::string url = "http://" + rs.base + "/data";
  std::string pem = demo.toPem();
  std::string one_line;
  for (char c : pem) one_line += c == '\n' ? ' ' : c;
  EXPECT_EQ(get(*plain, url,
                {{"X-Test-Cert", one_line}, {"Authorization", "Bearer " + as->jwt({}, demo)}})
                .status,
            200);
  EXPECT_EQ(get(*plain, url,
                {{"X-Test-Cert", "garbage"}, {"Authorization", "Bearer " + as->jwt({}, demo)}})
                .status,
            400);
  EXPECT_EQ(get(*plain, url, {{"Authorization", "Bearer " + as->jwt({}, demo)}}).status, 401);
}

}  // namespace
}  // namespace gridgate::validator::http
