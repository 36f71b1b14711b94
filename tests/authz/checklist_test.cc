// Every [AS] line of FAPI-CHECKLIST.md (DPoP lines 48-52 aside) against the real server over real
// TLS: each test names its line and fails if the line breaks. Line 44 (login and consent pages)
// belongs to the interaction side (tests/authz/ui).
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <mutex>

#include "authz/subject_rules.h"
#include "config/document.h"
#include "core/base64.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "harness.h"
#include "jose/jwks.h"
#include "jose/jwt.h"
#include "net/form.h"
#include "pki/framework.h"
#include "x509/certificate.h"

namespace gridgate::authz::test {
namespace {

using Form = std::vector<std::pair<std::string, std::string>>;

void setParam(Form& f, const std::string& name, const std::string& value) {
  for (auto& [k, v] : f) {
    if (k == name) {
      v = value;
      return;
    }
  }
  f.emplace_back(name, value);
}
void dropParam(Form& f, const std::string& name) {
  std::erase_if(f, [&](const auto& p) { return p.first == name; });
}
std::string errorOf(const Json& body) {
  const std::string* e = body.is_object() ? jsonString(body, "error") : nullptr;
  return e != nullptr ? *e : std::string();
}
std::string thumbprintOf(Identity id) {
  auto cert = x509::Certificate::fromPem(net::test::readFileText(testPki().files.at(id).cert));
  return cert ? cert->thumbprint() : std::string();
}

// ---------------------------------------------------------------- Network/TLS (1-7)

TEST(Checklist, Line01_HttpsOnlyPlainHttpRefused) {
  Harness h;
  for (std::uint16_t port : {h.public_port, h.mtls_port}) {
    net::test::RawClient raw(port);
    ASSERT_TRUE(raw.connected());
    raw.send("GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: localhost\r\n\r\n");
    auto res = raw.readResponse(false, std::chrono::seconds(3));
    EXPECT_FALSE(res.has_value()) << "plain HTTP answered on port " << port;
  }
}

TEST(Checklist, Line02_Tls10And11FailTls12And13Succeed) {
  Harness h;
  for (int version : {TLS1_VERSION, TLS1_1_VERSION}) {
    auto c = net::HttpClient::create(clientConfig(testPki().server_ca, {}, {}, {}, version));
    ASSERT_TRUE(c);
    auto r = (*c)->send(request(net::Method::kGet, h.publicUrl("/jwks")));
    EXPECT_FALSE(r) << "TLS version " << version << " accepted";
  }
  auto c12 = net::HttpClient::create(clientConfig(testPki().server_ca, {}, {}, {}, TLS1_2_VERSION));
  ASSERT_TRUE(c12);
  auto r12 = (*c12)->send(request(net::Method::kGet, h.publicUrl("/jwks")));
  ASSERT_TRUE(r12) << r12.error().detail;
  EXPECT_EQ(r12->status, 200);
  std::string out;
  // TLS 1.3 preferred: a default handshake negotiates it.
  ASSERT_EQ(net::test::runShell(
                "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(h.public_port) +
                    " -CAfile " + testPki().server_ca + " 2>&1",
                &out),
            0);
  EXPECT_NE(out.find("TLSv1.3"), std::string::npos) << out;
}

TEST(Checklist, Line03_BackChannelOnlyEcdheAesGcmTls12Suites) {
  Harness h;
  const IdentityFiles& demo = testPki().files.at(Identity::kDemo);
  const auto try_suite = [&](const std::string& suites) {
    auto c = net::HttpClient::create(
        clientConfig(testPki().server_ca, demo.chain, demo.key, suites, TLS1_2_VERSION));
    EXPECT_TRUE(c);
    return (*c)->send(request(net::Method::kPost, h.mtlsUrl("/introspect")));
  };
  EXPECT_TRUE(try_suite("ECDHE-ECDSA-AES128-GCM-SHA256"));
  EXPECT_TRUE(try_suite("ECDHE-ECDSA-AES256-GCM-SHA384"));
  EXPECT_FALSE(try_suite("ECDHE-ECDSA-AES128-SHA256"));      // CBC
  EXPECT_FALSE(try_suite("ECDHE-ECDSA-CHACHA20-POLY1305"));  // not in the recommended set
  EXPECT_FALSE(try_suite("AES128-GCM-SHA256"));              // no forward secrecy
}

TEST(Checklist, Line04_BrowserEndpointsSendHstsAndAllowedSuitesOnly) {
  Harness h;
  auto r = h.get(Identity::kNoCert, h.publicUrl("/authorize?client_id=x&request_uri=y"));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->headers.get("strict-transport-security").has_value());
  auto c = net::HttpClient::create(
      clientConfig(testPki().server_ca, {}, {}, "ECDHE-ECDSA-AES128-SHA", TLS1_2_VERSION));
  ASSERT_TRUE(c);
  EXPECT_FALSE((*c)->send(request(net::Method::kGet, h.publicUrl("/authorize"))));
}

TEST(Checklist, Line05_AuthorizeHasNoCorsHeaders) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  ASSERT_EQ(p.status, 201);
  const std::string url = h.publicUrl("/authorize?client_id=" + net::formEncode(p.client_id) +
                                      "&request_uri=" + net::formEncode(p.request_uri));
  for (const std::string& u : {url, h.publicUrl("/authorize")}) {
    auto r = h.get(Identity::kNoCert, u, {{"Origin", "https://evil.example"}});
    ASSERT_TRUE(r);
    for (const auto& field : r->headers) {
      EXPECT_FALSE(field.name.size() >= 12 &&
                   net::iequals(field.name.substr(0, 12), "access-contr"))
          << field.name;
    }
  }
  net::ClientRequest options = request(net::Method::kOptions, url);
  options.headers.add("Origin", "https://evil.example");
  options.headers.add("Access-Control-Request-Method", "GET");
  auto pre = h.client(Identity::kNoCert).send(std::move(options));
  ASSERT_TRUE(pre);
  EXPECT_FALSE(pre->headers.get("access-control-allow-origin").has_value());
}

TEST(Checklist, Line07_MtlsAliasesPublishedAndRequireACertificate) {
  Harness h;
  auto r = h.get(Identity::kNoCert, h.publicUrl("/.well-known/oauth-authorization-server"));
  ASSERT_TRUE(r);
  auto m = parseJsonObject(r->body);
  ASSERT_TRUE(m);
  const Json& aliases = (*m)["mtls_endpoint_aliases"];
  for (const char* name : {"token_endpoint", "pushed_authorization_request_endpoint",
                           "introspection_endpoint", "revocation_endpoint", "userinfo_endpoint"}) {
    ASSERT_TRUE(aliases.contains(name)) << name;
    auto res = h.post(Identity::kNoCert, aliases[name].get<std::string>(), {{"a", "b"}});
    EXPECT_FALSE(res) << name << " answered without a client certificate";
  }
}

