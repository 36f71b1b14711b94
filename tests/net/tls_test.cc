// TLS and mTLS on real sockets, checked with the project's client and with `openssl s_client`:
// client-certificate modes, foreign CAs, revocation, the FAPI protocol and cipher policy, RSA and
// ECDSA server certificates, session resumption, hostname verification, handshake metrics.
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "core/json.h"
#include "net/client.h"
#include "net/server.h"
#include "support.h"
#include "x509/certificate.h"

namespace gridgate::net {
namespace {

using namespace std::chrono_literals;
using test::testPki;

std::shared_ptr<Router> whoamiRouter() {
  auto r = std::make_shared<Router>();
  r->get("/whoami", [](const Request& req) {
    const auto& cc = req.peer.client_cert;
    Json out = {{"cert", cc ? cc->thumbprint() : ""},
                {"uri", cc ? cc->leaf.applicationUri().value_or("") : ""},
                {"chain", cc ? cc->chain.size() : 0},
                {"tls", req.peer.tls_version},
                {"resumed", req.peer.tls_resumed}};
    return Response::json(200, out);
  });
  return r;
}

ListenerConfig tlsListener(ClientCertMode mode) {
  const auto& pki = testPki();
  ListenerConfig l;
  l.tls = TlsServerConfig{};
  l.tls->certificates = {{pki.server_chain, pki.server_key}};
  l.tls->client_cert = mode;
  if (mode != ClientCertMode::kNone) l.tls->client_ca_file = pki.client_ca;
  l.limits.handshake_timeout = 2s;
  return l;
}

ClientConfig clientConfig(bool with_cert, const std::string& chain = testPki().client_chain,
                          const std::string& key = testPki().client_key) {
  ClientConfig c;
  c.tls.ca_file = testPki().server_ca;
  if (with_cert) {
    c.tls.cert_chain_file = chain;
    c.tls.key_file = key;
  }
  c.retry.max_attempts = 1;
  c.connect_timeout = 3s;
  c.request_timeout = 3s;
  return c;
}

Result<Json> whoami(const ClientConfig& cfg, std::uint16_t port,
                    const std::string& host = "127.0.0.1") {
  GG_TRY(auto client, HttpClient::create(cfg));
  GG_TRY(ClientResponse r,
         client->send({.url = "https://" + host + ":" + std::to_string(port) + "/whoami"}));
  if (r.status != 200) return fail(Errc::kInternal, "status " + std::to_string(r.status));
  return parseJsonObject(r.body);
}

std::string expectedThumbprint(const std::string& pem_file) {
  return x509::Certificate::fromPem(test::readFileText(pem_file))->thumbprint();
}

// One GET through `openssl s_client`; the transcript (stdout+stderr).
std::string sClient(std::uint16_t port, const std::string& args) {
  const std::string cmd =
      "printf 'GET /whoami HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' | "
      "timeout 10 openssl s_client -connect 127.0.0.1:" +
      std::to_string(port) + " -CAfile " + testPki().server_ca + " -verify_return_error -ign_eof " +
      args;
  std::string out;
  test::runShell(cmd, &out);
  return out;
}
bool gotOk(const std::string& transcript) {
  return transcript.find("HTTP/1.1 200 OK") != std::string::npos;
}

TEST(NetTls, RequireAcceptsAVerifiedClientAndParsesItOnce) {
  test::RunningServer s(tlsListener(ClientCertMode::kRequire), whoamiRouter());
  auto j = whoami(clientConfig(true), s.port);
  ASSERT_TRUE(j) << j.error().detail;
  EXPECT_EQ((*j)["cert"], expectedThumbprint(testPki().client_leaf));
  EXPECT_EQ((*j)["uri"], "https://client.example/app");
  EXPECT_EQ((*j)["chain"], 2) << "leaf and root from the verified chain";
  EXPECT_EQ((*j)["tls"], "TLSv1.3");

  const std::string out =
      sClient(s.port, "-cert " + testPki().client_chain + " -key " + testPki().client_key);
  EXPECT_TRUE(gotOk(out)) << out;
}

TEST(NetTls, RequireRefusesNoCertificate) {
  test::RunningServer s(tlsListener(ClientCertMode::kRequire), whoamiRouter());
  auto j = whoami(clientConfig(false), s.port);
  ASSERT_FALSE(j);
  EXPECT_EQ(j.error().code, Errc::kUnavailable) << j.error().detail;
  const std::string out = sClient(s.port, "");
  EXPECT_FALSE(gotOk(out)) << out;
  EXPECT_NE(s.server->metrics().renderPrometheus().find(
                "gridgate_tls_handshake_failures_total{listener=\"test\",reason=\"peer_did_not_"
                "return_a_certificate\"}"),
            std::string::npos)
      << s.server->metrics().renderPrometheus();
}

TEST(NetTls, CertificateFromAnotherCaIsRefused) {
  for (auto mode : {ClientCertMode::kRequire, ClientCertMode::kOptional}) {
    test::RunningServer s(tlsListener(mode), whoamiRouter());
    const auto& pki = testPki();
    auto j = whoami(clientConfig(true, pki.other_client_chain, pki.other_client_key), s.port);
    EXPECT_FALSE(j);
    const std::string out =
        sClient(s.port, "-cert " + pki.other_client_chain + " -key " + pki.other_client_key);
    EXPECT_FALSE(gotOk(out)) << out;
    EXPECT_NE(s.server->metrics().renderPrometheus().find("reason=\"certificate_verify_failed\""),
              std::string::npos);
  }
}

TEST(NetTls, OptionalAndNone) {
  {
    test::RunningServer s(tlsListener(ClientCertMode::kOptional), whoamiRouter());
    auto without = whoami(clientConfig(false), s.port);
    ASSERT_TRUE(without) << without.error().detail;
    EXPECT_EQ((*without)["cert"], "");
    auto with = whoami(clientConfig(true), s.port);
    ASSERT_TRUE(with) << with.error().detail;
    EXPECT_EQ((*with)["cert"], expectedThumbprint(testPki().client_leaf));
  }
  {
    test::RunningServer s(tlsListener(ClientCertMode::kNone), whoamiRouter());
    auto with = whoami(clientConfig(true), s.port);
    ASSERT_TRUE(with) << with.error().detail;
    EXPECT_EQ((*with)["cert"], "") << "not requested, so none";
  }
}

TEST(NetTls, RevokedClientCertificateIsRefused) {
  ListenerConfig l = tlsListener(ClientCertMode::kRequire);
  l.tls->crl_file = testPki().crl;
  test::RunningServer s(l, whoamiRouter());
  const auto& pki = testPki();
  auto revoked = whoami(clientConfig(true, pki.revoked_chain, pki.revoked_key), s.port);
  EXPECT_FALSE(revoked);
  auto good = whoami(clientConfig(true), s.port);
  EXPECT_TRUE(good) << good.error().detail;
}

TEST(NetTls, OldProtocolsAndNonEcdheSuitesAreRefused) {
  test::RunningServer s(tlsListener(ClientCertMode::kNone), whoamiRouter());
  // Controls: what the policy allows works.
  EXPECT_TRUE(gotOk(sClient(s.port, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256")));
  EXPECT_TRUE(gotOk(sClient(s.port, "-tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384")));
  EXPECT_TRUE(gotOk(sClient(s.port, "-tls1_3")));
  // TLS 1.1 and 1.0.
  for (const char* old : {"-tls1_1", "-tls1"}) {
    const std::string out = sClient(s.port, std::string(old) + " -cipher DEFAULT@SECLEVEL=0");
    EXPECT_FALSE(gotOk(out)) << out;
  }
  // TLS 1.2 without ECDHE, or without AEAD.
  for (const char* suite : {"AES128-GCM-SHA256", "AES256-SHA256", "ECDHE-ECDSA-AES128-SHA256",
                            "ECDHE-ECDSA-CHACHA20-POLY1305", "DHE-RSA-AES128-GCM-SHA256"}) {
    const std::string out = sClient(s.port, std::string("-tls1_2 -cipher ") + suite);
    EXPECT_FALSE(gotOk(out)) << suite << "\n" << out;
  }
  // The same through the project's client, with the test-only overrides.
  ClientConfig tls11 = clientConfig(false);
  tls11.tls.test_max_version = TLS1_1_VERSION;
  tls11.tls.test_cipher_list = "DEFAULT@SECLEVEL=0";
  EXPECT_FALSE(whoami(tls11, s.port));
  ClientConfig rsa_kx = clientConfig(false);
  rsa_kx.tls.test_max_version = TLS1_2_VERSION;
  rsa_kx.tls.test_cipher_list = "AES128-GCM-SHA256";
  EXPECT_FALSE(whoami(rsa_kx, s.port));
  ClientConfig ok12 = clientConfig(false);
  ok12.tls.test_max_version = TLS1_2_VERSION;
  auto j = whoami(ok12, s.port);
  ASSERT_TRUE(j) << j.error().detail;
  EXPECT_EQ((*j)["tls"], "TLSv1.2");
  const std::string metrics = s.server->metrics().renderPrometheus();
  EXPECT_NE(metrics.find("reason=\"unsupported_protocol\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("reason=\"no_shared_cipher\""), std::string::npos) << metrics;
}

TEST(NetTls, RsaAndEcdsaServerCertificates) {
  const auto& pki = testPki();
  ListenerConfig l = tlsListener(ClientCertMode::kNone);
  l.tls->certificates = {{pki.server_chain, pki.server_key},
                         {pki.server_rsa_chain, pki.server_rsa_key}};
  test::RunningServer s(l, whoamiRouter());
  std::string out = sClient(s.port, "-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_TRUE(gotOk(out)) << out;
  EXPECT_NE(out.find("CN = server-rsa"), std::string::npos) << out;
  out = sClient(s.port, "-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_TRUE(gotOk(out)) << out;
  EXPECT_EQ(out.find("CN = server-rsa"), std::string::npos);
  out = sClient(s.port, "-tls1_3 -sigalgs rsa_pss_rsae_sha256");
  EXPECT_TRUE(gotOk(out)) << out;
  EXPECT_NE(out.find("CN = server-rsa"), std::string::npos) << out;
}

TEST(NetTls, SessionResumptionKeepsTheClientCertificate) {
  test::RunningServer s(tlsListener(ClientCertMode::kRequire), whoamiRouter());
  const auto& pki = testPki();
  test::TempDir dir;
  const std::string creds = " -cert " + pki.client_chain + " -key " + pki.client_key;
  for (const char* version : {"-tls1_3", "-tls1_2"}) {
    const std::string sess = dir.file(std::string("session") + version);
    std::string first = sClient(s.port, std::string(version) + creds + " -sess_out " + sess);
    ASSERT_TRUE(gotOk(first)) << first;
    EXPECT_NE(first.find("\"resumed\":false"), std::string::npos) << first;
    std::string second = sClient(s.port, std::string(version) + creds + " -sess_in " + sess);
    ASSERT_TRUE(gotOk(second)) << second;
    EXPECT_NE(second.find("Reused, "), std::string::npos) << version << "\n" << second;
    EXPECT_NE(second.find("\"resumed\":true"), std::string::npos) << second;
    EXPECT_NE(second.find(expectedThumbprint(pki.client_leaf)), std::string::npos)
        << "the certificate survives resumption\n"
        << second;
  }
}

TEST(NetTls, ClientVerifiesServerNameAndAnchor) {
  const auto& pki = testPki();
  test::RunningServer good(tlsListener(ClientCertMode::kNone), whoamiRouter());
  EXPECT_TRUE(whoami(clientConfig(false), good.port, "127.0.0.1"));
  EXPECT_TRUE(whoami(clientConfig(false), good.port, "localhost"));
  ClientConfig wrong_anchor = clientConfig(false);
  wrong_anchor.tls.ca_file = pki.client_ca;
  auto bad = whoami(wrong_anchor, good.port);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kUntrustedCertificate) << bad.error().detail;

  ListenerConfig l = tlsListener(ClientCertMode::kNone);
  l.tls->certificates = {{pki.server_wrong_name_chain, pki.server_wrong_name_key}};
  test::RunningServer wrong(l, whoamiRouter());
  for (const char* host : {"127.0.0.1", "localhost"}) {
    auto r = whoami(clientConfig(false), wrong.port, host);
    ASSERT_FALSE(r) << host;
    EXPECT_EQ(r.error().code, Errc::kUntrustedCertificate) << r.error().detail;
  }
}

TEST(NetTls, HandshakeTimeout) {
  ListenerConfig l = tlsListener(ClientCertMode::kRequire);
  l.limits.handshake_timeout = 200ms;
  test::RunningServer s(l, whoamiRouter());
  test::RawClient silent(s.port);  // TCP only, never a ClientHello
  EXPECT_TRUE(silent.closedWithin(3s));
  EXPECT_NE(s.server->metrics().renderPrometheus().find("reason=\"timeout\""), std::string::npos);
  test::RawClient plain(s.port);  // plain HTTP to a TLS port
  plain.send(test::simpleGet("/whoami"));
  EXPECT_TRUE(plain.closedWithin(3s));
}

TEST(NetTls, ManyKeepAliveRequestsOverOneMtlsConnection) {
  test::RunningServer s(tlsListener(ClientCertMode::kRequire), whoamiRouter());
  auto client = HttpClient::create(clientConfig(true));
  ASSERT_TRUE(client);
  for (int i = 0; i < 50; ++i) {
    auto r = (*client)->send({.url = "https://127.0.0.1:" + std::to_string(s.port) + "/whoami"});
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ((*client)->idleConnections(), 1U);
  EXPECT_NE(s.server->metrics().renderPrometheus().find(
                "gridgate_tls_handshakes_total{listener=\"test\"} 1\n"),
            std::string::npos);
}

}  // namespace
}  // namespace gridgate::net
