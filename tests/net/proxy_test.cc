// Listeners behind a TLS terminator: the forwarded client-certificate header is honoured only from
// a configured proxy address, removed from everyone else's requests, and a malformed one is a 400.
// Peers are told apart by their real source address (127.0.0.1 vs 127.0.0.2: all of 127/8 is
// loopback), and a real nginx terminates mTLS in front of a plain listener.
#include <gtest/gtest.h>

#include <thread>

#include "core/clock.h"
#include "core/json.h"
#include "net/client.h"
#include "net/form.h"
#include "net/server.h"
#include "nginx_child.h"
#include "support.h"
#include "x509/certificate.h"

namespace gridgate::net {
namespace {

using namespace std::chrono_literals;
using test::RawClient;
using test::testPki;

constexpr const char* kHeader = "X-Amzn-Mtls-Clientcert-Leaf";

std::shared_ptr<Router> whoamiRouter() {
  auto r = std::make_shared<Router>();
  r->get("/whoami", [](const Request& req) {
    const auto& cc = req.peer.client_cert;
    Json out = {{"cert", cc ? cc->thumbprint() : ""},
                {"via_proxy", req.peer.via_proxy},
                {"header_seen", req.headers.contains(kHeader)},
                {"remote", req.peer.remote_address}};
    return Response::json(200, out);
  });
  return r;
}

ListenerConfig proxied(const std::string& proxy_cidr, bool reject_others) {
  ListenerConfig l;
  l.trusted_proxy = TrustedProxyConfig{};
  l.trusted_proxy->proxies = {proxy_cidr};
  l.trusted_proxy->header = kHeader;
  l.trusted_proxy->format = x509::ForwardedFormat::kUrlEncodedPem;
  l.trusted_proxy->reject_other_peers = reject_others;
  return l;
}

std::string clientLeafPem() { return test::readFileText(testPki().client_leaf); }
std::string thumbprint() { return x509::Certificate::fromPem(clientLeafPem())->thumbprint(); }

// nginx's $ssl_client_escaped_cert: the PEM, URL-encoded.
std::string escapedPem() { return formEncode(clientLeafPem()); }

std::optional<Json> whoamiFrom(std::uint16_t port, const std::string& bind,
                               const std::string& header_value, int* status = nullptr) {
  RawClient c(port, bind);
  if (!c.connected()) return std::nullopt;
  std::string extra;
  if (!header_value.empty()) extra = std::string(kHeader) + ": " + header_value + "\r\n";
  c.send(test::simpleGet("/whoami", extra));
  auto r = c.readResponse();
  if (!r) return std::nullopt;
  if (status != nullptr) *status = r->status;
  if (r->status != 200) return Json();
  auto j = parseJsonObject(r->body);
  if (!j) return std::nullopt;
  return *j;
}

TEST(NetTrustedProxy, HeaderHonouredFromTheProxyAddress) {
  test::RunningServer s(proxied("127.0.0.2/32", true), whoamiRouter());
  auto j = whoamiFrom(s.port, "127.0.0.2", escapedPem());
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["cert"], thumbprint());
  EXPECT_EQ((*j)["via_proxy"], true);
  EXPECT_EQ((*j)["header_seen"], false) << "handlers read peer.client_cert, not the header";
  // Without the header: no certificate (the proxy saw none).
  j = whoamiFrom(s.port, "127.0.0.2", "");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["cert"], "");
}

TEST(NetTrustedProxy, OtherPeersAreRefusedOrIgnored) {
  {
    test::RunningServer s(proxied("127.0.0.2/32", true), whoamiRouter());
    RawClient c(s.port, "127.0.0.1");
    c.send(test::simpleGet("/whoami", std::string(kHeader) + ": " + escapedPem() + "\r\n"));
    EXPECT_FALSE(c.readResponse(false, 2s)) << "closed at accept";
    EXPECT_NE(s.server->metrics().renderPrometheus().find("reason=\"not_a_proxy\"} 1"),
              std::string::npos);
  }
  {
    test::RunningServer s(proxied("127.0.0.2/32", false), whoamiRouter());
    auto j = whoamiFrom(s.port, "127.0.0.1", escapedPem());
    ASSERT_TRUE(j);
    EXPECT_EQ((*j)["cert"], "") << "the header from a non-proxy is never read";
    EXPECT_EQ((*j)["header_seen"], false) << "and it is removed";
    EXPECT_EQ((*j)["via_proxy"], false);
    // A malformed header from a non-proxy is not even looked at.
    int status = 0;
    whoamiFrom(s.port, "127.0.0.1", "%zz-garbage", &status);
    EXPECT_EQ(status, 200);
  }
}

