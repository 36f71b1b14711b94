// Bad input at every endpoint: malformed forms (tests/testdata/authz/bad_requests, README there),
// oversized bodies, wrong media types, unknown clients, wrong certificates, expired and replayed
// artifacts. Every answer is a 4xx (or a refused handshake), never a 5xx, and never an internal
// detail.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/random.h"
#include "harness.h"
#include "net/form.h"

namespace gridgate::authz::test {
namespace {

namespace fs = std::filesystem;

const char* const kBackChannel[] = {"/par", "/token", "/introspect", "/revoke", "/permissions"};

Result<net::ClientResponse> postRaw(Harness& h, Identity id, const std::string& path,
                                    std::string body,
                                    const std::string& type = "application/x-www-form-urlencoded") {
  net::ClientRequest req = request(net::Method::kPost, h.mtlsUrl(path), std::move(body));
  if (!type.empty()) req.headers.add("Content-Type", type);
  return h.client(id).send(std::move(req));
}

void expect4xx(const Result<net::ClientResponse>& r, const std::string& what) {
  ASSERT_TRUE(r) << what << ": " << r.error().detail;
  EXPECT_GE(r->status, 400) << what;
  EXPECT_LT(r->status, 500) << what << ": " << r->body;
  for (const char* leak : {"sqlite", "SQLITE", "openssl", "errno", "Errc", "exception"}) {
    EXPECT_EQ(r->body.find(leak), std::string::npos) << what << " leaks " << leak;
  }
}

TEST(BadInput, MalformedFormsAtEveryBackChannelEndpoint) {
  Harness h;
  const fs::path dir = fs::path(GRIDGATE_TESTDATA_DIR) / "authz" / "bad_requests";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".form") continue;
    ++files;
    std::string body = net::test::readFileText(entry.path().string());
    for (const char* path : kBackChannel) {
      expect4xx(postRaw(h, Identity::kDemo, path, body),
                entry.path().filename().string() + " at " + path);
    }
  }
  EXPECT_GE(files, 20u);
}

TEST(BadInput, OversizedBodiesAndWrongMediaTypes) {
  Harness h;
  const std::string id = "client_id=" + net::formEncode(h.clientId(Identity::kDemo));
  for (const char* path : kBackChannel) {
    auto big = postRaw(h, Identity::kDemo, path, id + "&x=" + std::string(70 * 1024, 'a'));
    expect4xx(big, std::string("oversized ") + path);
    EXPECT_EQ(big->status, 413);
    expect4xx(postRaw(h, Identity::kDemo, path, R"({"client_id":"x"})", "application/json"),
              std::string("json ") + path);
    expect4xx(postRaw(h, Identity::kDemo, path, id, ""), std::string("no type ") + path);
    expect4xx(postRaw(h, Identity::kDemo, path, id, "text/plain"), std::string("text ") + path);
  }
}

TEST(BadInput, UnknownClientsAndWrongCertificates) {
  Harness h({.with_crl = true});
  for (const char* path : kBackChannel) {
    for (Identity id : {Identity::kUnregistered, Identity::kNoRole}) {
      auto r = h.post(id, path, {{"client_id", h.clientId(id)}, {"token", "x"}});
      expect4xx(r, path);
      EXPECT_EQ(r->status, 401);
    }
    // Certificates the handshake refuses: another trust framework, a revoked one (CRL), none.
    for (Identity id : {Identity::kForeign, Identity::kRevoked, Identity::kNoCert}) {
      auto r = h.post(id, path, {{"client_id", h.clientId(id)}, {"token", "x"}});
      EXPECT_FALSE(r) << path << " answered a refused certificate with " << r->status;
    }
    // A registered client's id with another client's certificate.
    expect4xx(h.post(Identity::kOther, path, {{"client_id", h.clientId(Identity::kDemo)}}), path);
    expect4xx(h.post(Identity::kDemo, path, {{"client_id", "https://unknown.example/app"}}), path);
    expect4xx(h.post(Identity::kDemo, path, {{"client_id", std::string(5000, 'x')}}), path);
  }
  // The demo client's revoked certificate works without the CRL... and not with it.
  EXPECT_EQ(h.par(Identity::kDemo).status, 201);
}