// ---------------------------------------------------------------- Metadata and clients (8-12)

TEST(Checklist, Line08_BothWellKnownsWithTheConfiguredIssuer) {
  Harness h;
  for (const char* path :
       {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
    auto r = h.get(Identity::kNoCert, h.publicUrl(path));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << path;
    auto m = parseJsonObject(r->body);
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)["issuer"], h.config->issuer);
    EXPECT_EQ((*m)["issuer"], "https://localhost:" + std::to_string(h.public_port));
    // A forged Host (curl sends what it is told) never changes the issuer or any endpoint: they
    // come from configuration only.
    std::string out;
    ASSERT_EQ(net::test::runShell("curl -sS --max-time 10 --cacert " + testPki().server_ca +
                                      " -H 'Host: evil.example:1' -H 'X-Forwarded-Host: evil' " +
                                      h.publicUrl(path),
                                  &out),
              0);
    auto forged = parseJsonObject(out);
    ASSERT_TRUE(forged) << out;
    EXPECT_EQ(*forged, *m);
    EXPECT_EQ(out.find("evil"), std::string::npos);
  }
}

TEST(Checklist, Line09_MetadataAdvertisesTheFapiProfile) {
  Harness h;
  auto r = h.get(Identity::kNoCert, h.publicUrl("/.well-known/oauth-authorization-server"));
  ASSERT_TRUE(r);
  auto m = *parseJsonObject(r->body);
  EXPECT_EQ(m["response_types_supported"], Json::array({"code"}));
  EXPECT_EQ(m["code_challenge_methods_supported"], Json::array({"S256"}));
  EXPECT_EQ(m["require_pushed_authorization_requests"], true);
  EXPECT_EQ(m["pushed_authorization_request_endpoint"], h.mtlsUrl("/par"));
  EXPECT_EQ(m["authorization_response_iss_parameter_supported"], true);
  EXPECT_EQ(m["tls_client_certificate_bound_access_tokens"], true);
  for (const Json& method : m["token_endpoint_auth_methods_supported"]) {
    EXPECT_TRUE(method == "private_key_jwt" || method == "tls_client_auth" ||
                method == "self_signed_tls_client_auth")
        << method;
  }
  for (const char* key :
       {"token_endpoint_auth_signing_alg_values_supported", "id_token_signing_alg_values_supported",
        "introspection_signing_alg_values_supported"}) {
    for (const Json& alg : m[key]) {
      EXPECT_TRUE(alg == "PS256" || alg == "ES256" || alg == "EdDSA") << key << " " << alg;
    }
  }
  EXPECT_EQ(m["ib1_permission_endpoint"], h.mtlsUrl("/permissions"));
  EXPECT_EQ(m["jwks_uri"], h.publicUrl("/jwks"));
}

TEST(Checklist, Line10_PublicClientRefused) {
  Harness h({.start_server = false});
  std::string text = h.config_text;
  text.replace(text.find("display_name = \"Other Accounting\""), 0, "auth_method = \"none\"\n");
  auto doc =
      config::Document::parse(text, "t.toml", h.dir.path(), config::DocumentOptions{.env = {}});
  ASSERT_TRUE(doc);
  auto cfg = parseAuthzConfig(*doc);
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().detail.find("none"), std::string::npos);
}

TEST(Checklist, Line11_PasswordGrantUnsupported) {
  Harness h;
  auto r = h.post(Identity::kDemo, "/token",
                  {{"grant_type", "password"},
                   {"username", "alice"},
                   {"password", "pw"},
                   {"client_id", h.clientId(Identity::kDemo)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(errorOf(*parseJson(r->body)), "unsupported_grant_type");
  auto cc =
      h.post(Identity::kDemo, "/token",
             {{"grant_type", "client_credentials"}, {"client_id", h.clientId(Identity::kDemo)}});
  ASSERT_TRUE(cc);
  EXPECT_EQ(errorOf(*parseJson(cc->body)), "unsupported_grant_type");
}

TEST(Checklist, Line12_ClientIdNeverResemblesAUserSub) {
  Harness h({.start_server = false});
  // A stored user whose sub looks like a registered client makes the server refuse to start.
  ASSERT_TRUE(h.store->users().create(store::User{.username = "mallory",
                                                  .subject = "demo-accounting",
                                                  .password_hash = "x",
                                                  .display_name = "",
                                                  .created_at = 0}));
  auto as = AuthorizationServer::create({.config = h.config,
                                         .store = h.store,
                                         .clock = &h.clock,
                                         .publisher = {},
                                         .state_dir = h.dir.path()});
  ASSERT_FALSE(as);
  EXPECT_NE(as.error().detail.find("FAPI-CHECKLIST 12"), std::string::npos);
  EXPECT_FALSE(checkUserSubject(h.clientId(Identity::kDemo), &h.config->clients));
  EXPECT_TRUE(checkUserSubject("alice", &h.config->clients));
}

// ---------------------------------------------------------------- Client authentication (13-21)

TEST(Checklist, Line13_SecretBasedAuthenticationRefused) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  ASSERT_EQ(p.status, 201);
  const std::string id = h.clientId(Identity::kDemo);
  for (const char* path : {"/token", "/par", "/introspect", "/revoke"}) {
    // client_secret_basic
    auto basic = h.post(Identity::kDemo, path, {{"token", "x"}, {"grant_type", "refresh_token"}},
                        {{"Authorization", "Basic " + base64Encode(asBytes(id + ":secret"))}});
    ASSERT_TRUE(basic);
    EXPECT_EQ(basic->status, 401) << path;
    EXPECT_EQ(errorOf(*parseJson(basic->body)), "invalid_client") << path;
    EXPECT_TRUE(basic->headers.get("www-authenticate").has_value()) << path;
    // client_secret_post
    auto post = h.post(Identity::kDemo, path,
                       {{"client_id", id}, {"client_secret", "secret"}, {"token", "x"}});
    ASSERT_TRUE(post);
    EXPECT_EQ(post->status, 401) << path;
    // client_secret_jwt (HMAC assertion), even for the private_key_jwt client
    auto jwt =
        h.post(Identity::kPkjwt, path,
               {{"client_id", h.clientId(Identity::kPkjwt)},
                {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
                {"client_assertion", h.assertion({}, "HS256")},
                {"token", "x"}});
    ASSERT_TRUE(jwt);
    EXPECT_EQ(jwt->status, 401) << path;
  }
}

Form pkjwtIntrospect(Harness& h, const std::string& assertion) {
  return {{"client_id", h.clientId(Identity::kPkjwt)},
          {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
          {"client_assertion", assertion},
          {"token", "unknown"}};
}
int pkjwtStatus(Harness& h, const std::string& assertion) {
  auto r = h.post(Identity::kPkjwt, "/introspect", pkjwtIntrospect(h, assertion));
  return r ? r->status : -1;
}

TEST(Checklist, Line14_AssertionWithIssuerAudienceAccepted) {
  Harness h;
  EXPECT_EQ(pkjwtStatus(h, h.assertion()), 200);
  EXPECT_EQ(pkjwtStatus(h, h.assertion({}, "PS256")), 200);
  TokenResult t = h.fullFlow(Identity::kPkjwt);
  EXPECT_EQ(t.status, 200) << t.body;
}

TEST(Checklist, Line15_AssertionAudienceMustBeTheIssuerString) {
  Harness h;
  const std::string par_url = h.mtlsUrl("/par");
  const std::string token_url = h.mtlsUrl("/token");
  const std::string issuer = h.config->issuer;
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) { c["aud"] = par_url; })), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) { c["aud"] = token_url; })), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) { c["aud"] = Json::array({issuer}); })), 401);
}

