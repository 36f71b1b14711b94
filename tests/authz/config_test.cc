// The TOML loader (config::Document) and the [authz] section. No sockets.
#include "authz/config.h"

#include <gtest/gtest.h>

#include <map>

#include "config/common.h"
#include "config/document.h"
#include "config/listener.h"

namespace gridgate {
namespace {

using config::Document;
using config::DocumentOptions;

DocumentOptions env(std::map<std::string, std::string> vars) {
  return DocumentOptions{.env = [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  }};
}

Document parse(const std::string& text, std::map<std::string, std::string> vars = {}) {
  auto doc = Document::parse(text, "test.toml", "/etc/gg", env(std::move(vars)));
  EXPECT_TRUE(doc) << doc.error().detail;
  return std::move(*doc);
}

TEST(ConfigDocument, TypedValuesAndDefaults) {
  Document doc = parse(R"(
[a]
s = "text"
i = 42
b = true
d1 = "5m"
d2 = 90
list = ["x", "y"]
file = "keys/k.pem"
abs = "/abs/k.pem"
)");
  const config::Section a = doc.section("a");
  EXPECT_EQ(*a.string("s", ""), "text");
  EXPECT_EQ(*a.integer("i", 0, 0, 100), 42);
  EXPECT_TRUE(*a.boolean("b", false));
  EXPECT_EQ(*a.duration("d1", Seconds(0)), Seconds(300));
  EXPECT_EQ(*a.duration("d2", Seconds(0)), Seconds(90));
  EXPECT_EQ(*a.stringList("list"), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(a.filePath("file")->string(), "/etc/gg/keys/k.pem");
  EXPECT_EQ(a.filePath("abs")->string(), "/abs/k.pem");
  EXPECT_EQ(*a.string("absent", "dflt"), "dflt");
  EXPECT_TRUE(doc.checkAllRead());
}

TEST(ConfigDocument, EnvironmentAndOverridesWinInOrder) {
  Document doc = parse("[authz.listeners.public]\nport = 8000\n[authz]\nissuer = \"https://a\"\n",
                       {{"GRIDGATE_AUTHZ_LISTENERS_PUBLIC_PORT", "9000"},
                        {"GRIDGATE_AUTHZ_ISSUER", "https://from-env"}});
  EXPECT_EQ(*doc.section("authz.listeners.public").integer("port", 0, 0, 65535), 9000);
  doc.setOverride("authz.issuer", "https://from-flag");
  EXPECT_EQ(*doc.section("authz").string("issuer", ""), "https://from-flag");
  EXPECT_EQ(doc.section("authz").envName("access_token_lifetime"),
            "GRIDGATE_AUTHZ_ACCESS_TOKEN_LIFETIME");
}

TEST(ConfigDocument, EnvironmentListsAndTableArrayElements) {
  Document doc = parse("[[authz.clients]]\nclient_id = \"https://x\"\nscopes = [\"a\"]\n",
                       {{"GRIDGATE_AUTHZ_CLIENTS_0_SCOPES", "a, b ,c"}});
  auto clients = doc.section("authz").tableArray("clients");
  ASSERT_TRUE(clients);
  ASSERT_EQ(clients->size(), 1u);
  EXPECT_EQ((*clients)[0].path(), "authz.clients.0");
  EXPECT_EQ(*(*clients)[0].stringList("scopes"), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ConfigDocument, UnknownKeysAreErrors) {
  Document doc = parse("[server]\nlog_levl = \"debug\"\n");
  ASSERT_TRUE(config::parseServerSection(doc));
  auto st = doc.checkAllRead();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().detail.find("server.log_levl"), std::string::npos);
}

TEST(ConfigDocument, WrongTypesNameThePathNotTheValue) {
  Document doc = parse("[a]\nport = \"secret-value\"\n");
  auto r = doc.section("a").integer("port", 0, 0, 10);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("a.port"), std::string::npos);
  EXPECT_EQ(r.error().detail.find("secret-value"), std::string::npos);
}

TEST(ConfigDocument, SyntaxErrorsHaveALine) {
  auto doc = Document::parse("[a]\nx = \n", "bad.toml", "/", env({}));
  ASSERT_FALSE(doc);
  EXPECT_NE(doc.error().detail.find("bad.toml:2"), std::string::npos);
}

TEST(ConfigDuration, Units) {
  EXPECT_EQ(*config::parseDuration("90s"), Seconds(90));
  EXPECT_EQ(*config::parseDuration("24h"), Seconds(86400));
  EXPECT_EQ(*config::parseDuration("365d"), Seconds(365 * 86400));
  EXPECT_FALSE(config::parseDuration("5 minutes"));
  EXPECT_FALSE(config::parseDuration("-5s"));
  EXPECT_FALSE(config::parseDuration("99999999999999d"));
}

TEST(ConfigListener, PlainHttpOnlyBehindATrustedProxy) {  // FAPI-CHECKLIST 1
  Document doc = parse("[l]\nport = 1\n");
  EXPECT_FALSE(config::parseListenerSection(doc.section("l"), {}));
  Document proxied = parse("[l.trusted_proxy]\nproxies = [\"10.0.0.0/8\"]\n");
  auto r = config::parseListenerSection(proxied.section("l"), {});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->trusted_proxy);
  Document mtls = parse("[l]\ncert_chain = \"c.pem\"\nkey = \"k.pem\"\n");
  EXPECT_FALSE(config::parseListenerSection(
      mtls.section("l"), {.client_cert = config::ClientCertPolicy::kRequire}));  // no client_ca
}

const char* kBase = R"(
[authz]
issuer = "https://as.example"
mtls_base_url = "https://mtls.as.example/"
resource_audiences = ["https://api.example"]
client_ca = "ca.pem"
[authz.listeners.public]
cert_chain = "s.pem"
key = "s.key"
[authz.listeners.mtls]
cert_chain = "s.pem"
key = "s.key"
client_ca = "ca.pem"
)";