TEST(BadInput, ExpiredAndReplayedArtifacts) {
  // A grant shorter than the test PKI's certificates, so that the refresh token expires while the
  // clients' certificates are still valid at the advanced clock.
  Harness h({.authz_extra = "grant_lifetime = \"30d\"\n"});
  // Replayed and expired codes.
  ParResult p = h.par(Identity::kDemo);
  const std::string location = h.approve(p);
  ASSERT_EQ(h.redeem(Identity::kDemo, p, location).status, 200);
  EXPECT_EQ(h.redeem(Identity::kDemo, p, location).status, 400);
  ParResult p2 = h.par(Identity::kDemo);
  const std::string location2 = h.approve(p2);
  h.clock.advance(std::chrono::seconds(120));
  EXPECT_EQ(h.redeem(Identity::kDemo, p2, location2).status, 400);
  // An expired request URI at /authorize and at approve.
  ParResult p3 = h.par(Identity::kDemo);
  h.clock.advance(std::chrono::seconds(91));
  auto page =
      h.get(Identity::kNoCert, h.publicUrl("/authorize?client_id=" + net::formEncode(p3.client_id) +
                                           "&request_uri=" + net::formEncode(p3.request_uri)));
  expect4xx(page, "expired request_uri");
  // Replayed assertion.
  const std::string assertion = h.assertion();
  const std::vector<std::pair<std::string, std::string>> form = {
      {"client_id", h.clientId(Identity::kPkjwt)},
      {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
      {"client_assertion", assertion},
      {"token", "x"}};
  EXPECT_EQ(h.post(Identity::kPkjwt, "/introspect", form)->status, 200);
  expect4xx(h.post(Identity::kPkjwt, "/introspect", form), "replayed assertion");
  // Revoked and expired refresh tokens.
  TokenResult t = h.fullFlow();
  ASSERT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);
  expect4xx(h.post(Identity::kDemo, "/token",
                   {{"grant_type", "refresh_token"},
                    {"refresh_token", t.refresh_token},
                    {"client_id", h.clientId(Identity::kDemo)}}),
            "revoked refresh token");
  TokenResult t2 = h.fullFlow();
  h.clock.advance(std::chrono::hours(24 * 31));
  expect4xx(h.post(Identity::kDemo, "/token",
                   {{"grant_type", "refresh_token"},
                    {"refresh_token", t2.refresh_token},
                    {"client_id", h.clientId(Identity::kDemo)}}),
            "expired refresh token");
  Json expired = h.introspect(Identity::kDemo, t2.refresh_token);
  EXPECT_EQ(expired, Json({{"active", false}}));
}

TEST(BadInput, TokenEndpointParameterMistakes) {
  Harness h;
  const std::string id = h.clientId(Identity::kDemo);
  const std::vector<std::vector<std::pair<std::string, std::string>>> forms = {
      {{"client_id", id}},
      {{"client_id", id}, {"grant_type", ""}},
      {{"client_id", id}, {"grant_type", "authorization_code"}},
      {{"client_id", id}, {"grant_type", "authorization_code"}, {"code", "x"}},
      {{"client_id", id},
       {"grant_type", "authorization_code"},
       {"code", randomToken(32)},
       {"redirect_uri", std::string(kDemoRedirect)},
       {"code_verifier", std::string(43, 'a')}},
      {{"client_id", id}, {"grant_type", "refresh_token"}},
      {{"client_id", id}, {"grant_type", "refresh_token"}, {"refresh_token", "x"}},
      {{"client_id", id}, {"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"}},
      {{"client_id", id}, {"grant_type", "implicit"}},
  };
  for (const auto& f : forms) expect4xx(h.post(Identity::kDemo, "/token", f), net::encodeForm(f));
}

TEST(BadInput, AuthorizeQueryMistakesGetErrorPages) {
  Harness h;
  for (const std::string& q :
       {std::string(""), std::string("?client_id=%zz&request_uri=x"),
        std::string("?client_id=a&client_id=b&request_uri=x"),
        std::string("?request_uri=urn:ietf:params:oauth:request_uri:x"),
        std::string("?client_id=x&request_uri=") + std::string(4000, 'a'),
        std::string("?client_id=x&request_uri=%00"), std::string("?") + std::string(20000, 'a')}) {
    auto r = h.get(Identity::kNoCert, h.publicUrl("/authorize" + q));
    expect4xx(r, "authorize" + q.substr(0, 40));
    EXPECT_FALSE(r->headers.get("location").has_value());
  }
}

TEST(BadInput, UserinfoHeaderMistakes) {
  Harness h;
  TokenResult t = h.fullFlow();
  const std::string url = h.mtlsUrl("/userinfo");
  for (const std::vector<std::pair<std::string, std::string>>& headers :
       std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Authorization", "Bearer"}},
           {{"Authorization", "Bearer "}},
           {{"Authorization", "Basic abc"}},
           {{"Authorization", "Bearer a b c"}},
           {{"Authorization", "Bearer " + std::string(20000, 'a')}},
           {{"Authorization", "Bearer ###"}},
           {{"Authorization", "Bearer " + t.access_token + "x"}},
           {{"Authorization", "DPoP " + t.access_token}}}) {
    expect4xx(h.get(Identity::kDemo, url, headers), headers.front().second.substr(0, 30));
  }
  net::ClientRequest two = request(net::Method::kGet, url);
  two.headers.add("Authorization", "Bearer " + t.access_token);
  two.headers.add("Authorization", "Bearer " + t.access_token);
  expect4xx(h.client(Identity::kDemo).send(std::move(two)), "two Authorization headers");
}

TEST(BadInput, WrongMethods) {
  Harness h;
  for (const char* path : kBackChannel) {
    for (net::Method m : {net::Method::kPut, net::Method::kDelete, net::Method::kPatch}) {
      auto r = h.client(Identity::kDemo).send(request(m, h.mtlsUrl(path)));
      expect4xx(r, path);
      EXPECT_EQ(r->status, 405);
    }
  }
  auto r = h.client(Identity::kNoCert).send(request(net::Method::kPost, h.publicUrl("/authorize")));
  expect4xx(r, "POST /authorize");
}

}  // namespace
}  // namespace gridgate::authz::test
