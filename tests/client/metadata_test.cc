// Discovery documents (FAPI-CHECKLIST 85, 90) and URL handling.
#include "client/metadata.h"

#include <gtest/gtest.h>

#include "client/url.h"

namespace gridgate::client {
namespace {

Json fullMetadata() {
  return Json::parse(R"({
    "issuer": "https://as.example:8000",
    "authorization_endpoint": "https://as.example:8000/authorize",
    "pushed_authorization_request_endpoint": "https://as.example:8000/par",
    "token_endpoint": "https://as.example:8000/token",
    "introspection_endpoint": "https://as.example:8000/introspect",
    "revocation_endpoint": "https://as.example:8000/revoke",
    "userinfo_endpoint": "https://as.example:8000/userinfo",
    "jwks_uri": "https://as.example:8000/jwks",
    "ib1_permission_endpoint": "https://as.example:8000/permissions",
    "require_pushed_authorization_requests": true,
    "code_challenge_methods_supported": ["S256"],
    "authorization_response_iss_parameter_supported": true,
    "mtls_endpoint_aliases": {
      "pushed_authorization_request_endpoint": "https://mtls.as.example:8001/par",
      "token_endpoint": "https://mtls.as.example:8001/token",
      "ib1_permission_endpoint": "https://mtls.as.example:8001/permissions"
    }
  })");
}

TEST(Metadata, WellKnownUrls) {
  EXPECT_EQ(wellKnownUrls("https://as.example"),
            (std::vector<std::string>{"https://as.example/.well-known/oauth-authorization-server",
                                      "https://as.example/.well-known/openid-configuration"}));
  EXPECT_EQ(wellKnownUrls("https://as.example:8000/tenant/a"),
            (std::vector<std::string>{
                "https://as.example:8000/.well-known/oauth-authorization-server/tenant/a",
                "https://as.example:8000/tenant/a/.well-known/openid-configuration"}));
}

TEST(Metadata, IssuerMustMatchExactly) {
  const std::string text = fullMetadata().dump();
  EXPECT_TRUE(ServerMetadata::parse(text, "https://as.example:8000"));
  for (const char* other : {"https://as.example:8000/", "https://AS.example:8000",
                            "https://as.example", "http://as.example:8000", ""}) {
    auto m = ServerMetadata::parse(text, other);
    ASSERT_FALSE(m) << other;
    EXPECT_EQ(m.error().code, Errc::kInvalidClaim) << other;
  }
  Json no_issuer = fullMetadata();
  no_issuer.erase("issuer");
  EXPECT_EQ(ServerMetadata::parse(no_issuer.dump(), "https://as.example:8000").error().code,
            Errc::kMalformed);
}

TEST(Metadata, AliasesArePreferredWhenPresent) {
  auto m = ServerMetadata::parse(fullMetadata().dump(), "https://as.example:8000");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->hasMtlsAliases());
  EXPECT_EQ(m->endpoint(Endpoint::kPar), "https://mtls.as.example:8001/par");
  EXPECT_EQ(m->endpoint(Endpoint::kToken), "https://mtls.as.example:8001/token");
  EXPECT_EQ(m->endpoint(Endpoint::kPermission), "https://mtls.as.example:8001/permissions");
  EXPECT_TRUE(m->usesAlias(Endpoint::kToken));
  // Not aliased: the plain one.
  EXPECT_EQ(m->endpoint(Endpoint::kRevocation), "https://as.example:8000/revoke");
  EXPECT_EQ(m->endpoint(Endpoint::kAuthorization), "https://as.example:8000/authorize");
  EXPECT_TRUE(m->requiresPar());
  EXPECT_TRUE(m->supportsS256());
  EXPECT_TRUE(m->issParameterSupported());
}

TEST(Metadata, WorksWithoutAliases) {
  Json j = fullMetadata();
  j.erase("mtls_endpoint_aliases");
  auto m = ServerMetadata::parse(j.dump(), "https://as.example:8000");
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->hasMtlsAliases());
  EXPECT_EQ(m->endpoint(Endpoint::kPar), "https://as.example:8000/par");
  EXPECT_EQ(m->endpoint(Endpoint::kToken), "https://as.example:8000/token");
}

TEST(Metadata, AuthorizationAndJwksAreNeverAliased) {
  Json j = fullMetadata();
  j["mtls_endpoint_aliases"]["authorization_endpoint"] = "https://evil.example/authorize";
  j["mtls_endpoint_aliases"]["jwks_uri"] = "https://evil.example/jwks";
  auto m = ServerMetadata::parse(j.dump(), "https://as.example:8000");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->endpoint(Endpoint::kAuthorization), "https://as.example:8000/authorize");
  EXPECT_EQ(m->endpoint(Endpoint::kJwks), "https://as.example:8000/jwks");
}

