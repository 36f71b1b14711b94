// The whole authorization flow against the real server (real TLS, the real store: a SQLite file,
// or redis-server when ctest runs the `redis.` copy), driven by net::HttpClient: PAR -> authorize
// -> login and consent -> token -> introspect -> refresh -> permissions -> revoke -> introspect
// inactive; the permission record and evidence; IB1 revocation messages delivered to a receiving
// test server; no token material in the logs; a store outage answered 503.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <mutex>
#include <sstream>
#include <thread>

#include "authz/evidence.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "harness.h"
#include "net/form.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::authz::test {
namespace {

std::string errorOf(const Json& body) {
  const std::string* e = body.is_object() ? jsonString(body, "error") : nullptr;
  return e != nullptr ? *e : std::string();
}

std::string authorizeUrl(Harness& h, const ParResult& p) {
  return h.publicUrl("/authorize?client_id=" + net::formEncode(p.client_id) +
                     "&request_uri=" + net::formEncode(p.request_uri));
}

Json permissions(Harness& h, Identity id, const std::string& token, int* status = nullptr) {
  auto r = h.post(id, "/permissions", {{"token", token}, {"client_id", h.clientId(id)}});
  if (status != nullptr) *status = r ? r->status : -1;
  if (!r) return Json();
  auto j = parseJson(r->body);
  return j ? *j : Json();
}

TEST(Flow, WholeFlowThroughTheRealLoginAndConsentPages) {
  Harness h({.real_ui = true});
  store::User alice = h.addUser("alice", "correct horse battery");
  ParResult p = h.par(Identity::kDemo);
  ASSERT_EQ(p.status, 201);
  Browser browser(testPki().server_ca);
  const std::string location =
      browser.authorizeWithLogin(authorizeUrl(h, p), "alice", "correct horse battery");
  ASSERT_TRUE(location.starts_with(std::string(kDemoRedirect) + "?")) << location;
  auto q = queryOf(location);
  EXPECT_EQ(q["state"], p.state);
  EXPECT_EQ(q["iss"], h.config->issuer);

  TokenResult t = h.redeem(Identity::kDemo, p, location);
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(t.body["token_type"], "Bearer");
  EXPECT_EQ(t.body["expires_in"], 300);
  EXPECT_EQ(t.body["scope"], p.scope);
  EXPECT_FALSE(t.refresh_token.empty());
  EXPECT_EQ(jwtClaims(t.access_token)["sub"], alice.subject);
  EXPECT_EQ(jwtClaims(t.id_token)["sub"], alice.subject);

  Json intro = h.introspect(Identity::kDemo, t.access_token);
  EXPECT_EQ(intro["active"], true);
  EXPECT_EQ(intro["sub"], alice.subject);

  TokenResult refreshed = h.refresh(Identity::kDemo, t.refresh_token);
  ASSERT_EQ(refreshed.status, 200) << refreshed.body;
  EXPECT_NE(refreshed.access_token, t.access_token);

  Json perm = permissions(h, Identity::kDemo, t.refresh_token);
  ASSERT_TRUE(perm.contains("permission")) << perm;
  EXPECT_EQ(perm["permission"]["account"], alice.subject);
  EXPECT_FALSE(perm["permission"].contains("revoked"));

  EXPECT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);
  EXPECT_EQ(h.introspect(Identity::kDemo, t.access_token), Json({{"active", false}}));
  EXPECT_EQ(h.introspect(Identity::kDemo, refreshed.access_token), Json({{"active", false}}));
  Json after = permissions(h, Identity::kDemo, t.refresh_token);
  EXPECT_TRUE(after["permission"].contains("revoked")) << after;

  // The evidence page of the interaction side shows the grant.
  auto evidence = browser.get(perm["permission"]["evidence"].get<std::string>());
  ASSERT_TRUE(evidence);
  EXPECT_EQ(evidence->status, 200);
}