TEST(Checklist, Line16_Rs256Hs256AndNoneRefused) {
  Harness h;
  EXPECT_EQ(pkjwtStatus(h, h.assertion({}, "RS256")), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion({}, "HS256")), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion({}, "none")), 401);
}

TEST(Checklist, Line17_AssertionClaimsChecked) {
  Harness h;
  const std::int64_t now = h.clock.unixSeconds();
  EXPECT_EQ(pkjwtStatus(h, h.assertion([](Json& c) { c.erase("sub"); })), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) { c["iss"] = testPki().demo_id; })), 401);
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) {
              c["iat"] = now - 600;
              c["exp"] = now - 300;
            })),
            401);
  const std::string once = h.assertion();
  EXPECT_EQ(pkjwtStatus(h, once), 200);
  auto replay = h.post(Identity::kPkjwt, "/introspect", pkjwtIntrospect(h, once));
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 401);
  EXPECT_EQ(errorOf(*parseJson(replay->body)), "invalid_client");
}

TEST(Checklist, Line18_FapiClockRuleForAssertions) {
  Harness h;
  const std::int64_t now = h.clock.unixSeconds();
  for (int ahead : {8, 10}) {
    EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) {
                c["iat"] = now + ahead;
                c["nbf"] = now + ahead;
                c["exp"] = now + 120;
              })),
              200)
        << ahead;
  }
  EXPECT_EQ(pkjwtStatus(h, h.assertion([&](Json& c) {
              c["iat"] = now + 61;
              c["exp"] = now + 120;
            })),
            401);
}

TEST(Checklist, Line19_TlsClientAuthBySanOrDnAndCaOnly) {
  const std::string dn_client = std::string(pki::kDefaultDirectory) + "/a/dn-registered";
  const std::string scopes = "[\"" + std::string(kLicence) + "\"]";
  Harness h({.clients_extra = "\n[[authz.clients]]\nclient_id = \"" + dn_client +
                              "\"\ndisplay_name = \"DN\"\nsubject_dn = \"" +
                              testPki().demo_subject_dn + "\"\nscopes = " + scopes +
                              "\nredirect_uris = [\"https://dn.example/cb\"]\n"});
  const auto introspect_as = [&](Identity id, const std::string& client_id) {
    auto r = h.post(id, "/introspect", {{"client_id", client_id}, {"token", "x"}});
    return r ? r->status : -1;
  };
  EXPECT_EQ(introspect_as(Identity::kDemo, h.clientId(Identity::kDemo)), 200);      // SAN match
  EXPECT_EQ(introspect_as(Identity::kDemo, dn_client), 200);                        // DN match
  EXPECT_EQ(introspect_as(Identity::kOther, dn_client), 401);                       // DN mismatch
  EXPECT_EQ(introspect_as(Identity::kOther, h.clientId(Identity::kDemo)), 401);     // SAN mismatch
  EXPECT_EQ(introspect_as(Identity::kNoRole, h.clientId(Identity::kNoRole)), 401);  // no role
  // Another CA: a self-signed certificate the listener accepts (registered for a self-signed
  // client) does not chain to the client CA, so it cannot authenticate a tls_client_auth client.
  EXPECT_EQ(introspect_as(Identity::kSelfSigned, h.clientId(Identity::kDemo)), 401);
  // A certificate of another trust framework does not even complete the handshake.
  EXPECT_EQ(introspect_as(Identity::kForeign, h.clientId(Identity::kDemo)), -1);
}

