// The resource server behind a real nginx in trusted-proxy mode: nginx terminates mTLS and
// forwards the verified client certificate ($ssl_client_escaped_cert) in
// X-Amzn-Mtls-Clientcert-Leaf to the plain "proxied" listener, which accepts it only from
// 127.0.0.1 and re-checks its chain. The same requests as over direct mTLS give the same answers.
#include <gtest/gtest.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/json.h"
#include "net/form.h"
#include "nginx_child.h"  // tests/net
#include "pki/files.h"
#include "provenance/record.h"
#include "provenance/verifier.h"
#include "server_support.h"
#include "support.h"

namespace gridgate::resource {
namespace {

using namespace std::chrono_literals;
using net::test::kNginx;
using validator::testing::testPki;

class NginxFront {
 public:
  explicit NginxFront(std::uint16_t upstream) : port_(net::test::freePort()) {
    const auto& pki = testPki();
    const std::string d = dir_.path().string();
    nginx_ =
        net::test::startNginx(d, net::test::mtlsProxyServer({.port = port_,
                                                             .cert_chain = pki.server_bundle,
                                                             .key = pki.server_key,
                                                             .client_ca = pki.client_verify_bundle,
                                                             .upstream = upstream}));
    ready_ = net::test::waitForPort(port_, 5s);
  }
  ~NginxFront() {
    if (nginx_) nginx_->stop();
  }
  bool ready() const { return ready_; }
  std::uint16_t port() const { return port_; }
  std::string errorLog() const { return test::readText(dir_.path() / "error.log"); }

 private:
  test::TempDir dir_;
  std::uint16_t port_;
  std::unique_ptr<net::test::ChildProcess> nginx_;
  bool ready_ = false;
};

class BehindNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kNginx, X_OK) != 0) GTEST_SKIP() << "nginx not installed";
    clock_ = std::make_unique<FakeClock>(SystemClock::instance().unixSeconds());
    issuer_ = std::make_unique<validator::testing::TestIssuer>(*clock_);
    env_ = std::make_unique<test::ResourceEnv>(*issuer_, *clock_, validator::TokenMode::kJwt);
    front_ = std::make_unique<NginxFront>(env_->port("proxied"));
    ASSERT_TRUE(front_->ready()) << front_->errorLog();
  }

  net::ClientResponse get(const std::string& leaf, const std::string& target,
                          const std::string& token,
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto r = env_->sendToPort(front_->port(), leaf, target, token, headers);
    if (!r) {
      ADD_FAILURE() << target << ": " << r.error().detail << "\n" << front_->errorLog();
      return {};
    }
    return std::move(*r);
  }

  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<validator::testing::TestIssuer> issuer_;
  std::unique_ptr<test::ResourceEnv> env_;
  std::unique_ptr<NginxFront> front_;
};

TEST_F(BehindNginx, SameAnswersAsDirectMtls) {
  const std::string token = env_->tokenFor("demo");
  auto r = get("demo", "/datasources", token);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*r.headers.get("cache-control"), "no-store");
  EXPECT_TRUE(r.headers.get("x-fapi-interaction-id"));
  EXPECT_EQ(r.body, env_->get("demo", "/datasources", token).body);

  const std::string interaction = "0e4ac0b6-4a43-4e0b-9b36-6f2f1f6bd8a1";
  r = get("demo", "/datasources/mnop3456/export?from=2024-07-01&to=2024-07-01", token,
          {{"x-fapi-interaction-id", interaction}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(*r.headers.get("x-fapi-interaction-id"), interaction);
  auto record = provenance::Record::parse(r.body);
  ASSERT_TRUE(record) << record.error().detail;
  auto verifier = provenance::Verifier::fromPem(*pki::readFile(testPki().layout.signing.ca));
  auto v = verifier->verify(*record);
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_EQ(v->steps[2].step["to"], testPki().ids.demo_application);
  EXPECT_EQ(v->steps[2].step["transaction"], interaction);
  EXPECT_EQ(v->steps[2].step["parameters"]["measure"], "export");

  // Errors are the same too.
  EXPECT_EQ(get("demo", "/datasources/nope/import?from=2024-01-01&to=2024-01-01", token).status,
            404);
  r = get("demo", "/datasources/abcd1234/import?from=2024-01-01", token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ((*parseJsonObject(r.body))["parameter"], "to");
  r = get("demo", "/datasets/postcodes.csv",
          env_->tokenFor("demo", {{"scope", std::string(test::kPostcodesScope)}}),
          {{"Range", "bytes=0-6"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, env_->postcodes.substr(0, 7));
}

TEST_F(BehindNginx, RefusalsUseTheForwardedCertificate) {
  // No token.
  auto r = get("demo", "/datasources", "");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(r.headers.get("www-authenticate"));
  // Another client's token with the demo certificate: the binding is checked against the
  // certificate nginx verified and forwarded.
  EXPECT_EQ(get("demo", "/datasources", env_->tokenFor("other")).status, 401);
  // A client certificate without the role: 403 JSON.
  r = get("provider", "/datasources", env_->tokenFor("provider"));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ((*parseJsonObject(r.body))["error"], "insufficient_scope");
  // A client smuggling another certificate in the header: nginx overwrites it with the one it
  // verified, so the other member's token still does not fit.
  const std::string other_pem = env_->cert("other").toPem();
  r = get("demo", "/datasources", env_->tokenFor("other"),
          {{"X-Amzn-Mtls-Clientcert-Leaf", net::formEncode(other_pem)}});
  EXPECT_EQ(r.status, 401);
  // A certificate from another trust framework never gets past nginx (it answers 400 itself, or
  // drops the handshake).
  auto rogue = env_->sendToPort(front_->port(), "rogue", "/datasources", env_->tokenFor("demo"));
  if (rogue) {
    EXPECT_EQ(rogue->status, 400);
    EXPECT_FALSE(rogue->headers.get("x-fapi-interaction-id")) << "reached the resource server";
  }
}

TEST_F(BehindNginx, ProxiedListenerRefusesDirectPeersWithTheHeader) {
  // Straight to the plain listener from 127.0.0.1 (an allowed proxy address) with a forged header
  // holding a certificate that does not chain to the client CA: 400, never served.
  const std::string rogue_pem = test::readText(testPki().leaves.at("rogue").cert);
  const std::string res =
      test::rawExchange(env_->port("proxied"),
                        "GET /datasources HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        "X-Amzn-Mtls-Clientcert-Leaf: " +
                            net::formEncode(rogue_pem) + "\r\n\r\n");
  ASSERT_FALSE(res.empty());
  EXPECT_TRUE(res.starts_with("HTTP/1.1 400 ")) << res.substr(0, 200);
}

}  // namespace
}  // namespace gridgate::resource