TEST(Flow, DenyThroughTheRealConsentPage) {
  Harness h({.real_ui = true});
  h.addUser("bob", "another long password");
  ParResult p = h.par(Identity::kDemo);
  Browser browser(testPki().server_ca);
  const std::string location =
      browser.authorizeWithLogin(authorizeUrl(h, p), "bob", "another long password", false);
  auto q = queryOf(location);
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["iss"], h.config->issuer);
  EXPECT_EQ(q["state"], p.state);
}

TEST(Flow, PermissionRecordFormat) {
  Harness h;
  ParResult p;
  TokenResult t = h.fullFlow(Identity::kDemo, &p);
  int status = 0;
  Json perm = permissions(h, Identity::kDemo, t.refresh_token, &status);
  ASSERT_EQ(status, 200) << perm;
  ASSERT_EQ(perm.size(), 1u);
  const Json& r = perm["permission"];
  const std::int64_t now = h.clock.unixSeconds();
  EXPECT_EQ(r["oauthIssuer"], h.config->issuer);
  EXPECT_EQ(r["client"], h.clientId(Identity::kDemo));
  EXPECT_EQ(r["license"], std::string(kLicence));
  EXPECT_EQ(r["account"], "alice");
  EXPECT_EQ(r["lastGranted"], formatUtc(now));
  EXPECT_EQ(r["expires"], formatUtc(now + 365 * 86400));
  EXPECT_EQ(r["dataAvailableFrom"], formatUtc(now - 365 * 86400));
  EXPECT_EQ(r["tokenIssuedAt"], formatUtc(now));
  EXPECT_EQ(r["tokenExpires"], formatUtc(now + 300));
  EXPECT_FALSE(r.contains("revoked"));
  const std::string evidence = r["evidence"];
  ASSERT_TRUE(evidence.starts_with(h.publicUrl("/evidence/")));
  // The evidence id is unguessable (>= 128 bits) and finds the grant.
  const std::string id = evidence.substr(h.publicUrl("/evidence/").size());
  EXPECT_GE(id.size() * 6, 128u);
  auto rec = findEvidence(*h.store, *h.config, id, h.clock);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->client_name, "Demo <Carbon> Accounting");
  EXPECT_EQ(rec->permission, r);
  auto missing = findEvidence(*h.store, *h.config, randomToken(24), h.clock);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_EQ(findEvidence(*h.store, *h.config, "../../etc", h.clock).error().code, Errc::kNotFound);

  // tokenIssuedAt / tokenExpires follow the latest access token.
  h.clock.advance(std::chrono::seconds(100));
  ASSERT_EQ(h.refresh(Identity::kDemo, t.refresh_token).status, 200);
  Json later = permissions(h, Identity::kDemo, t.refresh_token);
  EXPECT_EQ(later["permission"]["tokenIssuedAt"], formatUtc(now + 100));
  EXPECT_EQ(later["permission"]["lastGranted"], formatUtc(now));
}

