// gridgate::client against the real authorization server and resource server (in-process, real
// TLS on 127.0.0.1, the built-in login and consent pages, a user in the SQLite store).
#include "client/flow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "client/tokens.h"
#include "client/url.h"
#include "config/listener.h"
#include "net/form.h"
#include "servers.h"

namespace gridgate::client::test {
namespace {

using authz::test::testPki;

// One set of servers for the tests that do not change their configuration (destroyed at exit,
// before the test PKI it uses).
Servers& shared() {
  static Servers s;
  return s;
}

FlowOptions login(const Servers& s) {
  FlowOptions o;
  o.username = s.username;
  o.password = s.password;
  return o;
}

std::string stepStatuses(const FlowResult& r) {
  std::string out;
  for (const FlowStep& s : r.steps) {
    out += s.name + "=" + std::string(stepStatusName(s.status));
    if (!s.detail.empty()) out += "(" + s.detail + ")";
    out += " ";
  }
  return out;
}

TEST(ClientFlow, DiscoveryRefusesAnIssuerThatIsNotTheConfiguredOne) {
  Servers& s = shared();
  // The same server, named with a trailing slash: its metadata says otherwise (85).
  ClientOptions o = s.options(Identity::kDemo);
  o.issuer = s.issuer() + "/";
  auto client = FapiClient::create(o);
  ASSERT_TRUE(client);
  auto md = (*client)->discover();
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().code, Errc::kInvalidClaim) << md.error().detail;
  // ... and by IP address (the server certificate names 127.0.0.1 too).
  o.issuer = "https://127.0.0.1:" + std::to_string(s.as.public_port);
  auto by_ip = FapiClient::create(o);
  ASSERT_TRUE(by_ip);
  auto md2 = (*by_ip)->discover();
  ASSERT_FALSE(md2);
  EXPECT_EQ(md2.error().code, Errc::kInvalidClaim) << md2.error().detail;
  // Nothing else is attempted with such metadata.
  auto par = (*by_ip)->pushAuthorizationRequest();
  ASSERT_FALSE(par);
  EXPECT_EQ(par.error().code, Errc::kInvalidClaim);
}

// FAPI-CHECKLIST 6: the servers' certificates are verified; a client that does not trust the
// server's CA gets nowhere (and sends nothing).
TEST(ClientFlow, TheServerCertificateIsVerified) {
  Servers& s = shared();
  for (const std::string& ca : {testPki().client_verify_bundle, std::string()}) {
    ClientOptions o = s.options(Identity::kDemo);
    o.ca_file = ca;  // the client hierarchy's CAs, or the system store: neither signed the server
    auto client = FapiClient::create(o);
    ASSERT_TRUE(client) << client.error().detail;
    auto md = (*client)->discover();
    ASSERT_FALSE(md) << ca;
    // The net client names a failed server verification as such (not as an outage).
    EXPECT_EQ(md.error().code, Errc::kUntrustedCertificate) << md.error().detail;
  }
}

TEST(ClientFlow, DiscoveryUsesTheMtlsAliases) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  auto md = client->discover();
  ASSERT_TRUE(md) << md.error().detail;
  EXPECT_EQ(md->issuer(), s.issuer());
  EXPECT_TRUE(md->hasMtlsAliases());
  EXPECT_EQ(md->endpoint(Endpoint::kToken), s.as.mtlsUrl("/token"));
  EXPECT_EQ(md->endpoint(Endpoint::kPar), s.as.mtlsUrl("/par"));
  EXPECT_EQ(md->endpoint(Endpoint::kAuthorization), s.as.publicUrl("/authorize"));
}

