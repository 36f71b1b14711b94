// Socket-free tests of the protocol side's small units: redirect URIs, scopes, subject rules,
// the OAuth error mapping, PKCE, signing keys and rotation, records and messages.
#include <gtest/gtest.h>

#include "authz/config.h"
#include "authz/evidence.h"
#include "authz/keys.h"
#include "authz/message_delivery.h"
#include "authz/metadata.h"
#include "authz/oauth_error.h"
#include "authz/redirect_uri.h"
#include "authz/revoker.h"
#include "authz/scope.h"
#include "authz/subject_rules.h"
#include "authz/token_endpoint.h"
#include "authz/tokens.h"
#include "config/document.h"
#include "core/base64.h"
#include "crypto/digest.h"
#include "jose/jwt.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::authz {
namespace {

std::shared_ptr<const AuthzConfig> smallConfig(const std::string& extra = "") {
  const std::string text = R"(
[authz]
issuer = "https://as.example"
mtls_base_url = "https://mtls.as.example"
resource_audiences = ["https://api.example"]
client_ca = "ca.pem"
trust_framework = "https://registry.core.trust.ib1.org/trust-framework"
)" + extra + R"(
[authz.listeners.public]
cert_chain = "s.pem"
key = "s.key"
[authz.listeners.mtls]
cert_chain = "s.pem"
key = "s.key"
client_ca = "ca.pem"
[[authz.clients]]
client_id = "https://directory.example/a/demo-accounting"
display_name = "Demo"
scopes = ["https://licence.example/l", "offline_access", "openid"]
redirect_uris = ["https://app.example/cb"]
)";
  auto doc = config::Document::parse(text, "t.toml", "/", config::DocumentOptions{.env = {}});
  EXPECT_TRUE(doc);
  auto cfg = parseAuthzConfig(*doc);
  EXPECT_TRUE(cfg) << cfg.error().detail;
  return *cfg;
}

TEST(RedirectUriTest, AcceptsHttpsAndLoopbackOnly) {  // FAPI-CHECKLIST 28
  EXPECT_TRUE(RedirectUri::parse("https://client.example/cb?x=1"));
  EXPECT_TRUE(RedirectUri::parse("http://127.0.0.1:8080/cb"));
  EXPECT_TRUE(RedirectUri::parse("http://[::1]/cb"));
  EXPECT_TRUE(RedirectUri::parse("http://localhost:3000/cb"));
  EXPECT_FALSE(RedirectUri::parse("http://client.example/cb"));
  EXPECT_FALSE(RedirectUri::parse("http://127.0.0.1.evil.example/cb"));
  EXPECT_FALSE(RedirectUri::parse("https://client.example/cb#frag"));
  EXPECT_FALSE(RedirectUri::parse("https://user:pw@client.example/cb"));
  EXPECT_FALSE(RedirectUri::parse("javascript:alert(1)"));
  EXPECT_FALSE(RedirectUri::parse("https:///cb"));
  EXPECT_FALSE(RedirectUri::parse("https://client.example/c b"));
  EXPECT_FALSE(RedirectUri::parse("custom://app/cb"));
  EXPECT_FALSE(RedirectUri::parse(std::string(3000, 'a')));
}

TEST(RedirectUriTest, AppendsToAnExistingQuery) {
  auto u = RedirectUri::parse("https://c.example/cb?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->withQuery({{"code", "a b"}, {"state", "&="}}),
            "https://c.example/cb?x=1&code=a%20b&state=%26%3D");
  auto v = RedirectUri::parse("https://c.example/cb");
  EXPECT_EQ(v->withQuery({{"code", "c"}}), "https://c.example/cb?code=c");
}

