// The resource server over mTLS with tokens from a real issuer (the validator's in-process test
// issuer: discovery, JWKS, introspection over mTLS): every refusal the validator must make before
// any handler runs, every API error, provenance verified end to end, dataset files with ETag and
// Range, and the headers every response carries.
#include "net/server.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "net/client.h"
#include "pki/files.h"
#include "provenance/record.h"
#include "provenance/verifier.h"
#include "resource/service.h"
#include "server_support.h"
#include "support.h"

namespace gridgate::resource {
namespace {

using validator::testing::kLicence;
using validator::testing::testPki;

constexpr std::string_view kFileScope = "https://example.org/licence/postcodes";

class ResourceServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clock_ = new FakeClock(SystemClock::instance().unixSeconds());
    issuer_ = new validator::testing::TestIssuer(*clock_);
    env_ = new test::ResourceEnv(*issuer_, *clock_, validator::TokenMode::kJwt);
  }
  static void TearDownTestSuite() {
    delete env_;
    delete issuer_;
    delete clock_;
  }
  void SetUp() override { clock_->set(SystemClock::instance().unixSeconds()); }

  static FakeClock* clock_;
  static validator::testing::TestIssuer* issuer_;
  static test::ResourceEnv* env_;
};
FakeClock* ResourceServerTest::clock_ = nullptr;
validator::testing::TestIssuer* ResourceServerTest::issuer_ = nullptr;
test::ResourceEnv* ResourceServerTest::env_ = nullptr;

std::string tokenFor(const validator::testing::TestIssuer& as, const std::string& leaf,
                     const Json& claims = Json::object()) {
  return as.jwt(claims, testPki().cert(leaf));
}

void expectCommonHeaders(const net::ClientResponse& r) {
  EXPECT_TRUE(r.headers.get("date")) << r.status;
  const auto id = r.headers.get("x-fapi-interaction-id");
  ASSERT_TRUE(id);
  EXPECT_TRUE(isUuid(*id));
  ASSERT_TRUE(r.headers.get("cache-control")) << r.status;
  EXPECT_EQ(*r.headers.get("cache-control"), "no-store") << r.status;
}

Json jsonOf(const net::ClientResponse& r) {
  auto j = parseJsonObject(r.body, JsonLimits{.max_bytes = 64 * 1024 * 1024});
  EXPECT_TRUE(j) << r.status << " " << r.body.substr(0, 200);
  return j ? *j : Json();
}

TEST_F(ResourceServerTest, DatasourcesWithAValidToken) {
  const auto r = env_->get("demo", "/datasources", tokenFor(*issuer_, "demo"));
  ASSERT_EQ(r.status, 200) << r.body;
  expectCommonHeaders(r);
  const Json j = jsonOf(r);
  EXPECT_EQ(j["data"].size(), builtInMeters().size());
  EXPECT_EQ(j["data"][0]["id"], "abcd1234");
}

TEST_F(ResourceServerTest, ReadingsWithVerifiedProvenance) {
  const std::string interaction = uuidV4();
  const auto r = env_->get("demo", "/datasources/efgh5678/import?from=2024-06-01&to=2024-06-01",
                           tokenFor(*issuer_, "demo"), {{"x-fapi-interaction-id", interaction}});
  ASSERT_EQ(r.status, 200) << r.body;
  expectCommonHeaders(r);
  EXPECT_EQ(*r.headers.get("x-fapi-interaction-id"), interaction);
  const Json j = jsonOf(r);
  ASSERT_EQ(j["data"].size(), 48u);
  EXPECT_EQ(j["location"]["ukPostcodeOutcode"], "OX4");

  auto record = provenance::Record::parse(r.body);
  ASSERT_TRUE(record) << record.error().detail;
  auto verifier = provenance::Verifier::fromPem(*pki::readFile(testPki().layout.signing.ca));
  ASSERT_TRUE(verifier);
  auto v = verifier->verify(*record);
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_TRUE(provenance::requireRole(*v, provenance::kEnergyDataProviderRole));
  ASSERT_EQ(v->steps.size(), 3u);
  const OrderedJson& permission = v->steps[0].step;
  const OrderedJson& transfer = v->steps[2].step;
  EXPECT_EQ(permission["account"], "user-1");  // the token's sub
  EXPECT_EQ(permission["allows"]["licences"][0], kLicence);
  EXPECT_EQ(transfer["to"], testPki().ids.demo_application);
  EXPECT_EQ(transfer["transaction"], interaction);
  EXPECT_EQ(transfer["parameters"],
            (OrderedJson{{"measure", "import"}, {"from", "2024-06-01"}, {"to", "2024-06-01"}}));
  EXPECT_EQ(transfer["service"],
            std::string(validator::testing::kAudience) + "/datasources/efgh5678/import");
  EXPECT_EQ(v->steps[1].step["perseus:scheme"]["meteringPeriod"]["to"], "2024-06-02T00:00:00Z");

  // Without an interaction id from the client, the server's own one is the transaction.
  const auto r2 = env_->get("demo", "/datasources/efgh5678/import?from=2024-06-01&to=2024-06-01",
                            tokenFor(*issuer_, "demo"));
  ASSERT_EQ(r2.status, 200);
  auto v2 = verifier->verify(*provenance::Record::parse(r2.body));
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->steps[2].step["transaction"], *r2.headers.get("x-fapi-interaction-id"));
  EXPECT_EQ(jsonOf(r2)["data"], j["data"]);  // same request, same readings
}

