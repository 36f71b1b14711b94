// Integration tests of the interaction side over a real TLS server (ui_server.h), driven like a
// browser: cookies kept, forms read from the HTML and posted back. The AuthorizationFlow is the
// in-test TestFlow over the real SQLite store (test_flow.h).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "authz/ui/cookies.h"
#include "core/json.h"
#include "crypto/digest.h"
#include "net/client.h"
#include "net/form.h"
#include "ui_server.h"

namespace gridgate::authz::test {
namespace {

constexpr const char* kPassword = "correct horse battery staple";

std::string unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    std::string::size_type pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
      s.replace(pos, std::string(from).size(), to);
      pos += std::string(to).size();
    }
  }
  return s;
}

// The value of <input ... name="NAME" value="..."> (the first one).
std::string field(const std::string& html, const std::string& name) {
  std::string marker = "name=\"" + name + "\" value=\"";
  auto at = html.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  return unescape(html.substr(at, html.find('"', at) - at));
}

// The value of a form field in the form whose action is `action`.
std::string formField(const std::string& html, const std::string& action, const std::string& name) {
  auto at = html.find("action=\"" + action + "\"");
  if (at == std::string::npos) return {};
  return field(html.substr(at), name);
}

class Browser {
 public:
  explicit Browser(const UiServer& server) {
    auto c = net::HttpClient::create(
        net::ClientConfig{.tls = {.ca_file = server.server_ca}, .retry = {.max_attempts = 1}});
    EXPECT_TRUE(c) << c.error().detail;
    client_ = std::move(*c);
  }

  net::ClientResponse get(const std::string& url, net::Headers extra = {}) {
    net::ClientRequest req{.method = net::Method::kGet, .url = url, .headers = std::move(extra)};
    return send(std::move(req));
  }
  net::ClientResponse post(const std::string& url, const std::vector<net::Form::Pair>& form) {
    net::ClientRequest req{.method = net::Method::kPost, .url = url, .body = net::encodeForm(form)};
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
    return send(std::move(req));
  }
  net::ClientResponse sendJson(net::Method method, const std::string& url, const Json& body) {
    net::ClientRequest req{.method = method, .url = url};
    if (!body.is_null()) {
      req.body = dumpJson(body);
      req.headers.add("Content-Type", "application/json");
    }
    return send(std::move(req));
  }

  std::map<std::string, std::string> cookies;
  std::vector<std::string> last_set_cookies;

 private:
  net::ClientResponse send(net::ClientRequest req) {
    std::string jar;
    for (const auto& [k, v] : cookies) jar += (jar.empty() ? "" : "; ") + k + "=" + v;
    if (!jar.empty()) req.headers.add("Cookie", jar);
    auto res = client_->send(std::move(req));
    EXPECT_TRUE(res) << res.error().detail;
    if (!res) return {};
    last_set_cookies.clear();
    for (std::string_view sc : res->headers.getAll("set-cookie")) {
      last_set_cookies.emplace_back(sc);
      std::string s(sc);
      std::string pair = s.substr(0, s.find(';'));
      std::string name = pair.substr(0, pair.find('='));
      std::string value = pair.substr(pair.find('=') + 1);
      if (s.find("Max-Age=0") != std::string::npos) {
        cookies.erase(name);
      } else {
        cookies[name] = value;
      }
    }
    return std::move(*res);
  }
  std::unique_ptr<net::HttpClient> client_;
};

std::string header(const net::ClientResponse& r, std::string_view name) {
  return std::string(r.headers.get(name).value_or(""));
}