TEST(Checklist, Line20_SelfSignedOnlyWithARegisteredKey) {
  Harness h;
  auto own = h.post(Identity::kSelfSigned, "/introspect",
                    {{"client_id", h.clientId(Identity::kSelfSigned)}, {"token", "x"}});
  ASSERT_TRUE(own);
  EXPECT_EQ(own->status, 200);
  auto other = h.post(Identity::kSelfSigned2, "/introspect",
                      {{"client_id", h.clientId(Identity::kSelfSigned)}, {"token", "x"}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 401);
  // A CA-issued certificate is not the registered key either.
  auto ca = h.post(Identity::kDemo, "/introspect",
                   {{"client_id", h.clientId(Identity::kSelfSigned)}, {"token", "x"}});
  ASSERT_TRUE(ca);
  EXPECT_EQ(ca->status, 401);
  TokenResult t = h.fullFlow(Identity::kSelfSigned);
  EXPECT_EQ(t.status, 200) << t.body;
}

TEST(Checklist, Line21_MtlsRequestWithoutClientIdRefused) {
  Harness h;
  for (const char* path : {"/par", "/token", "/introspect", "/revoke", "/permissions"}) {
    auto r = h.post(Identity::kDemo, path, {{"token", "x"}, {"grant_type", "refresh_token"}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(errorOf(*parseJson(r->body)), "invalid_client") << path;
  }
}

// ---------------------------------------------------------------- PAR (22-30)

TEST(Checklist, Line22_ParReturns201WithStrongRequestUri) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  ASSERT_EQ(p.status, 201);
  ASSERT_TRUE(p.request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
  auto random = base64urlDecode(p.request_uri.substr(34));
  ASSERT_TRUE(random);
  EXPECT_GE(random->size() * 8, 128u);
  EXPECT_EQ(p.body["expires_in"], 90);
  auto rec = h.store->pars().find(crypto::sha256Hex(p.request_uri));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->expires_at - rec->created_at, 90);  // the stored lifetime is what we announce
  EXPECT_NE(h.par(Identity::kDemo).request_uri, p.request_uri);
}

TEST(Checklist, Line23_ParWithoutClientAuthentication401) {
  Harness h;
  // Certificate of no registered client.
  ParResult unknown = h.par(Identity::kUnregistered);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(errorOf(unknown.body), "invalid_client");
  // private_key_jwt client without its assertion.
  ParResult no_assertion = h.par(Identity::kPkjwt, [](Form& f) {
    dropParam(f, "client_assertion");
    dropParam(f, "client_assertion_type");
  });
  EXPECT_EQ(no_assertion.status, 401);
  // No certificate at all: the mTLS listener refuses the handshake.
  EXPECT_EQ(h.par(Identity::kNoCert).status, -1);
}

TEST(Checklist, Line24_ParViaGet405) {
  Harness h;
  auto r = h.get(Identity::kDemo, h.mtlsUrl("/par?client_id=x"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
}

TEST(Checklist, Line25_ParWithRequestUri400) {
  Harness h;
  ParResult p = h.par(Identity::kDemo, [](Form& f) {
    setParam(f, "request_uri", "urn:ietf:params:oauth:request_uri:abc");
  });
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(errorOf(p.body), "invalid_request");
}

TEST(Checklist, Line26_ParWithDuplicatedParameters400) {
  Harness h;
  ParResult p = h.par(Identity::kDemo, [](Form& f) { f.emplace_back("scope", "openid"); });
  EXPECT_EQ(p.status, 400);
  EXPECT_EQ(errorOf(p.body), "invalid_request");
}

TEST(Checklist, Line27_ParWithoutRedirectUri400) {
  Harness h;
  ParResult p = h.par(Identity::kDemo, [](Form& f) { dropParam(f, "redirect_uri"); });
  EXPECT_EQ(p.status, 400);
}

TEST(Checklist, Line28_ParWithHttpRedirectUri400) {
  Harness h;
  EXPECT_EQ(h.par(Identity::kDemo,
                  [](Form& f) { setParam(f, "redirect_uri", "http://client.example/callback"); })
                .status,
            400);
  // Loopback http, when registered, is allowed (native apps).
  EXPECT_EQ(h.par(Identity::kDemo,
                  [](Form& f) { setParam(f, "redirect_uri", "http://127.0.0.1:9999/cb"); })
                .status,
            201);
  // Any https URI for a client allowed to push one; an unregistered one for a client that is not.
  EXPECT_EQ(h.par(Identity::kDemo,
                  [](Form& f) { setParam(f, "redirect_uri", "https://anything.example/x"); })
                .status,
            201);
  EXPECT_EQ(h.par(Identity::kOther,
                  [](Form& f) { setParam(f, "redirect_uri", "https://anything.example/x"); })
                .status,
            400);
}

TEST(Checklist, Line29_ParWithoutS256Pkce400) {
  Harness h;
  EXPECT_EQ(h.par(Identity::kDemo, [](Form& f) { dropParam(f, "code_challenge"); }).status, 400);
  EXPECT_EQ(
      h.par(Identity::kDemo, [](Form& f) { setParam(f, "code_challenge_method", "plain"); }).status,
      400);
  EXPECT_EQ(h.par(Identity::kDemo, [](Form& f) { dropParam(f, "code_challenge_method"); }).status,
            400);
}

TEST(Checklist, Line30_ParWithOtherResponseType400) {
  Harness h;
  for (const char* rt : {"token", "code id_token", "id_token"}) {
    ParResult p = h.par(Identity::kDemo, [&](Form& f) { setParam(f, "response_type", rt); });
    EXPECT_EQ(p.status, 400) << rt;
    EXPECT_EQ(errorOf(p.body), "unsupported_response_type") << rt;
  }
}

// ---------------------------------------------------------------- Authorization request (31-36)

std::string authorizeUrl(Harness& h, const std::string& client_id, const std::string& uri,
                         const std::string& extra = {}) {
  return h.publicUrl("/authorize?client_id=" + net::formEncode(client_id) +
                     "&request_uri=" + net::formEncode(uri) + extra);
}

// A local error page: HTML, 4xx, never a redirect (FAPI-CHECKLIST 43).
void expectLocalErrorPage(const Result<net::ClientResponse>& r) {
  ASSERT_TRUE(r);
  EXPECT_GE(r->status, 400);
  EXPECT_LT(r->status, 500);
  EXPECT_FALSE(r->headers.get("location").has_value());
  EXPECT_NE(r->headers.get("content-type").value_or("").find("text/html"), std::string::npos);
}

TEST(Checklist, Line31_PlainAuthorizationRequestRefused) {
  Harness h;
  auto r =
      h.get(Identity::kNoCert,
            h.publicUrl(
                "/authorize?client_id=" + net::formEncode(h.clientId(Identity::kDemo)) +
                "&response_type=code&redirect_uri=" + net::formEncode(std::string(kDemoRedirect)) +
                "&scope=openid&code_challenge=abc&code_challenge_method=S256"));
  expectLocalErrorPage(r);
  EXPECT_EQ(h.interaction->calls, 0);
}

TEST(Checklist, Line32_RequestUriOfAnotherClientRefused) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  expectLocalErrorPage(
      h.get(Identity::kNoCert, authorizeUrl(h, h.clientId(Identity::kOther), p.request_uri)));
  EXPECT_FALSE(h.as->flow().lookup(h.clientId(Identity::kOther), p.request_uri));
  EXPECT_EQ(h.interaction->calls, 0);
}

TEST(Checklist, Line33_ExpiredRequestUriRefused) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  h.clock.advance(std::chrono::seconds(90));
  expectLocalErrorPage(h.get(Identity::kNoCert, authorizeUrl(h, p.client_id, p.request_uri)));
  auto l = h.as->flow().lookup(p.client_id, p.request_uri);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, Errc::kExpired);
}

TEST(Checklist, Line34_RequestUriOneTimeButReloadable) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string url = authorizeUrl(h, p.client_id, p.request_uri);
  for (int i = 0; i < 3; ++i) {  // reloading before completion works
    auto r = h.get(Identity::kNoCert, url);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  EXPECT_EQ(h.interaction->calls, 3);
  h.approve(p);
  expectLocalErrorPage(h.get(Identity::kNoCert, url));
  auto again = h.as->flow().lookup(p.client_id, p.request_uri);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kAlreadyUsed);
  auto pending = ParResult(p);
  EXPECT_THROW(h.approve(pending), std::runtime_error);  // no second completion
}