TEST(NetTrustedProxy, MalformedHeaderFromTheProxyIs400) {
  test::RunningServer s(proxied("127.0.0.2/32", true), whoamiRouter());
  const std::string pem = clientLeafPem();
  std::string truncated = escapedPem();
  truncated.resize(truncated.size() / 2);
  std::string flipped = pem;
  flipped[pem.size() / 2] = flipped[pem.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {std::string("%zz"), truncated, formEncode(flipped), std::string("not a certificate"),
        formEncode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")}) {
    int status = 0;
    whoamiFrom(s.port, "127.0.0.2", bad, &status);
    EXPECT_EQ(status, 400) << bad;
  }
  RawClient twice(s.port, "127.0.0.2");
  twice.send(test::simpleGet("/whoami", std::string(kHeader) + ": " + escapedPem() + "\r\n" +
                                            kHeader + ": " + escapedPem() + "\r\n"));
  EXPECT_EQ(twice.readResponse()->status, 400) << "two certificate headers are ambiguous";
}

TEST(NetTrustedProxy, ForwardedCertificateMustChainWhenAnchorsAreConfigured) {
  ListenerConfig l = proxied("127.0.0.2/32", true);
  l.trusted_proxy->client_ca_file = testPki().client_ca;
  test::RunningServer s(l, whoamiRouter());
  auto good = whoamiFrom(s.port, "127.0.0.2", escapedPem());
  ASSERT_TRUE(good);
  EXPECT_EQ((*good)["cert"], thumbprint());
  const std::string other = test::readFileText(testPki().other_client_chain);
  const std::string other_leaf = other.substr(0, other.find("-----END CERTIFICATE-----") + 26);
  int status = 0;
  whoamiFrom(s.port, "127.0.0.2", formEncode(other_leaf), &status);
  EXPECT_EQ(status, 400);
}

TEST(NetTrustedProxy, ForwardedCertificateValidityUsesTheServerClock) {
  ListenerConfig l = proxied("127.0.0.2/32", true);
  l.trusted_proxy->client_ca_file = testPki().client_ca;
  const auto leaf = x509::Certificate::fromPem(clientLeafPem());
  ASSERT_TRUE(leaf);
  FakeClock clock(leaf->notAfter() + 1);  // the test certificates live 30 days
  ServerConfig base;
  base.clock = &clock;
  test::RunningServer s(l, whoamiRouter(), base);
  int status = 0;
  whoamiFrom(s.port, "127.0.0.2", escapedPem(), &status);
  EXPECT_EQ(status, 400) << "expired by the server's clock";
  clock.set(leaf->notBefore() + 60);
  auto j = whoamiFrom(s.port, "127.0.0.2", escapedPem(), &status);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["cert"], thumbprint());
}

TEST(NetTrustedProxy, RealNginxTerminatingMtls) {
  if (::access(test::kNginx, X_OK) != 0) GTEST_SKIP() << "nginx not installed";
  const auto& pki = testPki();
  test::RunningServer upstream(proxied("127.0.0.1/32", true), whoamiRouter());
  test::TempDir dir;
  const std::uint16_t port = test::freePort();
  auto nginx = test::startNginx(dir.path(), test::mtlsProxyServer({.port = port,
                                                                   .cert_chain = pki.server_chain,
                                                                   .key = pki.server_key,
                                                                   .client_ca = pki.client_ca,
                                                                   .upstream = upstream.port}));
  ASSERT_TRUE(test::waitForPort(port, 5s)) << test::readFileText(dir.file("error.log"));

  ClientConfig cfg;
  cfg.tls.ca_file = pki.server_ca;
  cfg.tls.cert_chain_file = pki.client_chain;
  cfg.tls.key_file = pki.client_key;
  cfg.retry.max_attempts = 1;
  auto client = HttpClient::create(cfg);
  ASSERT_TRUE(client);
  for (int i = 0; i < 3; ++i) {
    auto r = (*client)->send({.url = "https://127.0.0.1:" + std::to_string(port) + "/whoami"});
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->status, 200) << r->body;
    auto j = parseJsonObject(r->body);
    ASSERT_TRUE(j);
    EXPECT_EQ((*j)["cert"], thumbprint());
    EXPECT_EQ((*j)["via_proxy"], true);
  }
  // A client trying to smuggle a certificate header through nginx: nginx overwrites it with the
  // certificate it verified.
  ClientRequest smuggle{.url = "https://127.0.0.1:" + std::to_string(port) + "/whoami"};
  const std::string other = test::readFileText(pki.other_client_chain);
  smuggle.headers.add(kHeader, formEncode(other.substr(0, other.find("-----END") + 26)));
  auto r = (*client)->send(smuggle);
  ASSERT_TRUE(r);
  EXPECT_EQ((*parseJsonObject(r->body))["cert"], thumbprint());
  nginx->stop();
}

}  // namespace
}  // namespace gridgate::net