TEST(ClientFlow, TheWholeFlowWithTheBuiltInPages) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  const FlowResult r = runFlow(*client, login(s));
  ASSERT_TRUE(r.ok) << r.error << "\n" << stepStatuses(r);
  for (const char* name : {"discovery", "par", "authorize", "callback", "token", "id_token",
                           "datasources", "readings", "provenance", "permissions"}) {
    const FlowStep* step = r.step(name);
    ASSERT_NE(step, nullptr) << name;
    EXPECT_EQ(step->status, StepStatus::kOk) << name << ": " << step->detail;
  }
  // 86: the front channel carried client_id and request_uri, nothing else.
  ASSERT_TRUE(r.request);
  auto auth_url = Url::parse(r.request->authorization_url);
  ASSERT_TRUE(auth_url);
  auto query = net::parseQuery(auth_url->query());
  ASSERT_TRUE(query);
  std::set<std::string> keys;
  for (const auto& [k, v] : query->pairs()) keys.insert(k);
  EXPECT_EQ(keys, (std::set<std::string>{"client_id", "request_uri"}));
  // The user agent logged in and consented on the server's own pages.
  const Json& pages = r.step("authorize")->data["pages"];
  std::vector<std::string> actions;
  for (const Json& p : pages) actions.push_back(p["action"].get<std::string>());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "login"), actions.end());
  EXPECT_NE(std::find(actions.begin(), actions.end(), "allow"), actions.end());
  // The access token is bound to the demo certificate.
  const Json& at = r.step("token")->data["access_token"]["claims"];
  EXPECT_EQ(at["client_id"], testPki().demo_id);
  EXPECT_TRUE(at.contains("cnf"));
  // ID token: verified for this client and this request's nonce.
  const Json& id = r.step("id_token")->data["claims"];
  EXPECT_EQ(id["aud"], testPki().demo_id);
  EXPECT_EQ(id["nonce"], r.request->nonce);
  // Readings with a provenance record whose transfer is to this client, for this request.
  const Json& prov = r.step("provenance")->data;
  EXPECT_EQ(prov["verified"], true);
  bool transfer_found = false;
  for (const Json& step : prov["steps"]) {
    if (step["type"] == "transfer") {
      transfer_found = true;
      EXPECT_EQ(step["to"], testPki().demo_id);
      EXPECT_EQ(step["transaction"], r.step("readings")->data["interaction_id"]);
    }
  }
  EXPECT_TRUE(transfer_found);
  EXPECT_GT(r.step("readings")->data["count"].get<int>(), 0);
  // The permission record of the grant.
  const Json& perm = r.step("permissions")->data["permission"];
  EXPECT_EQ(perm["client"], testPki().demo_id);
  EXPECT_EQ(perm["oauthIssuer"], s.issuer());
  // The JSON for --json holds no token unless asked.
  const std::string plain = dumpJson(r.toJson({}));
  EXPECT_EQ(plain.find(r.tokens->access_token), std::string::npos);
  EXPECT_EQ(plain.find(r.tokens->refresh_token), std::string::npos);
  EXPECT_EQ(plain.find(r.request->pkce.verifier), std::string::npos);
  EXPECT_EQ(plain.find(s.password), std::string::npos);
  const std::string traced = dumpJson(r.toJson({.secrets = true, .exchanges = true}));
  EXPECT_NE(traced.find(r.tokens->access_token), std::string::npos);
  EXPECT_EQ(traced.find(s.password), std::string::npos);  // redacted even in a trace
}

TEST(ClientFlow, EveryRequestHasItsOwnVerifierStateAndNonce) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  auto a = client->pushAuthorizationRequest();
  auto b = client->pushAuthorizationRequest();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->pkce.verifier, b->pkce.verifier);
  EXPECT_NE(a->state, b->state);
  EXPECT_NE(a->nonce, b->nonce);
  EXPECT_NE(a->request_uri, b->request_uri);
}

TEST(ClientFlow, AWrongPasswordStopsAtTheLoginPage) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  FlowOptions o = login(s);
  o.password = "wrong";
  const FlowResult r = runFlow(*client, o);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, Errc::kUnauthenticated) << r.error;
  EXPECT_EQ(r.steps.back().name, "authorize");
}

TEST(ClientFlow, DenyingConsentSurfacesAccessDenied) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  FlowOptions o = login(s);
  o.consent = Consent::kDeny;
  const FlowResult r = runFlow(*client, o);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.error_code, Errc::kForbidden) << r.error;
  ASSERT_EQ(r.steps.back().name, "callback");
  EXPECT_EQ(r.steps.back().data["error"], "access_denied");
  EXPECT_EQ(r.steps.back().data["iss_checked"], true);
}

TEST(ClientFlow, ACallbackFromAnotherRequestIsRefused) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  auto first = client->pushAuthorizationRequest();
  auto second = client->pushAuthorizationRequest();
  ASSERT_TRUE(first && second);
  UserAgent ua(client->browserHttp());
  auto outcome = ua.authorize(first->authorization_url, first->redirect_uri,
                              {.username = s.username, .password = s.password});
  ASSERT_TRUE(outcome) << outcome.error().detail;
  // The response to the first request, presented to the second (its state): refused (88).
  auto wrong = client->checkCallback(outcome->callback_url, *second);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, Errc::kInvalidClaim);
  auto right = client->checkCallback(outcome->callback_url, *first);
  ASSERT_TRUE(right) << right.error().detail;
  EXPECT_TRUE(right->ok());
}