TEST(Checklist, Line35_AuthorizeParametersNeverOverridePushedOnes) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  auto r = h.get(Identity::kNoCert,
                 authorizeUrl(h, p.client_id, p.request_uri,
                              "&redirect_uri=https%3A%2F%2Fevil.example%2F&state=evil"
                              "&scope=openid&response_type=token&code_challenge_method=plain"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const std::string location = h.approve(p);
  EXPECT_TRUE(location.starts_with(std::string(kDemoRedirect) + "?")) << location;
  EXPECT_EQ(queryOf(location)["state"], p.state);
  TokenResult t = h.redeem(Identity::kDemo, p, location);
  EXPECT_EQ(t.status, 200);
  EXPECT_EQ(t.body["scope"], p.scope);
}

TEST(Checklist, Line36_LongNonceAndStateRoundTrip) {
  Harness h;
  const std::string nonce(64, 'n');
  std::string state;
  for (int i = 0; i < 1500; ++i) state += "aZ09-._~+/= &?"[i % 14];
  ParResult p = h.par(Identity::kDemo, [&](Form& f) {
    setParam(f, "nonce", nonce);
    setParam(f, "state", state);
  });
  ASSERT_EQ(p.status, 201);
  const std::string location = h.approve(p);
  EXPECT_EQ(queryOf(location)["state"], state);
  TokenResult t = h.redeem(Identity::kDemo, p, location);
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(jwtClaims(t.id_token)["nonce"], nonce);
}

// ---------------------------------------------------------------- Response and codes (37-45)

TEST(Checklist, Line37_RedirectsCarryIss) {
  Harness h;
  ParResult ok_par = h.par(Identity::kDemo);
  EXPECT_EQ(queryOf(h.approve(ok_par))["iss"], h.config->issuer);
  ParResult deny_par = h.par(Identity::kDemo);
  auto pending = h.as->flow().lookup(deny_par.client_id, deny_par.request_uri);
  ASSERT_TRUE(pending);
  auto denied = h.as->flow().deny(*pending);
  ASSERT_TRUE(denied);
  EXPECT_EQ(queryOf(*denied)["iss"], h.config->issuer);
}

TEST(Checklist, Line38_RedirectsUse303) {
  // The interaction side answers with net::Response::redirect303(location) (interaction.h);
  // the protocol side's redirect is always that helper's.
  net::Response r = net::Response::redirect303("https://client.example/cb?code=x");
  EXPECT_EQ(r.status, 303);
  EXPECT_EQ(r.headers.get("location"), "https://client.example/cb?code=x");
}

TEST(Checklist, Line39_CodeHas128BitsAndLivesAtMost60Seconds) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string location = h.approve(p);
  const std::string code = queryOf(location)["code"];
  auto raw = base64urlDecode(code);
  ASSERT_TRUE(raw);
  EXPECT_GE(raw->size() * 8, 128u);
  h.clock.advance(std::chrono::seconds(60));
  TokenResult t = h.redeem(Identity::kDemo, p, location);
  EXPECT_EQ(t.status, 400);
  EXPECT_EQ(errorOf(t.body), "invalid_grant");
}

TEST(Checklist, Line40_CodeReuseFailsAndRevokesItsTokens) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string location = h.approve(p);
  TokenResult first = h.redeem(Identity::kDemo, p, location);
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(h.introspect(Identity::kDemo, first.access_token)["active"], true);
  TokenResult second = h.redeem(Identity::kDemo, p, location);
  EXPECT_EQ(second.status, 400);
  EXPECT_EQ(errorOf(second.body), "invalid_grant");
  EXPECT_EQ(h.introspect(Identity::kDemo, first.access_token), Json({{"active", false}}));
  EXPECT_EQ(h.introspect(Identity::kDemo, first.refresh_token), Json({{"active", false}}));
  EXPECT_EQ(h.refresh(Identity::kDemo, first.refresh_token).status, 400);
}

TEST(Checklist, Line41_CodeBoundToClientRedirectAndVerifier) {
  Harness h;
  {  // another client
    ParResult p = h.par(Identity::kDemo);
    TokenResult t = h.redeem(Identity::kOther, p, h.approve(p));
    EXPECT_EQ(errorOf(t.body), "invalid_grant");
  }
  {  // another redirect_uri
    ParResult p = h.par(Identity::kDemo);
    const std::string location = h.approve(p);
    p.redirect_uri = "https://client.example/other";
    EXPECT_EQ(errorOf(h.redeem(Identity::kDemo, p, location).body), "invalid_grant");
  }
  {  // wrong verifier
    ParResult p = h.par(Identity::kDemo);
    const std::string location = h.approve(p);
    p.verifier = pkcePair().first;
    EXPECT_EQ(errorOf(h.redeem(Identity::kDemo, p, location).body), "invalid_grant");
  }
  {  // missing verifier
    ParResult p = h.par(Identity::kDemo);
    const std::string code = queryOf(h.approve(p))["code"];
    auto r = h.post(Identity::kDemo, "/token",
                    {{"grant_type", "authorization_code"},
                     {"code", code},
                     {"redirect_uri", p.redirect_uri},
                     {"client_id", p.client_id}});
    ASSERT_TRUE(r);
    EXPECT_EQ(errorOf(*parseJson(r->body)), "invalid_grant");
  }
}

TEST(Checklist, Line42_ExpiredCodeInvalidGrant) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string location = h.approve(p);
  h.clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(errorOf(h.redeem(Identity::kDemo, p, location).body), "invalid_grant");
}

TEST(Checklist, Line43_UnverifiableRedirectGetsALocalErrorPage) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  expectLocalErrorPage(
      h.get(Identity::kNoCert, authorizeUrl(h, "https://unknown.example/app", p.request_uri)));
  expectLocalErrorPage(h.get(Identity::kNoCert,
                             authorizeUrl(h, p.client_id, "urn:ietf:params:oauth:request_uri:x")));
  expectLocalErrorPage(h.get(Identity::kNoCert, h.publicUrl("/authorize")));
  // An unacceptable redirect_uri never gets that far: PAR refuses it without redirecting.
  ParResult bad = h.par(Identity::kOther,
                        [](Form& f) { setParam(f, "redirect_uri", "https://evil.example/steal"); });
  EXPECT_EQ(bad.status, 400);
  auto page = h.get(Identity::kNoCert, h.publicUrl("/authorize"));
  ASSERT_TRUE(page);
  EXPECT_NE(
      page->headers.get("content-security-policy").value_or("").find("frame-ancestors 'none'"),
      std::string::npos);
}