std::string withClient(const std::string& client_body, const std::string& authz_extra = "") {
  std::string base = kBase;
  if (!authz_extra.empty()) {
    base.replace(base.find("[authz]\n") + 8, 0, authz_extra + "\n");
  }
  return base + "[[authz.clients]]\n" + client_body;
}

const char* kGoodClient = R"(client_id = "https://directory.example/a/app"
display_name = "App"
scopes = ["https://licence.example/l", "offline_access"]
redirect_uris = ["https://app.example/cb"]
)";

TEST(AuthzConfig, ParsesAndDerivesEndpoints) {
  Document doc = parse(withClient(kGoodClient));
  auto cfg = authz::parseAuthzConfig(doc);
  ASSERT_TRUE(cfg) << cfg.error().detail;
  EXPECT_EQ((*cfg)->issuer, "https://as.example");
  EXPECT_EQ((*cfg)->tokenEndpoint(), "https://mtls.as.example/token");
  EXPECT_EQ((*cfg)->authorizationEndpoint(), "https://as.example/authorize");
  EXPECT_EQ((*cfg)->par_lifetime, Seconds(90));
  EXPECT_EQ((*cfg)->access_token_lifetime, Seconds(300));  // FAPI-CHECKLIST 54: default <= 10 min
  EXPECT_FALSE((*cfg)->refresh_token_rotation);            // FAPI-CHECKLIST 56
  const authz::ClientConfig* c = (*cfg)->clients.find("https://directory.example/a/app");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->auth_method, authz::ClientAuthMethod::kTlsClientAuth);
  EXPECT_EQ(c->required_role,
            "https://registry.core.trust.ib1.org/scheme/perseus/role/carbon-accounting-provider");
  EXPECT_TRUE(doc.checkAllRead());
}

TEST(AuthzConfig, PublicAndSecretClientsAreRefused) {  // FAPI-CHECKLIST 10, 13
  for (const char* method :
       {"none", "client_secret_basic", "client_secret_post", "client_secret_jwt", "magic"}) {
    Document doc =
        parse(withClient(std::string(kGoodClient) + "auth_method = \"" + method + "\"\n"));
    auto cfg = authz::parseAuthzConfig(doc);
    EXPECT_FALSE(cfg) << method;
  }
}

TEST(AuthzConfig, ClientIdMustBeAnHttpsUrl) {  // FAPI-CHECKLIST 12
  for (const char* id : {"alice", "http://app.example/a", "https://app.example/a?x=1",
                         "https://user@app.example/a", "https://"}) {
    std::string body = kGoodClient;
    body.replace(body.find("https://directory.example/a/app"), 31, id);
    Document doc = parse(withClient(body));
    EXPECT_FALSE(authz::parseAuthzConfig(doc)) << id;
  }
}

TEST(AuthzConfig, LifetimesAreBounded) {  // FAPI-CHECKLIST 22, 39, 54
  EXPECT_FALSE(authz::parseAuthzConfig(parse(withClient(kGoodClient, "par_lifetime = \"600s\""))));
  EXPECT_FALSE(authz::parseAuthzConfig(parse(withClient(kGoodClient, "par_lifetime = \"20s\""))));
  EXPECT_FALSE(authz::parseAuthzConfig(parse(withClient(kGoodClient, "code_lifetime = 61"))));
  EXPECT_FALSE(
      authz::parseAuthzConfig(parse(withClient(kGoodClient, "access_token_lifetime = \"11m\""))));
  auto cfg =
      authz::parseAuthzConfig(parse(withClient(kGoodClient, "access_token_lifetime = \"2m\"")));
  ASSERT_TRUE(cfg) << cfg.error().detail;
  EXPECT_EQ((*cfg)->access_token_lifetime, Seconds(120));
}

TEST(AuthzConfig, RedirectUrisFollowThePolicy) {  // FAPI-CHECKLIST 28
  std::string body = kGoodClient;
  body.replace(body.find("https://app.example/cb"), 22, "http://app.example/cb");
  EXPECT_FALSE(authz::parseAuthzConfig(parse(withClient(body))));
  body = kGoodClient;
  body.replace(body.find("https://app.example/cb"), 22, "http://127.0.0.1:8080/cb");
  EXPECT_TRUE(authz::parseAuthzConfig(parse(withClient(body))));
}

TEST(AuthzConfig, KeyBasedMethodsNeedAJwks) {
  Document doc =
      parse(withClient(std::string(kGoodClient) + "auth_method = \"private_key_jwt\"\n"));
  EXPECT_FALSE(authz::parseAuthzConfig(doc));
}

TEST(AuthzConfig, DuplicateClientsAreRefused) {
  Document doc =
      parse(withClient(std::string(kGoodClient) + "\n[[authz.clients]]\n" + kGoodClient));
  EXPECT_FALSE(authz::parseAuthzConfig(doc));
}

TEST(AuthzConfig, SigningAlgorithmIsEs256OrPs256) {  // FAPI-CHECKLIST 58
  EXPECT_FALSE(authz::parseAuthzConfig(
      parse(withClient(kGoodClient) + "[authz.signing]\nalg = \"RS256\"\n")));
  auto cfg = authz::parseAuthzConfig(
      parse(withClient(kGoodClient) + "[authz.signing]\nalg = \"PS256\"\n"));
  ASSERT_TRUE(cfg);
  EXPECT_EQ((*cfg)->signing.alg, jose::Alg::kPS256);
}

}  // namespace
}  // namespace gridgate