TEST_F(ResourceServerTest, ApiErrors) {
  const std::string token = tokenFor(*issuer_, "demo");
  const auto expectError = [&](const std::string& target, int status,
                               const std::string& parameter) {
    const auto r = env_->get("demo", target, token);
    EXPECT_EQ(r.status, status) << target << ": " << r.body;
    expectCommonHeaders(r);
    const Json j = jsonOf(r);
    EXPECT_TRUE(j["error"].is_string()) << target;
    if (!parameter.empty()) {
      EXPECT_EQ(j["parameter"], parameter) << target;
    }
  };
  expectError("/datasources/nope/import?from=2024-01-01&to=2024-01-01", 404, "");
  expectError("/datasources/abcd1234/export?from=2024-01-01&to=2024-01-01", 404, "");
  expectError("/datasources/abcd1234/gas?from=2024-01-01&to=2024-01-01", 404, "");
  expectError("/datasources/abcd1234/import", 400, "from");
  expectError("/datasources/abcd1234/import?from=2024-01-01", 400, "to");
  expectError("/datasources/abcd1234/import?from=2024-01-32&to=2024-02-01", 400, "from");
  expectError("/datasources/abcd1234/import?from=2024-01-05&to=2024-01-01", 400, "from");
  expectError("/datasources/abcd1234/import?from=2020-01-01&to=2024-01-01", 400, "to");
}

TEST_F(ResourceServerTest, ValidatorRunsBeforeAnything) {
  // No token: 401 with a challenge, even for a meter that does not exist.
  for (const char* target :
       {"/datasources", "/datasources/nope/import", "/datasources/abcd1234/import?from=bad",
        "/datasets/nope.csv", "/datasets/postcodes.csv"}) {
    const auto r = env_->get("demo", target, "");
    EXPECT_EQ(r.status, 401) << target;
    EXPECT_TRUE(r.headers.get("www-authenticate")) << target;
    expectCommonHeaders(r);
  }
  // A token in the query string is refused (RFC 6750 2.3 not allowed).
  const std::string token = tokenFor(*issuer_, "demo");
  EXPECT_EQ(env_->get("demo", "/datasources?access_token=" + token, "").status, 400);
}

TEST_F(ResourceServerTest, TokenRefusals) {
  const auto expect401 = [&](const std::string& why, const std::string& leaf,
                             const std::string& token) {
    const auto r =
        env_->get(leaf, "/datasources/abcd1234/import?from=2024-01-01&to=2024-01-01", token);
    EXPECT_EQ(r.status, 401) << why << ": " << r.body;
    EXPECT_TRUE(r.headers.get("www-authenticate")) << why;
    expectCommonHeaders(r);
    EXPECT_EQ(jsonOf(r)["error"], "invalid_token") << why;
  };
  // Bound to another certificate (another member's token replayed with the demo certificate).
  expect401("binding", "demo", tokenFor(*issuer_, "other"));
  // Not bound at all.
  expect401("unbound", "demo", issuer_->jwt({{"client_id", testPki().ids.demo_application}}));
  // client_id is not the certificate's application URL.
  expect401("client_id", "demo",
            tokenFor(*issuer_, "demo", {{"client_id", testPki().ids.other_application}}));
  // Another audience, another issuer, no exp, wrong typ.
  expect401("audience", "demo", tokenFor(*issuer_, "demo", {{"aud", "https://other.example"}}));
  expect401("issuer", "demo", tokenFor(*issuer_, "demo", {{"iss", "https://evil.example"}}));
  expect401("no exp", "demo", tokenFor(*issuer_, "demo", {{"exp", nullptr}}));
  expect401("typ", "demo", issuer_->jwt({}, testPki().cert("demo"), Json{{"typ", "JWT"}}));
  // Signed by a key the issuer never published.
  auto rogue_key = jose::Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256), "key-1");
  ASSERT_TRUE(rogue_key);
  auto rogue = jose::Signer::create(jose::Alg::kES256, *rogue_key);
  ASSERT_TRUE(rogue);
  expect401("signature", "demo",
            issuer_->jwtSignedBy(*rogue, Json::object(), testPki().cert("demo")));
  // Expired: the same token, valid now, refused 11 minutes later.
  const std::string token = tokenFor(*issuer_, "demo");
  EXPECT_EQ(env_->get("demo", "/datasources", token).status, 200);
  clock_->advance(std::chrono::minutes(11));
  expect401("expired", "demo", token);
}