TEST(Checklist, Line45_DenyReturnsAccessDeniedWithIssAndState) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  auto pending = h.as->flow().lookup(p.client_id, p.request_uri);
  ASSERT_TRUE(pending);
  auto location = h.as->flow().deny(*pending);
  ASSERT_TRUE(location);
  auto q = queryOf(*location);
  EXPECT_TRUE(location->starts_with(std::string(kDemoRedirect) + "?"));
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["iss"], h.config->issuer);
  EXPECT_EQ(q["state"], p.state);
  EXPECT_EQ(q.count("code"), 0u);
  EXPECT_FALSE(h.as->flow().lookup(p.client_id, p.request_uri));  // consumed
}

// ---------------------------------------------------------------- Sender-constrained (46-57)

TEST(Checklist, Line46_TokenRequestWithoutCertificateFails) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  TokenResult t = h.redeem(Identity::kNoCert, p, h.approve(p));
  EXPECT_EQ(t.status, -1);  // the TLS handshake is refused
}

TEST(Checklist, Line47_AccessTokenBoundToTheCertificateUsed) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string location = h.approve(p);
  // Redeemed with the second certificate of the same application: bound to THAT one.
  TokenResult t = h.redeem(Identity::kDemo2, p, location);
  ASSERT_EQ(t.status, 200) << t.body;
  const std::string expected = thumbprintOf(Identity::kDemo2);
  auto der = x509::Certificate::fromPem(
      net::test::readFileText(testPki().files.at(Identity::kDemo2).cert));
  ASSERT_TRUE(der);
  EXPECT_EQ(expected, base64urlEncode(crypto::sha256(asBytes(asChars(der->der())))));
  EXPECT_EQ(jwtClaims(t.access_token)["cnf"]["x5t#S256"], expected);
  EXPECT_EQ(h.introspect(Identity::kDemo, t.access_token)["cnf"]["x5t#S256"], expected);
}

TEST(Checklist, Line53_TokensHaveAtLeast128Bits) {
  Harness h;
  TokenResult t = h.fullFlow();
  ASSERT_EQ(t.status, 200);
  auto jti = base64urlDecode(jwtClaims(t.access_token)["jti"].get<std::string>());
  ASSERT_TRUE(jti);
  EXPECT_GE(jti->size() * 8, 128u);
  auto refresh = base64urlDecode(t.refresh_token);
  ASSERT_TRUE(refresh);
  EXPECT_GE(refresh->size() * 8, 128u);
}

TEST(Checklist, Line54_AccessTokenLifetimeConfigurableDefault5Minutes) {
  {
    Harness h;
    TokenResult t = h.fullFlow();
    EXPECT_EQ(t.body["expires_in"], 300);
    Json c = jwtClaims(t.access_token);
    EXPECT_EQ(c["exp"].get<std::int64_t>() - c["iat"].get<std::int64_t>(), 300);
  }
  Harness h({.authz_extra = "access_token_lifetime = \"2m\"\n"});
  TokenResult t = h.fullFlow();
  EXPECT_EQ(t.body["expires_in"], 120);
}

TEST(Checklist, Line55_RefreshTokenBoundToClientAndCertificate) {
  Harness h;
  TokenResult t = h.fullFlow();
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(errorOf(h.refresh(Identity::kOther, t.refresh_token).body), "invalid_grant");
  // Same application, another certificate: refused (bound to the certificate it was issued to).
  EXPECT_EQ(errorOf(h.refresh(Identity::kDemo2, t.refresh_token).body), "invalid_grant");
  TokenResult ok = h.refresh(Identity::kDemo, t.refresh_token);
  EXPECT_EQ(ok.status, 200) << ok.body;
}

TEST(Checklist, Line56_RefreshNotRotatedByDefault) {
  Harness h;
  TokenResult t = h.fullFlow();
  TokenResult r1 = h.refresh(Identity::kDemo, t.refresh_token);
  ASSERT_EQ(r1.status, 200);
  EXPECT_TRUE(r1.refresh_token.empty());
  EXPECT_EQ(h.refresh(Identity::kDemo, t.refresh_token).status, 200);
}

TEST(Checklist, Line56_RotationWithGracePeriod) {
  Harness h({.authz_extra = "refresh_token_rotation = true\nrefresh_token_grace = \"30s\"\n"});
  TokenResult t = h.fullFlow();
  TokenResult r1 = h.refresh(Identity::kDemo, t.refresh_token);
  ASSERT_EQ(r1.status, 200);
  ASSERT_FALSE(r1.refresh_token.empty());
  EXPECT_NE(r1.refresh_token, t.refresh_token);
  h.clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(h.refresh(Identity::kDemo, t.refresh_token).status, 200);  // replay within grace
  h.clock.advance(std::chrono::seconds(25));
  EXPECT_EQ(errorOf(h.refresh(Identity::kDemo, t.refresh_token).body), "invalid_grant");
  EXPECT_EQ(h.refresh(Identity::kDemo, r1.refresh_token).status, 200);
}

TEST(Checklist, Line57_RefreshCannotWidenScope) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  const std::string narrow = std::string(kLicence) + " offline_access";
  TokenResult t = h.redeem(Identity::kDemo, p, h.approve(p, "alice", narrow));
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(t.body["scope"], narrow);
  EXPECT_EQ(errorOf(h.refresh(Identity::kDemo, t.refresh_token, narrow + " openid").body),
            "invalid_scope");
  TokenResult narrower = h.refresh(Identity::kDemo, t.refresh_token, std::string(kLicence));
  ASSERT_EQ(narrower.status, 200);
  EXPECT_EQ(jwtClaims(narrower.access_token)["scope"], std::string(kLicence));
}

// ---------------------------------------------------------------- JWT and keys (58-61)

jose::Jwks fetchJwks(Harness& h) {
  auto r = h.get(Identity::kNoCert, h.publicUrl("/jwks"));
  EXPECT_TRUE(r);
  auto jwks = jose::Jwks::parse(r->body);
  EXPECT_TRUE(jwks) << r->body;
  return *jwks;
}

