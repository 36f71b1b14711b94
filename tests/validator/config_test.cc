// Configuration checks, discovery URLs and metadata, and the token record built from claims.
#include "validator/config.h"

#include <gtest/gtest.h>

#include "validator/discovery.h"
#include "validator/token_info.h"

namespace gridgate::validator {
namespace {

ValidatorConfig good() {
  ValidatorConfig c;
  IssuerConfig& is = c.issuers.emplace_back();
  is.issuer = "https://as.example";
  is.audiences = {"https://rs.example"};
  return c;
}

void expectBad(const ValidatorConfig& c, std::string_view mentions) {
  const Status s = validateConfig(c);
  ASSERT_FALSE(s.has_value()) << mentions;
  EXPECT_NE(s.error().detail.find(mentions), std::string::npos) << s.error().detail;
}

TEST(Config, Checks) {
  EXPECT_TRUE(validateConfig(good()).has_value());
  ValidatorConfig c = good();
  c.issuers.clear();
  expectBad(c, "no trusted issuer");
  c = good();
  c.realm = "a\"b";
  expectBad(c, "realm");
  c = good();
  c.issuers[0].issuer = "http://as.example";
  expectBad(c, "https");
  c = good();
  c.issuers[0].issuer = "http://127.0.0.1:8000";  // loopback may be plain http
  EXPECT_TRUE(validateConfig(c).has_value());
  c = good();
  c.issuers[0].audiences.clear();
  expectBad(c, "audiences");
  c.issuers[0].skip_audience_check = true;
  EXPECT_TRUE(validateConfig(c).has_value());
  c = good();
  c.issuers[0].leeway = Seconds(61);
  expectBad(c, "leeway");
  c = good();
  c.issuers[0].mode = TokenMode::kIntrospection;
  expectBad(c, "client_id");
  c.issuers[0].introspection.client_id = "https://dir.example/a/p";
  expectBad(c, "tls_client_auth needs");
  c.issuers[0].introspection.method = ClientAuth::kClientSecretBasic;
  expectBad(c, "client_secret");
  c.issuers[0].introspection.client_secret = "x";
  EXPECT_TRUE(validateConfig(c).has_value());
  c = good();
  c.issuers[0].discovery = false;
  expectBad(c, "jwks_uri");
  c.issuers[0].jwks_uri = "https://as.example/jwks";
  EXPECT_TRUE(validateConfig(c).has_value());
  c.issuers.push_back(c.issuers[0]);
  expectBad(c, "twice");
  c = good();
  c.cache.ttl_seconds = -2;
  expectBad(c, "ttl");
  c = good();
  c.access_levels = {AccessLevel{.name = "a"}, AccessLevel{.name = "a"}};
  expectBad(c, "access level");
  c = good();
  c.client_cert.crl_file = "x.pem";
  expectBad(c, "ca_file");
}

TEST(Config, Names) {
  EXPECT_EQ(*parseTokenMode("auto"), TokenMode::kAuto);
  EXPECT_FALSE(parseTokenMode("JWT").has_value());
  EXPECT_EQ(*parseClientAuth("client_secret_basic"), ClientAuth::kClientSecretBasic);
  EXPECT_EQ(*parseValueSyntax("aarc-g069"), ValueSyntax::kAarcG069);
  EXPECT_EQ(*parseMatch("at-least"), Match::kAtLeast);
  EXPECT_EQ(tokenModeName(TokenMode::kIntrospection), "introspection");
}

TEST(Discovery, Urls) {
  EXPECT_EQ(*discoveryUrls("https://as.example"),
            (std::vector<std::string>{"https://as.example/.well-known/oauth-authorization-server",
                                      "https://as.example/.well-known/openid-configuration"}));
  EXPECT_EQ(*discoveryUrls("https://as.example:8443/tenant/x/"),
            (std::vector<std::string>{
                "https://as.example:8443/.well-known/oauth-authorization-server/tenant/x",
                "https://as.example:8443/tenant/x/.well-known/openid-configuration"}));
  EXPECT_FALSE(discoveryUrls("as.example").has_value());
  EXPECT_FALSE(discoveryUrls("https://as.example/?q").has_value());
  EXPECT_FALSE(discoveryUrls("https://user@as.example").has_value());
  EXPECT_FALSE(discoveryUrls("ftp://as.example").has_value());
}

TEST(Discovery, Metadata) {
  const std::string doc = R"({"issuer":"https://as.example","jwks_uri":"https://as.example/jwks",
    "introspection_endpoint":"https://as.example/introspect",
    "mtls_endpoint_aliases":{"introspection_endpoint":"https://mtls.as.example/introspect"}})";
  auto m = parseMetadata(doc, "https://as.example");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->jwks_uri, "https://as.example/jwks");
  EXPECT_EQ(m->mtls_introspection_endpoint, "https://mtls.as.example/introspect");
  EXPECT_EQ(parseMetadata(doc, "https://as.example/").error().code, Errc::kInvalidClaim);
  EXPECT_FALSE(parseMetadata(R"({"issuer":"https://as.example","jwks_uri":"http://as.example/j"})",
                             "https://as.example")
                   .has_value());
  EXPECT_FALSE(
      parseMetadata(R"({"issuer":"https://as.example","jwks_uri":7})", "https://as.example")
          .has_value());
  EXPECT_FALSE(parseMetadata("[]", "https://as.example").has_value());
  EXPECT_FALSE(
      parseMetadata(R"({"jwks_uri":"https://as.example/j"})", "https://as.example").has_value());
  EXPECT_TRUE(acceptableEndpointUrl("http://localhost:8000/x"));
  EXPECT_TRUE(acceptableEndpointUrl("http://[::1]:8000/x"));
  EXPECT_FALSE(acceptableEndpointUrl("http://127.example/x"));
  EXPECT_FALSE(acceptableEndpointUrl("https://as.example/x#frag"));
}

TEST(TokenRecord, FromClaims) {
  auto r = recordFromClaims(Json{{"iss", "https://as.example"},
                                 {"aud", "https://rs.example"},
                                 {"scope", "a  b a"},
                                 {"scp", Json::array({"c", "b"})},
                                 {"exp", 1700000000.9},
                                 {"nbf", 1699999999.1},
                                 {"iat", 1699999000},
                                 {"cnf", Json{{"x5t#S256", "thumb"}}},
                                 {"client_id", "https://dir.example/a/x"},
                                 {"grant_id", "g"},
                                 {"jti", "j"},
                                 {"sub", "s"}},
                            TokenSource::kIntrospection);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r->audiences, (std::vector<std::string>{"https://rs.example"}));
  EXPECT_EQ(r->exp, 1700000000);
  EXPECT_EQ(r->nbf, 1700000000);
  EXPECT_EQ(r->cnf_x5t, "thumb");
  EXPECT_EQ(r->grant_id, "g");
  EXPECT_TRUE(r->hasScope("c"));
  EXPECT_FALSE(r->hasScope("a b"));

  for (const Json& bad :
       {Json{{"scope", 1}}, Json{{"scp", Json::array({1})}}, Json{{"aud", Json::array({1})}},
        Json{{"exp", "soon"}}, Json{{"exp", 1e300}}, Json{{"cnf", "x"}},
        Json{{"cnf", Json{{"x5t#S256", 5}}}}, Json{{"iss", 5}}, Json::array()}) {
    EXPECT_FALSE(recordFromClaims(bad, TokenSource::kJwt).has_value()) << bad.dump();
  }
  EXPECT_EQ(hashToken("abc"), crypto::sha256("abc"));
}

// recordFromPayload (streaming, for JWTs) and recordFromClaims (JSON tree, for introspection)
// must read every claim set the same way.
TEST(TokenRecord, StreamingAndTreeReadersAgree) {
  const char* cases[] = {
      R"({"iss":"https://as.example","aud":["a","b"],"scope":"x y","scp":["z","x"],"exp":17,)"
      R"("nbf":1.5,"iat":2.5,"cnf":{"x5t#S256":"t","jkt":"k"},"client_id":"c","jti":"j",)"
      R"("grant_id":"g","sub":"s","other":{"scope":5,"iss":[1]},"list":[{"exp":"x"}]})",
      R"({"scope":null,"aud":null,"exp":null,"cnf":null,"iss":null})",
      R"({"cnf":{"x5t#S256":null,"deep":{"x5t#S256":5}}})",
      R"({"exp":1e300})",
      R"({"exp":18446744073709551615})",
      R"({"exp":-5,"iat":-1.5})",
      R"({"exp":"17"})",
      R"({"exp":true})",
      R"({"exp":[17]})",
      R"({"scope":["a"]})",
      R"({"scope":{"a":1}})",
      R"({"scp":{"a":1}})",
      R"({"scp":[1]})",
      R"({"scp":"a b"})",
      R"({"aud":{"x":1}})",
      R"({"aud":[null]})",
      R"({"aud":5})",
      R"({"cnf":[1]})",
      R"({"cnf":"x"})",
      R"({"cnf":{"x5t#S256":["t"]}})",
      R"({"cnf":{"x5t#S256":{"a":1}}})",
      R"({"cnf":{"jkt":{"a":1}}})",
      R"({"cnf":{"jkt":null}})",
      R"({"iss":"a","iss":"b"})",
      R"({"cnf":{"jkt":1,"jkt":2}})",
      R"({"x":{"y":1,"y":2}})",
      R"([1,2])",
      R"("x")",
      R"({"a":)",
      R"({"a":1} x)",
      R"({"a":[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]})",
      R"({})",
  };
  for (const char* text : cases) {
    auto streamed = recordFromPayload(text, TokenSource::kJwt);
    auto tree_json = parseJsonObject(text, kClaimsLimits);
    auto tree = tree_json ? recordFromClaims(*tree_json, TokenSource::kJwt)
                          : Result<TokenRecord>(fail(Errc::kMalformed, "json"));
    ASSERT_EQ(streamed.has_value(), tree.has_value())
        << text << " streamed: " << (streamed ? "ok" : streamed.error().detail)
        << " tree: " << (tree ? "ok" : tree.error().detail);
    if (!streamed) continue;
    EXPECT_EQ(streamed->issuer, tree->issuer) << text;
    EXPECT_EQ(streamed->scopes, tree->scopes) << text;
    EXPECT_EQ(streamed->audiences, tree->audiences) << text;
    EXPECT_EQ(streamed->subject, tree->subject) << text;
    EXPECT_EQ(streamed->client_id, tree->client_id) << text;
    EXPECT_EQ(streamed->jti, tree->jti) << text;
    EXPECT_EQ(streamed->grant_id, tree->grant_id) << text;
    EXPECT_EQ(streamed->cnf_x5t, tree->cnf_x5t) << text;
    EXPECT_EQ(streamed->cnf_jkt, tree->cnf_jkt) << text;
    EXPECT_EQ(streamed->exp, tree->exp) << text;
    EXPECT_EQ(streamed->nbf, tree->nbf) << text;
    EXPECT_EQ(streamed->iat, tree->iat) << text;
    EXPECT_EQ(streamed->claims(), tree->claims()) << text;  // the lazily built tree
  }
}

}  // namespace
}  // namespace gridgate::validator