TEST(ClientFlow, RefreshRevokeAndIntrospect) {
  Servers& s = shared();
  auto client = s.client(Identity::kDemo);
  FlowResult r = runFlow(*client, login(s));
  ASSERT_TRUE(r.ok) << r.error;
  const TokenResponse tokens = *r.tokens;
  ASSERT_FALSE(tokens.refresh_token.empty());

  auto refreshed = client->refresh(tokens.refresh_token);
  ASSERT_TRUE(refreshed) << refreshed.error().detail;
  EXPECT_NE(refreshed->access_token, tokens.access_token);
  auto fresh = client->getResource("/datasources", refreshed->access_token);
  ASSERT_TRUE(fresh) << fresh.error().detail;

  auto active = client->introspect(refreshed->access_token);
  ASSERT_TRUE(active) << active.error().detail;
  EXPECT_EQ((*active)["active"], true);
  EXPECT_EQ((*active)["client_id"], testPki().demo_id);

  auto info = client->userinfo(refreshed->access_token);
  ASSERT_TRUE(info) << info.error().detail;
  EXPECT_TRUE(info->contains("sub"));

  // Revoking the refresh token ends the grant: its access tokens turn inactive at once.
  ASSERT_TRUE(client->revoke(tokens.refresh_token, "refresh_token"));
  for (const std::string& t : {tokens.access_token, refreshed->access_token}) {
    auto dead = client->introspect(t);
    ASSERT_TRUE(dead) << dead.error().detail;
    EXPECT_EQ(*dead, Json({{"active", false}}));
  }
  auto again = client->refresh(tokens.refresh_token);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::kInvalidClaim) << again.error().detail;  // invalid_grant
  auto perm = client->permissions(tokens.refresh_token);
  ASSERT_TRUE(perm) << perm.error().detail;
  EXPECT_TRUE((*perm)["permission"].contains("revoked"));
}

TEST(ClientFlow, ASecondClientsCertificateIsRefusedWithTheFirstClientsToken) {
  Servers& s = shared();
  auto demo = s.client(Identity::kDemo);
  const FlowResult r = runFlow(*demo, login(s));
  ASSERT_TRUE(r.ok) << r.error;
  auto other = s.client(Identity::kOther);
  auto stolen = other->getResource("/datasources", r.tokens->access_token);
  ASSERT_FALSE(stolen);
  EXPECT_EQ(stolen.error().code, Errc::kUnauthenticated) << stolen.error().detail;
  EXPECT_NE(stolen.error().detail.find("invalid_token"), std::string::npos)
      << stolen.error().detail;
  auto info = other->userinfo(r.tokens->access_token);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, Errc::kUnauthenticated);
  // The refresh token is bound to the demo client too.
  auto refresh = other->refresh(r.tokens->refresh_token);
  ASSERT_FALSE(refresh);
  // ...while the rightful client still gets its data.
  EXPECT_TRUE(demo->getResource("/datasources", r.tokens->access_token));
}

TEST(ClientFlow, PrivateKeyJwtClient) {
  Servers& s = shared();
  ClientOptions o = s.options(Identity::kPkjwt);
  o.auth = AuthMethod::kPrivateKeyJwt;
  auto keys = parseJsonObject(testPki().pkjwt_private_jwk_json);
  ASSERT_TRUE(keys);
  auto jwk = jose::Jwk::parse((*keys)["ec"], {.private_members = jose::PrivateMembers::kRequire});
  ASSERT_TRUE(jwk);
  o.assertion_key = *jwk;
  auto client = FapiClient::create(o);
  ASSERT_TRUE(client) << client.error().detail;
  EXPECT_EQ((*client)->clientId(), testPki().pkjwt_id);
  Trace trace;
  auto par = (*client)->pushAuthorizationRequest({}, &trace);
  ASSERT_TRUE(par) << par.error().detail;
  // 89: the assertion's aud is the issuer as a string, with a jti and a short exp.
  std::string assertion;
  for (const Exchange& x : trace) {
    if (x.url.ends_with("/par")) {
      auto form = net::parseForm(x.request_body);
      ASSERT_TRUE(form);
      assertion = *form->get("client_assertion");
    }
  }
  auto decoded = decodeJwtUnverified(assertion);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->claims["aud"].is_string());
  EXPECT_EQ(decoded->claims["aud"], s.issuer());
  EXPECT_EQ(decoded->claims["iss"], testPki().pkjwt_id);
  EXPECT_EQ(decoded->claims["sub"], testPki().pkjwt_id);
  EXPECT_LE(decoded->claims["exp"].get<std::int64_t>() - decoded->claims["iat"].get<std::int64_t>(),
            60);
  EXPECT_TRUE(decoded->claims["jti"].is_string());
  // The whole flow with assertions at PAR and token.
  const FlowResult r = runFlow(**client, login(s));
  ASSERT_TRUE(r.ok) << r.error << "\n" << stepStatuses(r);
}