TEST(Checklist, Line58_EveryJwtSignedWithAFapiAlgorithm) {
  for (const char* alg : {"ES256", "PS256"}) {
    Harness h({.authz_extra = std::string("\n[authz.signing]\nalg = \"") + alg + "\"\n"});
    TokenResult t = h.fullFlow();
    ASSERT_EQ(t.status, 200) << t.body;
    auto intro = h.post(Identity::kDemo, "/introspect",
                        {{"token", t.access_token}, {"client_id", h.clientId(Identity::kDemo)}},
                        {{"Accept", "application/token-introspection+jwt"}});
    ASSERT_TRUE(intro);
    for (const std::string& jwt : {t.access_token, t.id_token, intro->body}) {
      EXPECT_EQ(jwtHeader(jwt)["alg"], alg);
    }
    const jose::Jwks jwks = fetchJwks(h);  // a named object: keys() refers into it
    for (const jose::Jwk& k : jwks.keys()) {
      if (k.type() == crypto::KeyType::kRsa) {
        EXPECT_GE(k.key().bits(), 2048);
      } else {
        EXPECT_EQ(k.crv(), "P-256");
      }
    }
  }
}

TEST(Checklist, Line59_JwksPublicKeysUniqueKidsOverTls) {
  Harness h;
  auto r = h.get(Identity::kNoCert, h.publicUrl("/jwks"));
  ASSERT_TRUE(r);
  auto raw = parseJsonObject(r->body);
  ASSERT_TRUE(raw);
  std::set<std::string> kids;
  for (const Json& k : (*raw)["keys"]) {
    for (const char* priv : {"d", "p", "q", "dp", "dq", "qi", "k"}) EXPECT_FALSE(k.contains(priv));
    EXPECT_NE(k["kty"], "oct");
    ASSERT_TRUE(k.contains("kid"));
    EXPECT_TRUE(kids.insert(k["kid"].get<std::string>()).second);
  }
  EXPECT_FALSE(kids.empty());
}

TEST(Checklist, Line60_RotatedKeyPublishedBeforeUseOldKeptUntilTokensExpire) {
  Harness h;
  TokenResult old_token = h.fullFlow();
  const std::string old_kid = jwtHeader(old_token.access_token)["kid"];
  auto staged = SigningKeys::stage(h.store->keys(), jose::Alg::kES256, Seconds(600), h.clock);
  ASSERT_TRUE(staged);
  ASSERT_TRUE(h.as->context().keys->reload());
  EXPECT_NE(fetchJwks(h).findKid(staged->kid), nullptr);            // published now
  EXPECT_EQ(jwtHeader(h.fullFlow().access_token)["kid"], old_kid);  // not used yet
  h.clock.advance(std::chrono::seconds(600));
  TokenResult new_token = h.fullFlow();
  EXPECT_EQ(jwtHeader(new_token.access_token)["kid"], staged->kid);
  EXPECT_NE(fetchJwks(h).findKid(old_kid), nullptr);  // tokens it signed live on
  h.clock.advance(std::chrono::seconds(300 + 61));
  EXPECT_EQ(fetchJwks(h).findKid(old_kid), nullptr);
}

TEST(Checklist, Line61_AccessTokenIsAnRfc9068Jwt) {
  Harness h;
  TokenResult t = h.fullFlow();
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(jwtHeader(t.access_token)["typ"], "at+jwt");
  Json c = jwtClaims(t.access_token);
  for (const char* claim : {"iss", "aud", "sub", "client_id", "iat", "exp", "jti", "scope"}) {
    EXPECT_TRUE(c.contains(claim)) << claim;
  }
  EXPECT_EQ(c["iss"], h.config->issuer);
  EXPECT_EQ(c["aud"], std::string(kResource));
  EXPECT_EQ(c["client_id"], h.clientId(Identity::kDemo));
  EXPECT_EQ(c["sub"], "alice");
  // The signature verifies with the published JWKS under the RFC 9068 rules.
  auto verifier = jose::Verifier::fromJwks(fetchJwks(h), {jose::Alg::kES256});
  ASSERT_TRUE(verifier);
  EXPECT_TRUE(jose::verifyJwt(
      t.access_token, *verifier,
      jose::ClaimRules::accessToken(h.config->issuer, std::string(kResource)), h.clock));
}

// ---------------------------------------------------------------- Introspection etc (62-66)

TEST(Checklist, Line62_IntrospectionAuthenticatedAndComplete) {
  Harness h;
  TokenResult t = h.fullFlow();
  // Without client authentication: refused.
  auto anon = h.post(Identity::kDemo, "/introspect", {{"token", t.access_token}});
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->status, 401);
  Json r = h.introspect(Identity::kDemo, t.access_token);
  for (const char* f : {"active", "scope", "client_id", "sub", "exp", "iat", "iss", "aud",
                        "token_type", "cnf", "grant_id", "jti"}) {
    EXPECT_TRUE(r.contains(f)) << f;
  }
  EXPECT_EQ(r["active"], true);
  EXPECT_EQ(r["token_type"], "Bearer");
  // A resource server (introspect_any_token) sees the client's token too.
  EXPECT_EQ(h.introspect(Identity::kProvider, t.access_token)["active"], true);
  Json refresh = h.introspect(Identity::kDemo, t.refresh_token);
  EXPECT_EQ(refresh["active"], true);
  EXPECT_EQ(refresh["client_id"], h.clientId(Identity::kDemo));
}

TEST(Checklist, Line63_InactiveIsExactlyActiveFalse) {
  Harness h;
  TokenResult t = h.fullFlow();
  int status = 0;
  const auto raw = [&](const std::string& token) {
    auto r = h.post(Identity::kDemo, "/introspect",
                    {{"token", token}, {"client_id", h.clientId(Identity::kDemo)}});
    return r ? r->body : std::string();
  };
  EXPECT_EQ(raw("unknown-token"), R"({"active":false})");
  EXPECT_EQ(raw(t.access_token.substr(0, t.access_token.size() - 4) + "AAAA"),
            R"({"active":false})");
  // Another client's token is not revealed.
  EXPECT_EQ(h.introspect(Identity::kOther, t.access_token, &status), Json({{"active", false}}));
  EXPECT_EQ(status, 200);
  // Expired.
  h.clock.advance(std::chrono::seconds(301));
  EXPECT_EQ(raw(t.access_token), R"({"active":false})");
  // Revoked.
  TokenResult t2 = h.fullFlow();
  ASSERT_EQ(h.revoke(Identity::kDemo, t2.access_token), 200);
  EXPECT_EQ(raw(t2.access_token), R"({"active":false})");
}