TEST(ScopeTest, SplitJoinSubset) {
  EXPECT_EQ(splitScope("a  b a c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(joinScope({"a", "b"}), "a b");
  EXPECT_TRUE(isSubset({"a"}, {"a", "b"}));
  EXPECT_FALSE(isSubset({"a", "z"}, {"a", "b"}));
  EXPECT_TRUE(isScopeToken("https://x.example/l"));
  EXPECT_FALSE(isScopeToken("a\"b"));
  EXPECT_FALSE(isScopeToken(""));
}

TEST(SubjectRulesTest, ClientIdsAndSubjectsNeverMeet) {  // FAPI-CHECKLIST 12
  auto cfg = smallConfig();
  EXPECT_TRUE(checkUserSubject("alice", &cfg->clients));
  EXPECT_TRUE(checkUserSubject("user-0001", &cfg->clients));
  EXPECT_FALSE(checkUserSubject("https://directory.example/a/demo-accounting", &cfg->clients));
  EXPECT_FALSE(checkUserSubject("HTTPS://DIRECTORY.EXAMPLE/A/DEMO-ACCOUNTING", &cfg->clients));
  EXPECT_FALSE(checkUserSubject("demo-accounting", &cfg->clients));  // last path segment
  EXPECT_FALSE(checkUserSubject("Demo-Accounting", &cfg->clients));
  EXPECT_FALSE(checkUserSubject("directory.example", &cfg->clients));  // host
  EXPECT_FALSE(checkUserSubject("urn:x:y"));                           // looks like a URI
  EXPECT_FALSE(checkUserSubject(""));
  EXPECT_FALSE(checkUserSubject(std::string(129, 'a')));
  EXPECT_TRUE(checkClientId("https://directory.example/a/x"));
  EXPECT_FALSE(checkClientId("alice"));
}

TEST(OAuthErrorTest, OneMappingToTheWire) {
  net::Request req;
  req.route = "/token";
  const auto render = [&](OAuthErrc code) {
    return renderOAuthError(OAuthError{code, "desc", "internal secret detail"}, req);
  };
  EXPECT_EQ(render(OAuthErrc::kInvalidRequest).status, 400);
  EXPECT_EQ(render(OAuthErrc::kInvalidGrant).status, 400);
  EXPECT_EQ(render(OAuthErrc::kInvalidClient).status, 401);
  net::Response unavailable = render(OAuthErrc::kTemporarilyUnavailable);
  EXPECT_EQ(unavailable.status, 503);
  EXPECT_EQ(unavailable.headers.get("retry-after"), "5");
  net::Response r = render(OAuthErrc::kUnsupportedGrantType);
  EXPECT_EQ(r.body, R"({"error":"unsupported_grant_type","error_description":"desc"})");
  EXPECT_EQ(r.headers.get("cache-control"), "no-store");
  EXPECT_EQ(r.body.find("internal"), std::string::npos);  // nothing internal leaks

  req.headers.add("Authorization", "Basic Zm9vOmJhcg==");
  EXPECT_EQ(render(OAuthErrc::kInvalidClient).headers.get("www-authenticate"),
            "Basic realm=\"gridgate\"");
}

TEST(OAuthErrorTest, StoreOutagesAre503AndBugs500) {
  EXPECT_EQ(fromError(Error{Errc::kUnavailable, "db"}, OAuthErrc::kInvalidGrant, "x").code,
            OAuthErrc::kTemporarilyUnavailable);
  EXPECT_EQ(fromError(Error{Errc::kInternal, "bug"}, OAuthErrc::kInvalidGrant, "x").code,
            OAuthErrc::kServerError);
  EXPECT_EQ(fromError(Error{Errc::kNotFound, "no"}, OAuthErrc::kInvalidGrant, "x").code,
            OAuthErrc::kInvalidGrant);
}

TEST(PkceTest, S256Only) {
  const std::string verifier(43, 'a');
  const std::string challenge = crypto::sha256B64url(asBytes(verifier));
  EXPECT_TRUE(pkceMatches(verifier, challenge));
  EXPECT_FALSE(pkceMatches(verifier, verifier));  // plain is not S256
  EXPECT_FALSE(
      pkceMatches(std::string(42, 'a'), crypto::sha256B64url(asBytes(std::string(42, 'a')))));
  EXPECT_FALSE(
      pkceMatches(std::string(43, '!'), crypto::sha256B64url(asBytes(std::string(43, '!')))));
  EXPECT_FALSE(pkceMatches("", challenge));
}

TEST(MessageDeliveryTest, ExponentialBackoffCapped) {
  EXPECT_EQ(MessageDelivery::backoffSeconds(1, Seconds(5), Seconds(3600)), 5);
  EXPECT_EQ(MessageDelivery::backoffSeconds(2, Seconds(5), Seconds(3600)), 10);
  EXPECT_EQ(MessageDelivery::backoffSeconds(5, Seconds(5), Seconds(3600)), 80);
  EXPECT_EQ(MessageDelivery::backoffSeconds(40, Seconds(5), Seconds(3600)), 3600);
}

std::string jwtKid(const std::string& jwt) {
  auto jws = jose::Jws::parse(jwt);
  return jws && jws->kid() ? std::string(*jws->kid()) : std::string();
}

store::Grant sampleGrant() {
  store::Grant g;
  g.id = "g1";
  g.evidence_id = "ev1";
  g.client_id = "https://directory.example/a/demo-accounting";
  g.subject = "alice";
  g.scope = "https://licence.example/l offline_access";
  g.granted_at = 1'700'000'000;
  g.expires_at = 1'700'000'000 + 365 * 86400;
  g.data_available_from = 1'700'000'000 - 365 * 86400;
  g.token_issued_at = 1'700'000'000;
  g.token_expires_at = 1'700'000'300;
  return g;
}

TEST(PermissionRecordTest, PerseusFormat) {
  auto cfg = smallConfig();
  store::Grant g = sampleGrant();
  Json p = permissionRecord(g, *cfg);
  EXPECT_EQ(p["oauthIssuer"], "https://as.example");
  EXPECT_EQ(p["client"], g.client_id);
  EXPECT_EQ(p["license"], "https://licence.example/l");
  EXPECT_EQ(p["account"], "alice");
  EXPECT_EQ(p["lastGranted"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(p["expires"], "2024-11-13T22:13:20Z");
  EXPECT_EQ(p["evidence"], "https://as.example/evidence/ev1");
  EXPECT_FALSE(p.contains("revoked"));  // only when revoked
  EXPECT_EQ(p["dataAvailableFrom"], "2022-11-14T22:13:20Z");
  EXPECT_EQ(p["tokenIssuedAt"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(p["tokenExpires"], "2023-11-14T22:18:20Z");
  g.revoked_at = 1'700'000'100;
  EXPECT_EQ(permissionRecord(g, *cfg)["revoked"], "2023-11-14T22:15:00Z");
}

TEST(RevocationMessageTest, Ib1Format) {
  auto cfg = smallConfig();
  auto msg = parseJsonObject(Revoker::revocationMessage(sampleGrant(), *cfg, 1'700'000'100));
  ASSERT_TRUE(msg);
  EXPECT_EQ((*msg)["ib1:message"], "https://registry.core.trust.ib1.org/trust-framework");
  EXPECT_EQ((*msg)["subject"], "https://registry.trust.ib1.org/message/revoke");
  const Json& body = (*msg)["body"];
  EXPECT_EQ(body["account"], "alice");
  EXPECT_EQ(body["client"], "https://directory.example/a/demo-accounting");
  EXPECT_EQ(body["license"], "https://licence.example/l");
  EXPECT_EQ(body["revoked"], "2023-11-14T22:15:00Z");
  EXPECT_EQ(body["evidence"], "https://as.example/evidence/ev1");
  EXPECT_EQ(body.size(), 5u);
}

TEST(MetadataTest, EveryFapiField) {  // FAPI-CHECKLIST 7, 8, 9
  auto cfg = smallConfig();
  Json m = authorizationServerMetadata(*cfg);
  EXPECT_EQ(m["issuer"], "https://as.example");
  EXPECT_EQ(m["response_types_supported"], Json::array({"code"}));
  EXPECT_EQ(m["code_challenge_methods_supported"], Json::array({"S256"}));
  EXPECT_EQ(m["require_pushed_authorization_requests"], true);
  EXPECT_EQ(m["pushed_authorization_request_endpoint"], "https://mtls.as.example/par");
  EXPECT_EQ(m["authorization_response_iss_parameter_supported"], true);
  EXPECT_EQ(m["tls_client_certificate_bound_access_tokens"], true);
  EXPECT_EQ(m["token_endpoint_auth_methods_supported"],
            Json::array({"tls_client_auth", "self_signed_tls_client_auth", "private_key_jwt"}));
  EXPECT_EQ(m["token_endpoint_auth_signing_alg_values_supported"],
            Json::array({"PS256", "ES256", "EdDSA"}));
  EXPECT_EQ(m["id_token_signing_alg_values_supported"], Json::array({"ES256"}));
  EXPECT_EQ(m["mtls_endpoint_aliases"]["token_endpoint"], "https://mtls.as.example/token");
  EXPECT_EQ(m["ib1_permission_endpoint"], "https://mtls.as.example/permissions");
  EXPECT_FALSE(m.contains("dpop_signing_alg_values_supported"));
  EXPECT_EQ(m["grant_types_supported"], Json::array({"authorization_code", "refresh_token"}));
}

// --- signing keys (FAPI-CHECKLIST 58-60) ---

class KeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = store::openSqlite({.path = store::kSqliteInMemory});
    ASSERT_TRUE(db);
    store_ = *db;
  }
  std::shared_ptr<store::Store> store_;
  FakeClock clock_{1'700'000'000};
};

TEST_F(KeysTest, GeneratesOneKeyOnFirstStartAndReusesIt) {
  auto keys = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(keys) << keys.error().detail;
  auto set = (*keys)->current();
  ASSERT_TRUE(set);
  EXPECT_EQ(set->signer.alg(), jose::Alg::kES256);
  EXPECT_EQ(set->published.keys().size(), 1u);
  auto again = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)->current()->signer.kid(), set->signer.kid());
  EXPECT_EQ(store_->keys().list()->size(), 1u);
}

TEST_F(KeysTest, JwksHasOnlyPublicKeysWithUniqueKids) {  // FAPI-CHECKLIST 59
  auto keys = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(keys);
  ASSERT_TRUE(SigningKeys::stage(store_->keys(), jose::Alg::kES256, Seconds(3600), clock_));
  ASSERT_TRUE((*keys)->reload());
  auto set = (*keys)->current();
  auto jwks = parseJsonObject(set->jwks_json);
  ASSERT_TRUE(jwks);
  ASSERT_EQ((*jwks)["keys"].size(), 2u);
  std::set<std::string> kids;
  for (const Json& k : (*jwks)["keys"]) {
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "k"}) EXPECT_FALSE(k.contains(priv));
    kids.insert(k["kid"].get<std::string>());
    EXPECT_EQ(k["kty"], "EC");
    EXPECT_EQ(k["crv"], "P-256");  // FAPI-CHECKLIST 58
  }
  EXPECT_EQ(kids.size(), 2u);
}

TEST_F(KeysTest, RotationPublishesFirstThenSignsThenRetiresOld) {  // FAPI-CHECKLIST 60
  auto keys = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(keys);
  const std::string old_kid = (*keys)->current()->signer.kid();
  auto staged = SigningKeys::stage(store_->keys(), jose::Alg::kES256, Seconds(3600), clock_);
  ASSERT_TRUE(staged);
  ASSERT_TRUE((*keys)->reload());
  // Published at once, not signing yet.
  auto set = (*keys)->current();
  EXPECT_EQ(set->signer.kid(), old_kid);
  EXPECT_NE(set->published.findKid(staged->kid), nullptr);
  // After the delay: the new key signs, the old one stays published for the longest token
  // lifetime (+ margin) and then disappears.
  clock_.advance(std::chrono::seconds(3600));
  set = (*keys)->current();
  EXPECT_EQ(set->signer.kid(), staged->kid);
  EXPECT_NE(set->published.findKid(old_kid), nullptr);
  clock_.advance(std::chrono::seconds(300));
  EXPECT_NE((*keys)->current()->published.findKid(old_kid), nullptr);
  clock_.advance(std::chrono::seconds(61));
  EXPECT_EQ((*keys)->current()->published.findKid(old_kid), nullptr);
  EXPECT_EQ((*keys)->current()->published.keys().size(), 1u);
}

TEST_F(KeysTest, TokensSignedByTheOldKeyStillVerifyAfterRotation) {  // FAPI-CHECKLIST 60
  auto cfg = smallConfig();
  auto keys = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(keys);
  TokenIssuer issuer(cfg, *keys, clock_);
  store::Grant g = sampleGrant();
  auto at = issuer.accessToken(
      {.grant = g, .client_id = g.client_id, .scope = g.scope, .cnf_x5t = "thumb"});
  ASSERT_TRUE(at);
  ASSERT_TRUE(SigningKeys::stage(store_->keys(), jose::Alg::kES256, Seconds(10), clock_));
  ASSERT_TRUE((*keys)->reload());
  clock_.advance(std::chrono::seconds(20));
  EXPECT_TRUE(issuer.verifyAccessToken(at->jwt));
  auto newer = issuer.accessToken(
      {.grant = g, .client_id = g.client_id, .scope = g.scope, .cnf_x5t = "thumb"});
  ASSERT_TRUE(newer);
  EXPECT_NE(jwtKid(newer->jwt), jwtKid(at->jwt));
}

TEST_F(KeysTest, Ps256UsesRsaOf2048BitsOrMore) {  // FAPI-CHECKLIST 58
  auto keys = SigningKeys::open(
      store_->keys(),
      SigningConfig{.alg = jose::Alg::kPS256, .key_file = {}, .rotation_delay = Seconds(3600)},
      Seconds(300), clock_);
  ASSERT_TRUE(keys);
  auto set = (*keys)->current();
  EXPECT_EQ(set->signer.alg(), jose::Alg::kPS256);
  EXPECT_GE(set->signer.jwk().key().bits(), 2048);
  // A 1024-bit RSA key given as the configured key file is refused.
  const std::string file = ::testing::TempDir() + "/rsa1024.pem";
  ASSERT_EQ(std::system(("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out " +
                         file + " 2>/dev/null")
                            .c_str()),
            0);
  auto fresh = store::openSqlite({.path = store::kSqliteInMemory});
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(SigningKeys::open(
      (*fresh)->keys(),
      SigningConfig{.alg = jose::Alg::kPS256, .key_file = file, .rotation_delay = Seconds(3600)},
      Seconds(300), clock_));
}

TEST_F(KeysTest, AccessTokenClaims) {  // FAPI-CHECKLIST 47, 53, 61
  auto cfg = smallConfig();
  auto keys = SigningKeys::open(store_->keys(), SigningConfig{}, Seconds(300), clock_);
  ASSERT_TRUE(keys);
  TokenIssuer issuer(cfg, *keys, clock_);
  store::Grant g = sampleGrant();
  auto at = issuer.accessToken(
      {.grant = g, .client_id = g.client_id, .scope = g.scope, .cnf_x5t = "x5t-value"});
  ASSERT_TRUE(at);
  auto jws = jose::Jws::parse(at->jwt);
  ASSERT_TRUE(jws);
  EXPECT_EQ(jws->typ(), "at+jwt");
  EXPECT_EQ(jws->alg(), jose::Alg::kES256);
  auto claims = parseJsonObject(jws->payload());
  ASSERT_TRUE(claims);
  EXPECT_EQ((*claims)["iss"], "https://as.example");
  EXPECT_EQ((*claims)["sub"], "alice");
  EXPECT_EQ((*claims)["aud"], "https://api.example");
  EXPECT_EQ((*claims)["client_id"], g.client_id);
  EXPECT_EQ((*claims)["scope"], g.scope);
  EXPECT_EQ((*claims)["iat"], 1'700'000'000);
  EXPECT_EQ((*claims)["exp"], 1'700'000'300);
  EXPECT_EQ((*claims)["cnf"]["x5t#S256"], "x5t-value");
  EXPECT_EQ((*claims)["grant_id"], "g1");
  auto jti = base64urlDecode((*claims)["jti"].get<std::string>());
  ASSERT_TRUE(jti);
  EXPECT_GE(jti->size() * 8, 128u);  // FAPI-CHECKLIST 53
}

}  // namespace
}  // namespace gridgate::authz