TEST(ClientFlow, RotatedRefreshTokensAreStoredAtomically) {
  authz::test::HarnessOptions opts = Servers::realUi();
  opts.authz_extra = "refresh_token_rotation = true\n";
  Servers s(opts);
  auto client = s.client(Identity::kDemo);
  const FlowResult r = runFlow(*client, login(s));
  ASSERT_TRUE(r.ok) << r.error;
  const std::string file = s.as.dir.path() + "/tokens.json";
  ASSERT_TRUE(saveTokenFile(
      file, StoredTokens::fromResponse(s.issuer(), client->clientId(), *r.tokens, 0)));
  std::string previous = r.tokens->refresh_token;
  for (int i = 0; i < 3; ++i) {
    bool rotated = false;
    auto saved = updateTokenFile(file, [&](StoredTokens& t) -> Status {
      GG_TRY(const TokenResponse fresh, client->refresh(t.refresh_token));
      rotated = !fresh.refresh_token.empty() && fresh.refresh_token != t.refresh_token;
      t.apply(fresh, 0);
      return ok();
    });
    ASSERT_TRUE(saved) << saved.error().detail;
    EXPECT_TRUE(rotated);
    EXPECT_NE(saved->refresh_token, previous);
    EXPECT_EQ(loadTokenFile(file)->refresh_token, saved->refresh_token);
    previous = saved->refresh_token;
  }
  // Past the grace period the rotated-out token is dead, the stored one works.
  s.as.clock.advance(std::chrono::seconds(61));
  EXPECT_FALSE(client->refresh(r.tokens->refresh_token));
  EXPECT_TRUE(client->refresh(loadTokenFile(file)->refresh_token));
}

// A metadata document without mtls_endpoint_aliases (FAPI-CHECKLIST 90): served by a small TLS
// server of the test under its own issuer, with the real AS's mTLS endpoints as plain endpoints.
TEST(ClientFlow, WorksWithoutMtlsAliases) {
  Servers& s = shared();
  const authz::test::TestPki& pki = testPki();
  auto router = std::make_shared<net::Router>();
  std::uint16_t port = 0;
  router->get("/.well-known/oauth-authorization-server/alt", [&](const net::Request&) {
    const std::string issuer = "https://localhost:" + std::to_string(port) + "/alt";
    return net::Response::json(200,
                               Json{{"issuer", issuer},
                                    {"authorization_endpoint", s.as.publicUrl("/authorize")},
                                    {"pushed_authorization_request_endpoint", s.as.mtlsUrl("/par")},
                                    {"token_endpoint", s.as.mtlsUrl("/token")},
                                    {"jwks_uri", s.as.publicUrl("/jwks")}});
  });
  net::ListenerConfig lc;
  lc.name = "meta";
  lc.tls = net::TlsServerConfig{};
  lc.tls->certificates.push_back({.chain_file = pki.server_bundle, .key_file = pki.server_key});
  net::test::RunningServer meta(lc, router);
  port = meta.port;

  ClientOptions o = s.options(Identity::kDemo);
  o.issuer = "https://localhost:" + std::to_string(port) + "/alt";
  auto client = FapiClient::create(o);
  ASSERT_TRUE(client);
  auto md = (*client)->discover();
  ASSERT_TRUE(md) << md.error().detail;
  EXPECT_FALSE(md->hasMtlsAliases());
  Trace trace;
  auto par = (*client)->pushAuthorizationRequest({}, &trace);
  ASSERT_TRUE(par) << par.error().detail;
  EXPECT_EQ(trace.back().url, s.as.mtlsUrl("/par"));
  EXPECT_EQ(trace.back().status, 201);
  // The real AS completes it; the code is redeemed at the plain token endpoint.
  authz::test::ParResult p;
  p.client_id = par->client_id;
  p.request_uri = par->request_uri;
  const std::string location = s.as.approve(p);
  const std::string code = authz::test::queryOf(location)["code"];
  auto t = (*client)->exchangeCode(code, *par);
  ASSERT_TRUE(t) << t.error().detail;
  EXPECT_EQ(t->token_type, "Bearer");
}

}  // namespace
}  // namespace gridgate::client::test