TEST(Checklist, Line64_SignedIntrospectionResponse) {
  Harness h;
  TokenResult t = h.fullFlow();
  auto r = h.post(Identity::kDemo, "/introspect",
                  {{"token", t.access_token}, {"client_id", h.clientId(Identity::kDemo)}},
                  {{"Accept", "application/token-introspection+jwt"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->headers.get("content-type"), "application/token-introspection+jwt");
  auto verifier = jose::Verifier::fromJwks(fetchJwks(h), {jose::Alg::kES256});
  ASSERT_TRUE(verifier);
  jose::ClaimRules rules;
  rules.issuers = {h.config->issuer};
  rules.audiences = {h.clientId(Identity::kDemo)};
  rules.typ = "token-introspection+jwt";
  rules.require_exp = false;
  auto jwt = jose::verifyJwt(r->body, *verifier, rules, h.clock);
  ASSERT_TRUE(jwt) << jwt.error().detail;
  const Json& ti = jwt->claims.json()["token_introspection"];
  EXPECT_EQ(ti["active"], true);
  EXPECT_EQ(ti["client_id"], h.clientId(Identity::kDemo));
}

TEST(Checklist, Line65_RevocationAlways200AndCascades) {
  Harness h;
  TokenResult t = h.fullFlow();
  TokenResult second_access = h.refresh(Identity::kDemo, t.refresh_token);
  EXPECT_EQ(h.revoke(Identity::kDemo, "never-issued"), 200);
  // Another client cannot revoke it.
  EXPECT_EQ(h.revoke(Identity::kOther, t.refresh_token), 400);
  EXPECT_EQ(h.introspect(Identity::kDemo, t.refresh_token)["active"], true);
  EXPECT_EQ(h.revoke(Identity::kDemo, t.refresh_token, "refresh_token"), 200);
  EXPECT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);  // already revoked
  // Every access token of the grant is inactive at once.
  EXPECT_EQ(h.introspect(Identity::kDemo, t.access_token), Json({{"active", false}}));
  EXPECT_EQ(h.introspect(Identity::kDemo, second_access.access_token), Json({{"active", false}}));
  EXPECT_EQ(h.refresh(Identity::kDemo, t.refresh_token).status, 400);
}

// What the authorization server tells validators (the revocation bus, or the resource server in
// the same process).
class RecordingPublisher final : public RevocationPublisher {
 public:
  void publish(std::string_view grant_id, const std::vector<std::string>& jtis) override {
    std::lock_guard lock(mu);
    events.emplace_back(std::string(grant_id), jtis);
  }
  std::mutex mu;
  std::vector<std::pair<std::string, std::vector<std::string>>> events;
};

TEST(Checklist, Line65_RevokingAnAccessTokenRevokesThatTokenAlone) {
  auto publisher = std::make_shared<RecordingPublisher>();
  Harness h({.publisher = publisher});
  TokenResult t = h.fullFlow();
  TokenResult second = h.refresh(Identity::kDemo, t.refresh_token);
  ASSERT_EQ(second.status, 200);
  const std::string jti = jwtClaims(t.access_token)["jti"];
  const std::string grant_id = jwtClaims(t.access_token)["grant_id"];
  // Issued tokens are not stored, and not revoked.
  auto stored_revoked = h.store->accessTokens().isRevoked(jti);
  ASSERT_TRUE(stored_revoked);
  EXPECT_FALSE(*stored_revoked);

  EXPECT_EQ(h.revoke(Identity::kDemo, t.access_token, "access_token"), 200);
  EXPECT_EQ(h.revoke(Identity::kDemo, t.access_token), 200);  // already revoked
  EXPECT_EQ(h.introspect(Identity::kDemo, t.access_token), Json({{"active", false}}));
  // The grant's other token, the refresh token and the grant stay live.
  EXPECT_EQ(h.introspect(Identity::kDemo, second.access_token)["active"], true);
  EXPECT_EQ(h.introspect(Identity::kDemo, t.refresh_token)["active"], true);
  EXPECT_EQ(h.refresh(Identity::kDemo, t.refresh_token).status, 200);
  {
    std::lock_guard lock(publisher->mu);
    ASSERT_EQ(publisher->events.size(), 1u);    // the second revoke found it revoked: no event
    EXPECT_EQ(publisher->events[0].first, "");  // not the grant: its other tokens stay valid
    EXPECT_EQ(publisher->events[0].second, std::vector<std::string>{jti});
  }

  // Revoking the grant: one event naming the grant, which covers every token of it.
  EXPECT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);
  EXPECT_EQ(h.introspect(Identity::kDemo, second.access_token), Json({{"active", false}}));
  std::lock_guard lock(publisher->mu);
  ASSERT_EQ(publisher->events.size(), 2u);
  EXPECT_EQ(publisher->events[1].first, grant_id);
  EXPECT_TRUE(publisher->events[1].second.empty());
}

TEST(Checklist, Line66_UserinfoUsesResourceServerTokenRules) {
  Harness h;
  TokenResult t = h.fullFlow();
  const std::string url = h.mtlsUrl("/userinfo");
  auto ok = h.get(Identity::kDemo, url, {{"Authorization", "bearer " + t.access_token}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ((*parseJson(ok->body))["sub"], "alice");
  auto none = h.get(Identity::kDemo, url);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->headers.get("www-authenticate"), "Bearer realm=\"userinfo\"");
  auto in_query = h.get(Identity::kDemo, url + "?access_token=" + t.access_token);
  ASSERT_TRUE(in_query);
  EXPECT_EQ(in_query->status, 400);
  auto other_cert = h.get(Identity::kDemo2, url, {{"Authorization", "Bearer " + t.access_token}});
  ASSERT_TRUE(other_cert);
  EXPECT_EQ(other_cert->status, 401);
  EXPECT_NE(other_cert->headers.get("www-authenticate").value_or("").find("invalid_token"),
            std::string::npos);
  ASSERT_EQ(h.revoke(Identity::kDemo, t.access_token), 200);
  auto revoked = h.get(Identity::kDemo, url, {{"Authorization", "Bearer " + t.access_token}});
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->status, 401);
  // A token without openid: 403 insufficient_scope.
  ParResult p = h.par(Identity::kDemo);
  TokenResult no_openid =
      h.redeem(Identity::kDemo, p, h.approve(p, "alice", std::string(kLicence)));
  auto forbidden =
      h.get(Identity::kDemo, url, {{"Authorization", "Bearer " + no_openid.access_token}});
  ASSERT_TRUE(forbidden);
  EXPECT_EQ(forbidden->status, 403);
}

}  // namespace
}  // namespace gridgate::authz::test