TEST(Flow, PermissionsOnlyForTheOwnerAndOnlyWithARefreshToken) {
  Harness h;
  TokenResult t = h.fullFlow();
  int status = 0;
  Json other = permissions(h, Identity::kOther, t.refresh_token, &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(errorOf(other), "invalid_grant");
  Json access = permissions(h, Identity::kDemo, t.access_token, &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(errorOf(access), "invalid_request");
  Json unknown = permissions(h, Identity::kDemo, randomToken(32), &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(unknown, other);  // the other client learns nothing more than for an unknown token
}

TEST(Flow, GrantWithoutOfflineAccessHasNoRefreshToken) {
  Harness h;
  ParResult p = h.par(Identity::kDemo);
  TokenResult t = h.redeem(Identity::kDemo, p, h.approve(p, "alice", std::string(kLicence)));
  ASSERT_EQ(t.status, 200);
  EXPECT_TRUE(t.refresh_token.empty());
  EXPECT_TRUE(t.id_token.empty());
  EXPECT_EQ(t.body["scope"], std::string(kLicence));
}

TEST(Flow, ApproveRefusesScopesThatWereNotPushed) {
  Harness h;
  ParResult p = h.par(Identity::kDemo, [](auto& f) {
    for (auto& [k, v] : f) {
      if (k == "scope") v = std::string(kLicence);
    }
  });
  auto pending = h.as->flow().lookup(p.client_id, p.request_uri);
  ASSERT_TRUE(pending);
  auto r = h.as->flow().approve(
      *pending, {.subject = "alice", .auth_time = 1, .scope = std::string(kLicence) + " openid"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(h.as->flow().lookup(p.client_id, p.request_uri));  // still pending
}

TEST(Flow, AuthorizationDetailsArePushedGrantedAndIntrospected) {
  Harness h;
  const std::string details = R"([{"type":"meter_data","meter":"m-1"}])";
  ParResult p =
      h.par(Identity::kDemo, [&](auto& f) { f.emplace_back("authorization_details", details); });
  ASSERT_EQ(p.status, 201) << p.body;
  TokenResult t = h.redeem(Identity::kDemo, p, h.approve(p));
  ASSERT_EQ(t.status, 200);
  EXPECT_EQ(jwtClaims(t.access_token)["authorization_details"][0]["meter"], "m-1");
  EXPECT_EQ(h.introspect(Identity::kDemo, t.access_token)["authorization_details"][0]["type"],
            "meter_data");
  ParResult bad = h.par(Identity::kDemo, [&](auto& f) {
    f.emplace_back("authorization_details", R"([{"type":"payment"}])");
  });
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(errorOf(bad.body), "invalid_authorization_details");
  ParResult other =
      h.par(Identity::kOther, [&](auto& f) { f.emplace_back("authorization_details", details); });
  EXPECT_EQ(other.status, 400);
}

// ------------------------------------------------------------------ revocation messages

// A client's message delivery endpoint: mTLS (the provider's certificate), answers 500 to the
// first `failures` requests, then 202.
struct Receiver {
  explicit Receiver(int failures) : remaining_failures(failures) {
    auto router = std::make_shared<net::Router>();
    router->post("/messages", [this](const net::Request& req) {
      std::lock_guard lock(mu);
      bodies.push_back(req.body);
      content_types.emplace_back(req.headers.get("content-type").value_or(""));
      client_uris.push_back(req.peer.client_cert ? *req.peer.client_cert->leaf.applicationUri()
                                                 : std::string());
      if (remaining_failures > 0) {
        --remaining_failures;
        return net::Response::text(500, "not now");
      }
      return net::Response::empty(202);
    });
    net::ListenerConfig l;
    l.name = "receiver";
    net::TlsServerConfig tls;
    net::CertificateKeyFiles pair;
    pair.chain_file = testPki().server_bundle;
    pair.key_file = testPki().server_key;
    tls.certificates.push_back(pair);
    tls.client_cert = net::ClientCertMode::kRequire;
    tls.client_ca_file = testPki().client_verify_bundle;
    l.tls = tls;
    server = std::make_unique<net::test::RunningServer>(l, router);
  }
  std::string url() const {
    return "https://localhost:" + std::to_string(server->port) + "/messages";
  }
  std::mutex mu;
  int remaining_failures;
  std::vector<std::string> bodies, content_types, client_uris;
  std::unique_ptr<net::test::RunningServer> server;
};

TEST(Flow, RevocationMessageDeliveredWithBackoffUntilAccepted) {
  Receiver receiver(2);
  Harness h({.demo_message_url = receiver.url(), .messages_ca = testPki().server_ca});
  ASSERT_NE(h.as->messageDelivery(), nullptr);
  TokenResult t = h.fullFlow();
  ASSERT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);
  ASSERT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);  // queued once only

  auto delivered = h.as->messageDelivery()->deliverDue();  // attempt 1: 500
  ASSERT_TRUE(delivered) << delivered.error().detail;
  EXPECT_EQ(*delivered, 0u);
  auto msg = h.store->outbox().find(1);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->attempts, 1);
  EXPECT_EQ(msg->next_attempt_at, h.clock.unixSeconds() + 5);
  EXPECT_EQ(msg->last_error, "HTTP 500");
  EXPECT_EQ(*h.as->messageDelivery()->deliverDue(), 0u);  // not due yet: nothing sent
  {
    std::lock_guard lock(receiver.mu);
    EXPECT_EQ(receiver.bodies.size(), 1u);
  }
  h.clock.advance(std::chrono::seconds(5));
  EXPECT_EQ(*h.as->messageDelivery()->deliverDue(), 0u);  // attempt 2: 500, next in 10 s
  EXPECT_EQ(h.store->outbox().find(1)->next_attempt_at, h.clock.unixSeconds() + 10);
  h.clock.advance(std::chrono::seconds(10));
  EXPECT_EQ(*h.as->messageDelivery()->deliverDue(), 1u);  // attempt 3: 202
  EXPECT_TRUE(h.store->outbox().find(1)->delivered_at.has_value());
  h.clock.advance(std::chrono::seconds(3600));
  EXPECT_EQ(*h.as->messageDelivery()->deliverDue(), 0u);  // delivered means done

  std::lock_guard lock(receiver.mu);
  ASSERT_EQ(receiver.bodies.size(), 3u);
  EXPECT_EQ(receiver.content_types[0], "application/json");
  EXPECT_EQ(receiver.client_uris[0], testPki().provider_id);  // mTLS with the provider's cert
  auto body = parseJsonObject(receiver.bodies[2]);
  ASSERT_TRUE(body);
  EXPECT_EQ((*body)["subject"], "https://registry.trust.ib1.org/message/revoke");
  EXPECT_EQ((*body)["ib1:message"], "https://registry.core.trust.ib1.org/trust-framework");
  EXPECT_EQ((*body)["body"]["client"], h.clientId(Identity::kDemo));
  EXPECT_EQ((*body)["body"]["account"], "alice");
  EXPECT_EQ((*body)["body"]["license"], std::string(kLicence));
  Json perm = permissions(h, Identity::kDemo, t.refresh_token);
  EXPECT_EQ((*body)["body"]["evidence"], perm["permission"]["evidence"]);
  EXPECT_EQ((*body)["body"]["revoked"], perm["permission"]["revoked"]);
}

TEST(Flow, BackgroundWorkerDeliversMessages) {
  Receiver receiver(0);
  Harness h(
      {.demo_message_url = receiver.url(), .messages_ca = testPki().server_ca, .background = true});
  TokenResult t = h.fullFlow();
  ASSERT_EQ(h.revoke(Identity::kDemo, t.refresh_token), 200);
  // The worker runs every tick (real time) and delivers when [authz.messages] poll_interval has
  // passed on the server's clock: move that clock past it, then wait (bounded) for the delivery.
  h.clock.advance(std::chrono::seconds(3));
  bool delivered = false;
  for (int i = 0; i < 100 && !delivered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto m = h.store->outbox().find(1);
    delivered = m && m->delivered_at.has_value();
  }
  EXPECT_TRUE(delivered);
}

// ------------------------------------------------------------------ logs

class CapturedLogs {
 public:
  CapturedLogs() {
    sink_ = std::make_shared<spdlog::sinks::ostream_sink_mt>(out_);
    spdlog::default_logger()->sinks().push_back(sink_);
    previous_ = spdlog::get_level();
    spdlog::set_level(spdlog::level::trace);
  }
  ~CapturedLogs() {
    auto& sinks = spdlog::default_logger()->sinks();
    std::erase(sinks, sink_);
    spdlog::set_level(previous_);
  }
  std::string text() {
    spdlog::default_logger()->flush();
    return out_.str();
  }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
  spdlog::level::level_enum previous_;
};

TEST(Flow, LogsOfAFullFlowHoldNoTokenOrCodeMaterial) {
  CapturedLogs logs;
  Harness h({.real_ui = true});
  h.addUser("carol", "a password for carol");
  ParResult p = h.par(Identity::kDemo);
  Browser browser(testPki().server_ca);
  const std::string location =
      browser.authorizeWithLogin(authorizeUrl(h, p), "carol", "a password for carol");
  const std::string code = queryOf(location)["code"];
  TokenResult t = h.redeem(Identity::kDemo, p, location);
  ASSERT_EQ(t.status, 200);
  TokenResult r = h.refresh(Identity::kDemo, t.refresh_token);
  h.introspect(Identity::kDemo, t.access_token);
  h.revoke(Identity::kDemo, t.refresh_token);
  h.redeem(Identity::kDemo, p, location);  // a replay, logged as such
  const std::string text = logs.text();
  ASSERT_FALSE(text.empty());
  const auto pieces = [](const std::string& jwt) {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t dot = jwt.find('.'); start < jwt.size();
         start = dot + 1, dot = jwt.find('.', start)) {
      out.push_back(jwt.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
    }
    return out;
  };
  std::vector<std::string> secrets = {code,
                                      t.refresh_token,
                                      p.verifier,
                                      p.request_uri.substr(34),
                                      "a password for carol",
                                      browser.cookies.begin()->second};
  for (const std::string& jwt : {t.access_token, t.id_token, r.access_token}) {
    for (const std::string& part : pieces(jwt)) {
      if (part.size() > 16) secrets.push_back(part);
    }
  }
  auto keys = h.store->keys().list();
  ASSERT_TRUE(keys);
  secrets.push_back((*keys)[0].private_pem.substr(40, 40));
  for (const std::string& s : secrets) {
    ASSERT_GE(s.size(), 16u);
    EXPECT_EQ(text.find(s), std::string::npos) << "secret material in the logs";
  }
}

// ------------------------------------------------------------------ store outage

TEST(Flow, StoreOutageIs503WithRetryAfter) {
  Harness h({.busy_timeout = std::chrono::milliseconds(200)});
  TokenResult before = h.fullFlow();
  ASSERT_EQ(before.status, 200);
  // The store is away: with SQLite another process holds the database's write lock (the server's
  // store waits its busy timeout), with Redis the redis-server is frozen (commands time out). The
  // backend is reported unavailable, which is a 503 with Retry-After, never a 500 or a wrong
  // answer; service resumes by itself once the store is back.
  sqlite3* other = nullptr;
  if (storeBackend() == StoreBackend::kSqlite) {
    ASSERT_EQ(sqlite3_open((h.dir.path() + "/state/gridgate.db").c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  } else {
    testRedis()->freeze();
  }
  ParResult p = h.par(Identity::kDemo);
  EXPECT_EQ(p.status, 503);
  EXPECT_EQ(errorOf(p.body), "temporarily_unavailable");
  auto r = h.post(Identity::kDemo, "/token",
                  {{"grant_type", "refresh_token"},
                   {"refresh_token", before.refresh_token},
                   {"client_id", h.clientId(Identity::kDemo)}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->headers.get("retry-after"), "5");
  EXPECT_EQ(r->body.find("sqlite"), std::string::npos);  // nothing internal leaks
  EXPECT_EQ(r->body.find("redis"), std::string::npos);
  if (other != nullptr) {
    ASSERT_EQ(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    EXPECT_EQ(h.par(Identity::kDemo).status, 201);
  } else {
    testRedis()->thaw();
    // The pool backs off after the failures (at most 1 s by default): retry until it answers.
    int status = 0;
    for (int i = 0; i < 40 && status != 201; ++i) {
      status = h.par(Identity::kDemo).status;
      if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(status, 201);
  }
}

}  // namespace
}  // namespace gridgate::authz::test