void expectPageHeaders(const net::ClientResponse& r) {
  std::string csp = header(r, "Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;  // checklist 44
  EXPECT_EQ(csp.find("script-src"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(header(r, "X-Frame-Options"), "DENY");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(r.headers.contains("Access-Control-Allow-Origin"));  // checklist 5
  EXPECT_FALSE(r.headers.contains("Access-Control-Allow-Credentials"));
}

class BuiltinTest : public ::testing::Test {
 protected:
  BuiltinTest() : browser(server) { user = server.addUser("alice", kPassword, "Alice Example"); }

  std::string authorizeUrl(const std::string& request_uri) {
    return server.publicBase() + server.authorizePath(request_uri);
  }

  // GET /authorize, then POST the login form; returns the login response.
  net::ClientResponse login(const std::string& request_uri, const std::string& username,
                            const std::string& password) {
    auto page = browser.get(authorizeUrl(request_uri));
    EXPECT_EQ(page.status, 200);
    return browser.post(server.publicBase() + "/login", {{"csrf", field(page.body, "csrf")},
                                                         {"client_id", std::string(kClientId)},
                                                         {"request_uri", request_uri},
                                                         {"username", username},
                                                         {"password", password}});
  }

  // Logs in and returns the consent page.
  net::ClientResponse consentPage(const std::string& request_uri) {
    auto r = login(request_uri, "alice", kPassword);
    EXPECT_EQ(r.status, 303);
    EXPECT_EQ(header(r, "Location"), server.authorizePath(request_uri));
    return browser.get(authorizeUrl(request_uri));
  }

  UiServer server;
  Browser browser;
  store::User user;
};

TEST_F(BuiltinTest, LoginPageNamesTheClientEscapedWithStrictHeaders) {
  std::string uri = server.push();
  net::Headers h;
  h.add("Origin", "https://evil.example");
  auto r = browser.get(authorizeUrl(uri), std::move(h));
  ASSERT_EQ(r.status, 200);
  expectPageHeaders(r);
  EXPECT_EQ(header(r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("Carbon Accounting &lt;Demo&gt; &amp; Co"), std::string::npos);
  EXPECT_EQ(r.body.find("<Demo>"), std::string::npos);
  EXPECT_NE(r.body.find("Sign in to Example Energy"), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos);
  EXPECT_NE(r.body.find(R"(<label for="username">)"), std::string::npos);
  EXPECT_NE(r.body.find(R"(autocomplete="current-password")"), std::string::npos);
  // The pre-login cookie that binds the login form.
  ASSERT_EQ(browser.last_set_cookies.size(), 1u);
  const std::string& sc = browser.last_set_cookies[0];
  EXPECT_EQ(sc.rfind("__Host-gridgate-login=", 0), 0u) << sc;
  for (const char* attr : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"}) {
    EXPECT_NE(sc.find(attr), std::string::npos) << attr;
  }
  EXPECT_EQ(sc.find("Domain"), std::string::npos);
}

TEST_F(BuiltinTest, LoginSuccessStartsAHashedSessionAndShowsConsent) {
  std::string uri = server.push();
  auto r = login(uri, "alice", kPassword);
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "Location"), server.authorizePath(uri));
  ASSERT_TRUE(browser.cookies.count("__Host-gridgate-session"));
  std::string sid = browser.cookies["__Host-gridgate-session"];
  EXPECT_GE(sid.size(), 43u);  // 256 bits
  std::string set_cookie;
  for (const auto& c : browser.last_set_cookies) {
    if (c.rfind("__Host-gridgate-session=", 0) == 0) set_cookie = c;
  }
  for (const char* attr :
       {"; Max-Age=28800", "; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"}) {
    EXPECT_NE(set_cookie.find(attr), std::string::npos) << attr << " in " << set_cookie;
  }
  // Stored by hash only.
  auto session = server.store->sessions().find(crypto::sha256Hex(sid));
  ASSERT_TRUE(session);
  EXPECT_EQ(session->subject, user.subject);
  EXPECT_EQ(session->expires_at, server.clock.unixSeconds() + 8 * 3600);
  EXPECT_FALSE(server.store->sessions().find(sid));

  auto consent = browser.get(authorizeUrl(uri));
  ASSERT_EQ(consent.status, 200);
  expectPageHeaders(consent);
  const std::string& b = consent.body;
  EXPECT_NE(b.find("Allow Carbon Accounting &lt;Demo&gt; &amp; Co to access your energy data?"),
            std::string::npos);
  EXPECT_NE(b.find("Signed in as <strong>Alice Example</strong>"), std::string::npos);
  EXPECT_NE(b.find("Energy consumption data (licence of 2024-12-05)"), std::string::npos);
  EXPECT_NE(b.find(std::string(kLicence)), std::string::npos);
  EXPECT_NE(b.find("Continued access while you are not using the app"), std::string::npos);
  EXPECT_NE(b.find("12 months, until <strong>"), std::string::npos);
  EXPECT_NE(b.find("withdraw this permission"), std::string::npos);
  EXPECT_NE(b.find(R"(value="allow")"), std::string::npos);
  EXPECT_NE(b.find(R"(value="deny")"), std::string::npos);
  // The consent form is answered by a redirect to the client's origin: form-action allows it.
  EXPECT_NE(header(consent, "Content-Security-Policy")
                .find("form-action 'self' " + server.clientBase() + ";"),
            std::string::npos)
      << header(consent, "Content-Security-Policy");
}

TEST_F(BuiltinTest, WrongPasswordAndUnknownUserGetTheSameAnswer) {
  std::string uri = server.push();
  auto wrong = login(uri, "alice", "not the password");
  auto unknown = login(uri, "mallory", "not the password");
  for (const auto* r : {&wrong, &unknown}) {
    EXPECT_EQ(r->status, 200);
    EXPECT_NE(r->body.find("The username or password is not correct."), std::string::npos);
    EXPECT_NE(r->body.find(R"(role="alert")"), std::string::npos);
    expectPageHeaders(*r);
  }
  EXPECT_FALSE(browser.cookies.count("__Host-gridgate-session"));
  // The typed username is kept (escaped), the password never echoed.
  EXPECT_NE(wrong.body.find(R"(value="alice")"), std::string::npos);
  EXPECT_EQ(wrong.body.find("not the password"), std::string::npos);
}

TEST_F(BuiltinTest, RepeatedFailuresAreThrottledEvenWithTheRightPassword) {
  std::string uri = server.push();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login(uri, "alice", "wrong-password").status, 200);
  auto blocked = login(uri, "alice", kPassword);
  EXPECT_EQ(blocked.status, 429);
  EXPECT_NE(blocked.body.find("Too many unsuccessful attempts"), std::string::npos);
  EXPECT_FALSE(browser.cookies.count("__Host-gridgate-session"));
  server.clock.advance(std::chrono::minutes(16));
  EXPECT_EQ(login(server.push(), "alice", kPassword).status, 303);
}

TEST_F(BuiltinTest, LoginWithoutOrWithWrongCsrfIs403) {
  std::string uri = server.push();
  auto page = browser.get(authorizeUrl(uri));
  std::string csrf = field(page.body, "csrf");
  ASSERT_FALSE(csrf.empty());
  auto post = [&](std::vector<net::Form::Pair> form) {
    return browser.post(server.publicBase() + "/login", form);
  };
  std::vector<net::Form::Pair> base = {{"client_id", std::string(kClientId)},
                                       {"request_uri", uri},
                                       {"username", "alice"},
                                       {"password", kPassword}};
  auto missing = post(base);
  EXPECT_EQ(missing.status, 400);  // a required field is absent: the form is not ours
  auto with = [&](std::string token) {
    auto f = base;
    f.emplace_back("csrf", std::move(token));
    return post(f);
  };
  auto empty = with("");
  EXPECT_EQ(empty.status, 403);
  std::string flipped = csrf;
  flipped[0] = flipped[0] == 'A' ? 'B' : 'A';
  auto wrong = with(flipped);
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(wrong.body.find("This form has expired"), std::string::npos);
  expectPageHeaders(wrong);
  // A token of another pending request does not fit this one.
  std::string other = server.push();
  auto other_page = browser.get(authorizeUrl(other));
  EXPECT_EQ(with(field(other_page.body, "csrf")).status, 403);
  // Without the pre-login cookie (a cross-site form, or cookies blocked), even the right token.
  browser.cookies.erase("__Host-gridgate-login");
  EXPECT_EQ(with(csrf).status, 403);
  EXPECT_FALSE(browser.cookies.count("__Host-gridgate-session"));
}

TEST_F(BuiltinTest, DuplicateOrMalformedFormIs400) {
  std::string uri = server.push();
  auto page = browser.get(authorizeUrl(uri));
  auto r = browser.post(server.publicBase() + "/login", {{"csrf", field(page.body, "csrf")},
                                                         {"client_id", std::string(kClientId)},
                                                         {"request_uri", uri},
                                                         {"username", "alice"},
                                                         {"username", "bob"},
                                                         {"password", kPassword}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("We could not read this form"), std::string::npos);
}

TEST_F(BuiltinTest, AllowRedirectsToTheClientWithCodeStateAndIss) {
  std::string uri = server.push({}, "a state with spaces & symbols");
  auto consent = consentPage(uri);
  ASSERT_EQ(consent.status, 200);
  auto r = browser.post(server.publicBase() + "/consent",
                        {{"csrf", formField(consent.body, "/consent", "csrf")},
                         {"client_id", std::string(kClientId)},
                         {"request_uri", uri},
                         {"decision", "allow"}});
  ASSERT_EQ(r.status, 303);
  std::string location = header(r, "Location");
  ASSERT_EQ(location.rfind(server.clientBase() + "/callback?", 0), 0u) << location;
  auto q = net::parseQuery(location.substr(location.find('?') + 1));
  ASSERT_TRUE(q);
  EXPECT_GE(q->get("code")->size(), 43u);
  EXPECT_EQ(*q->get("state"), "a state with spaces & symbols");
  EXPECT_EQ(*q->get("iss"), kIssuer);
  EXPECT_EQ(server.flow->lastDecision().subject, user.subject);
  EXPECT_EQ(server.flow->lastDecision().scope, std::string(kLicence) + " offline_access");
  EXPECT_GT(server.flow->lastDecision().auth_time, 0);

  // The request is complete: reloading /authorize now shows a local error, never a redirect.
  auto again = browser.get(authorizeUrl(uri));
  EXPECT_EQ(again.status, 400);
  EXPECT_FALSE(again.headers.contains("Location"));
  // And posting the same consent again fails on the consumed request.
  auto replay = browser.post(server.publicBase() + "/consent",
                             {{"csrf", formField(consent.body, "/consent", "csrf")},
                              {"client_id", std::string(kClientId)},
                              {"request_uri", uri},
                              {"decision", "allow"}});
  EXPECT_EQ(replay.status, 400);
  EXPECT_NE(replay.body.find("already complete"), std::string::npos);
}

TEST_F(BuiltinTest, DenyRedirectsWithAccessDeniedStateAndIss) {
  std::string uri = server.push({}, "st-deny");
  auto consent = consentPage(uri);
  auto r = browser.post(server.publicBase() + "/consent",
                        {{"csrf", formField(consent.body, "/consent", "csrf")},
                         {"client_id", std::string(kClientId)},
                         {"request_uri", uri},
                         {"decision", "deny"}});
  ASSERT_EQ(r.status, 303);
  std::string location = header(r, "Location");
  auto q = net::parseQuery(location.substr(location.find('?') + 1));
  ASSERT_TRUE(q);
  EXPECT_EQ(*q->get("error"), "access_denied");
  EXPECT_EQ(*q->get("state"), "st-deny");
  EXPECT_EQ(*q->get("iss"), kIssuer);
  EXPECT_FALSE(q->has("code"));
}

TEST_F(BuiltinTest, ConsentCsrfIsBoundToSessionAndRequest) {
  std::string uri = server.push();
  auto consent = consentPage(uri);
  std::string csrf = formField(consent.body, "/consent", "csrf");
  auto post = [&](const std::string& token, const std::string& request_uri) {
    return browser.post(server.publicBase() + "/consent", {{"csrf", token},
                                                           {"client_id", std::string(kClientId)},
                                                           {"request_uri", request_uri},
                                                           {"decision", "allow"}});
  };
  EXPECT_EQ(post("", uri).status, 403);
  EXPECT_EQ(post(csrf + "x", uri).status, 403);
  // The login form's token is not a consent token.
  auto login_page_token = field(browser.get(authorizeUrl(server.push())).body, "csrf");
  EXPECT_EQ(post(login_page_token, uri).status, 403);
  // Another pending request with this session's token for the first one.
  EXPECT_EQ(post(csrf, server.push()).status, 403);
  // No decision was taken.
  EXPECT_EQ(browser.get(authorizeUrl(uri)).status, 200);
  // Without the session cookie: back to /authorize (the login page), nothing decided.
  browser.cookies.erase("__Host-gridgate-session");
  auto no_session = post(csrf, uri);
  EXPECT_EQ(no_session.status, 303);
  EXPECT_EQ(header(no_session, "Location"), server.authorizePath(uri));
  EXPECT_TRUE(server.flow->lookup(kClientId, uri));
}

TEST_F(BuiltinTest, ReloadBeforeCompletionWorks) {
  std::string uri = server.push();
  EXPECT_EQ(browser.get(authorizeUrl(uri)).status, 200);
  EXPECT_EQ(browser.get(authorizeUrl(uri)).status, 200);
  auto consent = consentPage(uri);
  EXPECT_EQ(consent.status, 200);
  auto reload = browser.get(authorizeUrl(uri));
  EXPECT_EQ(reload.status, 200);
  EXPECT_NE(reload.body.find(R"(value="allow")"), std::string::npos);
  // The token of the reloaded page is as good as the first.
  auto r = browser.post(server.publicBase() + "/consent",
                        {{"csrf", formField(reload.body, "/consent", "csrf")},
                         {"client_id", std::string(kClientId)},
                         {"request_uri", uri},
                         {"decision", "allow"}});
  EXPECT_EQ(r.status, 303);
}

TEST_F(BuiltinTest, ExpiredRequestOrSessionShowsLocalPages) {
  std::string uri = server.push();
  auto page = browser.get(authorizeUrl(uri));
  server.clock.advance(std::chrono::seconds(91));
  auto r = browser.post(server.publicBase() + "/login", {{"csrf", field(page.body, "csrf")},
                                                         {"client_id", std::string(kClientId)},
                                                         {"request_uri", uri},
                                                         {"username", "alice"},
                                                         {"password", kPassword}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("has expired"), std::string::npos);
  EXPECT_FALSE(r.headers.contains("Location"));

  // A session past its lifetime no longer counts: the login page again.
  std::string uri2 = server.push();
  ASSERT_EQ(consentPage(uri2).status, 200);
  server.clock.advance(std::chrono::hours(8));
  std::string uri3 = server.push();
  auto login_again = browser.get(authorizeUrl(uri3));
  EXPECT_NE(login_again.body.find("Sign in to"), std::string::npos);
}

TEST_F(BuiltinTest, LogoutEndsTheSession) {
  std::string uri = server.push();
  auto consent = consentPage(uri);
  std::string sid = browser.cookies["__Host-gridgate-session"];
  std::string logout_csrf = formField(consent.body, "/logout", "csrf");
  ASSERT_FALSE(logout_csrf.empty());
  EXPECT_EQ(
      browser
          .post(server.publicBase() + "/logout",
                {{"csrf", "wrong"}, {"client_id", std::string(kClientId)}, {"request_uri", uri}})
          .status,
      403);
  auto r = browser.post(
      server.publicBase() + "/logout",
      {{"csrf", logout_csrf}, {"client_id", std::string(kClientId)}, {"request_uri", uri}});
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(header(r, "Location"), server.authorizePath(uri));
  EXPECT_FALSE(browser.cookies.count("__Host-gridgate-session"));
  EXPECT_FALSE(server.store->sessions().find(crypto::sha256Hex(sid)));
  auto login_page = browser.get(authorizeUrl(uri));
  EXPECT_NE(login_page.body.find("Sign in to"), std::string::npos);
}

TEST_F(BuiltinTest, EvidencePageShowsTheGrantAnd404ForUnknownIds) {
  std::string uri = server.push();
  auto consent = consentPage(uri);
  ASSERT_EQ(browser
                .post(server.publicBase() + "/consent",
                      {{"csrf", formField(consent.body, "/consent", "csrf")},
                       {"client_id", std::string(kClientId)},
                       {"request_uri", uri},
                       {"decision", "allow"}})
                .status,
            303);
  const store::Grant& grant = server.flow->lastGrant();
  Browser anonymous(server);  // public: no session needed
  auto r = anonymous.get(server.publicBase() + "/evidence/" + grant.evidence_id);
  ASSERT_EQ(r.status, 200);
  expectPageHeaders(r);
  EXPECT_NE(r.body.find("Carbon Accounting &lt;Demo&gt; &amp; Co has permission"),
            std::string::npos);
  EXPECT_NE(r.body.find("Energy consumption data (licence of 2024-12-05)"), std::string::npos);
  EXPECT_NE(r.body.find("status-active"), std::string::npos);
  EXPECT_NE(r.body.find(std::string(kIssuer)), std::string::npos);
  EXPECT_EQ(r.body.find(user.subject), std::string::npos);  // no account identifier in public

  ASSERT_TRUE(server.store->grants().revoke(grant.id, server.clock.unixSeconds()));
  auto revoked = anonymous.get(server.publicBase() + "/evidence/" + grant.evidence_id);
  EXPECT_NE(revoked.body.find("status-revoked"), std::string::npos);
  EXPECT_NE(revoked.body.find("had permission"), std::string::npos);

  for (const std::string& bad :
       std::vector<std::string>{"AAAAAAAAAAAAAAAAAAAAAA", "short", "has.dot.aaaaaaaaaaaaaaaaaaa",
                                std::string(200, 'a')}) {
    auto nf = anonymous.get(server.publicBase() + "/evidence/" + bad);
    EXPECT_EQ(nf.status, 404) << bad;
    EXPECT_NE(nf.body.find("Permission record not found"), std::string::npos);
  }
}

// --- external mode ------------------------------------------------------------------------------

class ExternalTest : public ::testing::Test {
 protected:
  ExternalTest()
      : server(UiServerOptions{.mode = ui::InteractionMode::kExternal, .data_dir = {}}),
        browser(server) {}

  // GET /authorize -> the login challenge from the redirect.
  std::string loginChallenge(const std::string& request_uri) {
    auto r = browser.get(server.publicBase() + server.authorizePath(request_uri));
    EXPECT_EQ(r.status, 303);
    std::string location = header(r, "Location");
    EXPECT_EQ(location.rfind("https://login.example/login?login_challenge=", 0), 0u) << location;
    return location.substr(location.find('=') + 1);
  }
  std::string admin(const std::string& path, const std::string& param, const std::string& value) {
    return server.adminBase() + "/admin/oauth2/auth/requests/" + path + "?" +
           net::encodeForm({{param, value}});
  }

  UiServer server;
  Browser browser;
};

TEST_F(ExternalTest, LoginThenConsentThroughTheAdminApi) {
  std::string uri = server.push({}, "ext-state");
  std::string login = loginChallenge(uri);
  EXPECT_GE(login.size(), 43u);

  auto info = browser.get(admin("login", "login_challenge", login));
  ASSERT_EQ(info.status, 200) << info.body;
  auto doc = parseJson(info.body);
  ASSERT_TRUE(doc);
  EXPECT_EQ((*doc)["client"]["client_id"], kClientId);
  EXPECT_EQ((*doc)["client"]["client_name"], kClientName);
  EXPECT_EQ((*doc)["requested_scope"], Json::array({std::string(kLicence), "offline_access"}));
  EXPECT_EQ((*doc)["requested_licences"][0]["description"],
            "Energy consumption data (licence of 2024-12-05)");
  EXPECT_EQ(header(info, "Cache-Control"), "no-store");

  // A subject that resembles a client_id is refused (checklist 12); the challenge stays usable.
  auto bad = browser.sendJson(net::Method::kPut, admin("login/accept", "login_challenge", login),
                              Json{{"subject", std::string(kClientId)}});
  EXPECT_EQ(bad.status, 400);
  auto accepted =
      browser.sendJson(net::Method::kPut, admin("login/accept", "login_challenge", login),
                       Json{{"subject", "user-ext-42"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  std::string consent_url = (*parseJson(accepted.body))["redirect_to"];
  ASSERT_EQ(consent_url.rfind("https://login.example/consent?consent_challenge=", 0), 0u);
  std::string consent = consent_url.substr(consent_url.find('=') + 1);
  // Single use.
  EXPECT_EQ(browser
                .sendJson(net::Method::kPut, admin("login/accept", "login_challenge", login),
                          Json{{"subject", "user-ext-42"}})
                .status,
            404);
  EXPECT_EQ(browser.get(admin("login", "login_challenge", login)).status, 404);
  // A login challenge is not a consent challenge.
  EXPECT_EQ(browser.get(admin("consent", "consent_challenge", login)).status, 404);

  auto cinfo = browser.get(admin("consent", "consent_challenge", consent));
  ASSERT_EQ(cinfo.status, 200);
  EXPECT_EQ((*parseJson(cinfo.body))["subject"], "user-ext-42");
  EXPECT_EQ((*parseJson(cinfo.body))["grant_duration"], "12 months");

  auto widen =
      browser.sendJson(net::Method::kPut, admin("consent/accept", "consent_challenge", consent),
                       Json{{"grant_scope", {"openid"}}});
  EXPECT_EQ(widen.status, 400);

  auto done =
      browser.sendJson(net::Method::kPut, admin("consent/accept", "consent_challenge", consent),
                       Json{{"grant_scope", {std::string(kLicence)}}});
  ASSERT_EQ(done.status, 200) << done.body;
  std::string location = (*parseJson(done.body))["redirect_to"];
  ASSERT_EQ(location.rfind(server.clientBase() + "/callback?", 0), 0u);
  auto q = net::parseQuery(location.substr(location.find('?') + 1));
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->has("code"));
  EXPECT_EQ(*q->get("state"), "ext-state");
  EXPECT_EQ(*q->get("iss"), kIssuer);
  EXPECT_EQ(server.flow->lastDecision().subject, "user-ext-42");
  EXPECT_EQ(server.flow->lastDecision().scope, kLicence);

  EXPECT_EQ(browser
                .sendJson(net::Method::kPut, admin("consent/accept", "consent_challenge", consent),
                          Json())
                .status,
            404);
}

TEST_F(ExternalTest, RejectingLoginOrConsentDenies) {
  std::string uri = server.push({}, "st-r1");
  std::string login = loginChallenge(uri);
  auto r =
      browser.sendJson(net::Method::kPut, admin("login/reject", "login_challenge", login), Json());
  ASSERT_EQ(r.status, 200) << r.body;
  std::string location = (*parseJson(r.body))["redirect_to"];
  EXPECT_NE(location.find("error=access_denied"), std::string::npos);
  EXPECT_NE(location.find("state=st-r1"), std::string::npos);
  EXPECT_NE(location.find("iss="), std::string::npos);

  std::string uri2 = server.push({}, "st-r2");
  std::string login2 = loginChallenge(uri2);
  auto acc = browser.sendJson(net::Method::kPut, admin("login/accept", "login_challenge", login2),
                              Json{{"subject", "user-2"}});
  std::string consent_url = (*parseJson(acc.body))["redirect_to"];
  std::string consent = consent_url.substr(consent_url.find('=') + 1);
  auto rej = browser.sendJson(net::Method::kPut,
                              admin("consent/reject", "consent_challenge", consent), Json());
  ASSERT_EQ(rej.status, 200);
  EXPECT_NE(std::string((*parseJson(rej.body))["redirect_to"]).find("error=access_denied"),
            std::string::npos);
}

TEST_F(ExternalTest, ChallengesExpireWithTheRequestAndUnknownOnesAre404) {
  std::string login = loginChallenge(server.push());
  EXPECT_EQ(browser.get(admin("login", "login_challenge", "not-a-challenge")).status, 404);
  EXPECT_EQ(browser.get(server.adminBase() + "/admin/oauth2/auth/requests/login").status, 400);
  server.clock.advance(std::chrono::seconds(91));
  EXPECT_EQ(browser.get(admin("login", "login_challenge", login)).status, 404);
  // The public login routes of the built-in mode do not exist in external mode.
  EXPECT_EQ(browser.post(server.publicBase() + "/login", {{"a", "b"}}).status, 404);
}

}  // namespace
}  // namespace gridgate::authz::test