TEST(Metadata, RefusesNonHttpsEndpointsAndWrongTypes) {
  Json a = fullMetadata();
  a["token_endpoint"] = "http://as.example:8000/token";
  EXPECT_EQ(ServerMetadata::parse(a.dump(), "https://as.example:8000").error().code,
            Errc::kInvalidArgument);
  Json b = fullMetadata();
  b["mtls_endpoint_aliases"]["token_endpoint"] = "javascript:alert(1)";
  EXPECT_EQ(ServerMetadata::parse(b.dump(), "https://as.example:8000").error().code,
            Errc::kInvalidArgument);
  Json c = fullMetadata();
  c["mtls_endpoint_aliases"] = "x";
  EXPECT_EQ(ServerMetadata::parse(c.dump(), "https://as.example:8000").error().code,
            Errc::kMalformed);
  Json d = fullMetadata();
  d["token_endpoint"] = 5;
  EXPECT_EQ(ServerMetadata::parse(d.dump(), "https://as.example:8000").error().code,
            Errc::kMalformed);
  EXPECT_FALSE(ServerMetadata::parse("[]", "https://as.example:8000"));
}

TEST(Metadata, MissingEndpointIsNamed) {
  Json j = fullMetadata();
  j.erase("ib1_permission_endpoint");
  j["mtls_endpoint_aliases"].erase("ib1_permission_endpoint");
  auto m = ServerMetadata::parse(j.dump(), "https://as.example:8000");
  ASSERT_TRUE(m);
  auto r = m->require(Endpoint::kPermission);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_NE(r.error().detail.find("ib1_permission_endpoint"), std::string::npos);
}

TEST(Url, ParseAndNormalise) {
  auto u = Url::parse("HTTPS://Example.COM/a/./b/../c?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->str(), "https://example.com:443/a/c?x=1");
  EXPECT_EQ(u->origin(), "https://example.com:443");
  EXPECT_EQ(Url::parse("https://[::1]:8000")->origin(), "https://[::1]:8000");
  EXPECT_TRUE(Url::parse("https://127.0.0.1:1/")->hostIsIp());
  EXPECT_FALSE(Url::parse("https://localhost:1/")->hostIsIp());
  for (const char* bad :
       {"javascript:alert(1)", "ftp://x/", "https://", "https://u@h/", "https://h:0/",
        "https://h:70000/", "https://h/a b", "//h/x", "https://h:1:2/"}) {
    EXPECT_FALSE(Url::parse(bad)) << bad;
  }
}

TEST(Url, Resolve) {
  const std::string base = "https://as.example:8000/ui/login?x=1";
  EXPECT_EQ(*resolveUrl(base, "/consent"), "https://as.example:8000/consent");
  EXPECT_EQ(*resolveUrl(base, "consent"), "https://as.example:8000/ui/consent");
  EXPECT_EQ(*resolveUrl(base, "../authorize?a=b"), "https://as.example:8000/authorize?a=b");
  EXPECT_EQ(*resolveUrl(base, ""), "https://as.example:8000/ui/login?x=1");
  EXPECT_EQ(*resolveUrl(base, "?y=2"), "https://as.example:8000/ui/login?y=2");
  EXPECT_EQ(*resolveUrl(base, "//other.example/p"), "https://other.example:443/p");
  EXPECT_EQ(*resolveUrl(base, "https://client.example/cb?code=1"),
            "https://client.example:443/cb?code=1");
  EXPECT_FALSE(resolveUrl(base, "javascript:alert(1)"));
  EXPECT_FALSE(resolveUrl(base, "data:text/html,x"));
}

TEST(Url, AppendQuery) {
  EXPECT_EQ(
      appendQuery("https://as/authorize", {{"client_id", "https://c/a"}, {"request_uri", "urn:x"}}),
      "https://as/authorize?client_id=https%3A%2F%2Fc%2Fa&request_uri=urn%3Ax");
  EXPECT_EQ(appendQuery("https://as/authorize?tenant=1", {{"a", "b"}}),
            "https://as/authorize?tenant=1&a=b");
  EXPECT_EQ(appendQuery("https://as/x", {}), "https://as/x");
}

}  // namespace
}  // namespace gridgate::client