TEST_F(ResourceServerTest, RoleAndScopeAre403WithJson) {
  // The provider's own certificate chains to the client CA but carries energy-data-provider,
  // not carbon-accounting-provider; "otherrole" carries financial-service-provider.
  for (const char* leaf : {"provider", "otherrole"}) {
    const auto r = env_->get(leaf, "/datasources/abcd1234/import?from=2024-01-01&to=2024-01-01",
                             env_->tokenFor(leaf));
    EXPECT_EQ(r.status, 403) << leaf << ": " << r.body;
    expectCommonHeaders(r);
    EXPECT_EQ(jsonOf(r)["error"], "insufficient_scope") << leaf;
    EXPECT_EQ(*r.headers.get("content-type"), "application/json") << leaf;
  }
  // A token without the licence scope.
  const auto r = env_->get("demo", "/datasources",
                           tokenFor(*issuer_, "demo", {{"scope", "openid offline_access"}}));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(jsonOf(r)["error"], "insufficient_scope");
  EXPECT_NE(r.headers.get("www-authenticate")->find(kLicence), std::string::npos);
}

TEST_F(ResourceServerTest, RevokedGrantRefusedAtOnce) {
  const std::string grant = "grant-" + randomToken(8);
  const std::string token = tokenFor(*issuer_, "demo", {{"grant_id", grant}});
  EXPECT_EQ(env_->get("demo", "/datasources", token).status, 200);  // now cached
  EXPECT_EQ(env_->service->sharedValidator()->purgeGrant(grant), 1u);
  const auto r = env_->get("demo", "/datasources", token);
  EXPECT_EQ(r.status, 401);
  // Other grants are unaffected.
  EXPECT_EQ(env_->get("demo", "/datasources", tokenFor(*issuer_, "demo")).status, 200);
}

TEST_F(ResourceServerTest, CertificatesRefusedByTls) {
  // No certificate on the mTLS listener, a certificate from another trust framework, a revoked
  // one (CRL): the handshake fails, nothing reaches a handler.
  EXPECT_FALSE(env_->send("", "/datasources", tokenFor(*issuer_, "demo")));
  EXPECT_FALSE(env_->send("rogue", "/datasources", tokenFor(*issuer_, "demo")));
  EXPECT_FALSE(env_->send("revoked", "/datasources", tokenFor(*issuer_, "revoked")));
  // On a listener where the certificate is optional, the validator answers 401 without one.
  const auto r = env_->get("", "/datasources", tokenFor(*issuer_, "demo"), {}, "optional");
  EXPECT_EQ(r.status, 401);
  expectCommonHeaders(r);
}

TEST_F(ResourceServerTest, DatasetFiles) {
  const std::string licence_only = tokenFor(*issuer_, "demo");
  const std::string with_file = tokenFor(
      *issuer_, "demo", {{"scope", std::string(kLicence) + " " + std::string(kFileScope)}});
  // The file's own scope is required: the licence alone is not enough.
  auto r = env_->get("demo", "/datasets/postcodes.csv", licence_only);
  EXPECT_EQ(r.status, 403);
  r = env_->get("demo", "/datasets/postcodes.csv", with_file);
  ASSERT_EQ(r.status, 200) << r.body;
  expectCommonHeaders(r);
  EXPECT_EQ(r.body, env_->postcodes);
  const std::string etag(*r.headers.get("etag"));
  EXPECT_EQ(*r.headers.get("accept-ranges"), "bytes");
  r = env_->get("demo", "/datasets/postcodes.csv", with_file, {{"Range", "bytes=0-7"}});
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, env_->postcodes.substr(0, 8));
  EXPECT_EQ(*r.headers.get("content-range"), "bytes 0-7/" + std::to_string(env_->postcodes.size()));
  r = env_->get("demo", "/datasets/postcodes.csv", with_file, {{"Range", "bytes=999999-"}});
  EXPECT_EQ(r.status, 416);
  r = env_->get("demo", "/datasets/postcodes.csv", with_file, {{"If-None-Match", etag}});
  EXPECT_EQ(r.status, 304);
  // A HEAD gets the headers only.
  auto head =
      env_->send("demo", "/datasets/postcodes.csv", with_file, {}, "mtls", net::Method::kHead);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  EXPECT_EQ(*head->headers.get("etag"), etag);
  // Unlisted and traversal names: 404 after the token check (or the router's own 404).
  EXPECT_EQ(env_->get("demo", "/datasets/secret.csv", with_file).status, 404);
  EXPECT_EQ(env_->get("demo", "/datasets/..%2Fsecret.csv", with_file).status, 404);
  EXPECT_EQ(env_->get("demo", "/datasets/%2e%2e", with_file).status, 404);
}

TEST_F(ResourceServerTest, OpenApiIsPublic) {
  for (const char* path : {"/", "/openapi.json"}) {
    const auto r = env_->get("demo", path, "");
    ASSERT_EQ(r.status, 200) << path;
    expectCommonHeaders(r);
    const Json j = jsonOf(r);
    EXPECT_EQ(j["servers"][0]["url"], validator::testing::kAudience);
    EXPECT_TRUE(j["paths"].contains("/datasets/postcodes.csv"));
  }
}

}  // namespace
}  // namespace gridgate::resource
