// Several instances of each server sharing one Redis (issue 9, docs/deployment.md "Many
// instances"): four real `gridgate serve` processes, two with [authz] only and two with
// [resource] only, on one real redis-server (AOF, appendfsync always), driven over real TLS the
// way a load balancer spreads a client's and a browser's requests.
//
//   - a flow whose steps go to different authorization-server instances works, and both resource
//     servers serve its token;
//   - a revocation at one authorization server reaches both resource servers' warm caches within
//     1 s (measured, printed);
//   - kill -9 of one authorization server between the steps of a stream of flows: the other
//     completes them, and every code a browser received in a 303 is redeemable there;
//   - redis-server killed (and restarted on its AOF) or frozen under load: only 503 with
//     Retry-After from the authorization servers while it is away, never 500 or a wrong answer;
//     correct answers again once it is back, and the revocation bus works again.
//
// Time is real (the processes have their own clocks): every wait is a polling loop with a
// deadline.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "child.h"  // tests/sandbox: `gridgate` child processes
#include "cli/sandbox/files.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/random.h"
#include "harness.h"  // tests/authz: Browser, clientConfig, queryOf, pkcePair
#include "multi_support.h"
#include "net/form.h"
#include "pki/pki.h"
#include "redis_server.h"  // tests/store
#include "store/redis/redis_store.h"

namespace gridgate {
namespace {

using namespace std::chrono_literals;
using authz::test::Browser;
using authz::test::clientConfig;
using authz::test::queryOf;
using sandbox_test::Gridgate;
using Steady = std::chrono::steady_clock;
using Form = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "alice's multi-instance password";
// Starting an ASan build of gridgate on a loaded 2-core machine: generous.
constexpr auto kStartTimeout = 60s;

double millisSince(Steady::time_point t0) {
  return std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
}

store::test::RedisServerOptions durableRedis() {
  store::test::RedisServerOptions o;
  o.aof = true;
  o.appendfsync = "always";
  return o;
}

// One redis-server, two authorization servers (instances 0 and 1: public + mtls listeners) and
// optionally two resource servers, each a `gridgate serve` process with its own state directory.
// The configuration is the sandbox's (cli/sandbox/files.h: PKI, clients, signing key file), split
// into an [authz] file and a [resource] file over a Redis store. Both authorization servers share
// the issuer (instance 0's URL stands for the load balancer's), the signing key file and the
// CSRF key file; both resource servers share their base URL (the token audience).
class Cluster {
 public:
  explicit Cluster(bool with_resource) : with_resource_(with_resource) {}

  // Writes the files, creates the user in Redis, starts the processes and waits until they are
  // ready. Fatal failures on error.
  void start() {
    const std::vector<std::uint16_t> ports = net::test::freePorts(7);
    public_ = {ports[0], ports[1]};
    mtls_ = {ports[2], ports[3]};
    resource_ = {ports[4], ports[5]};
    const cli::sandbox::Ports sandbox_ports{public_[0], mtls_[0], resource_[0], ports[6]};
    redirect_uri = sandbox_ports.cliRedirectUri();
    issuer = sandbox_ports.issuer();

    files_ = cli::sandbox::Layout::in(tmp_.path() + "/gg");
    std::string text;
    // A short command timeout: a frozen Redis costs each request 500 ms before its 503.
    ASSERT_NO_FATAL_FAILURE(multi_test::sandboxConfigOnRedis(files_, sandbox_ports, redis.url(),
                                                             "command_timeout_ms = 500\n", &text));
    multi_test::SplitConfigs split;
    ASSERT_NO_FATAL_FAILURE(multi_test::writeSplitConfigs(text, files_.dir.string(), &split));
    authz_config_ = split.authz;
    resource_config_ = split.resource;

    const pki::Identities ids = pki::sandboxIdentities();
    client_id = ids.demo_application;
    ca = files_.pki.server.ca.string();
    client_chain = files_.pki.client_demo.bundle.string();
    client_key = files_.pki.client_demo.key.string();

    // The user of the built-in login page, in Redis (small Argon2 parameters: ASan is slow).
    ASSERT_NO_FATAL_FAILURE(multi_test::addRedisUser(redis.url(), kUser, kPassword));

    for (int i = 0; i < 2; ++i) startAuthz(i);
    for (int i = 0; i < 2; ++i) ASSERT_NO_FATAL_FAILURE(waitAuthz(i));
    if (!with_resource_) return;
    // After the authorization servers: a resource server fetches the issuer's JWKS at start.
    for (int i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i);
      rs_[idx(i)] = std::make_unique<Gridgate>(
          std::vector<std::string>{"serve", "--config", resource_config_, "--state-dir",
                                   tmp_.path() + "/state-rs" + n, "--resource-port",
                                   std::to_string(resource_[idx(i)])},
          tmp_.path() + "/rs" + n + ".log");
    }
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(rs_[idx(i)]->waitReady(
          kStartTimeout,
          "gridgate serve: ready resource=" + std::to_string(resource_[idx(i)]) + "\n"))
          << logs();
    }
  }

  // kill -9 (Gridgate's destructor sends SIGKILL and reaps the process).
  void killAuthz(int i) { as_[idx(i)].reset(); }

  std::string publicUrl(int i, const std::string& path) const {
    return "https://localhost:" + std::to_string(public_[idx(i)]) + path;
  }
  std::string mtlsUrl(int i, const std::string& path) const {
    return "https://localhost:" + std::to_string(mtls_[idx(i)]) + path;
  }
  std::string resourceUrl(int i, const std::string& path) const {
    return "https://localhost:" + std::to_string(resource_[idx(i)]) + path;
  }

  // The demo client's mTLS identity (one per thread: HttpClient is not shared).
  std::unique_ptr<net::HttpClient> client() const {
    auto c = net::HttpClient::create(clientConfig(ca, client_chain, client_key));
    return c ? std::move(*c) : nullptr;
  }

  std::string logs() const {
    std::string out;
    for (int i = 0; i < 2; ++i) {
      const std::string n = std::to_string(i);
      if (as_[idx(i)]) out += "--- authz " + n + ":\n" + as_[idx(i)]->log();
      if (rs_[idx(i)]) out += "--- resource " + n + ":\n" + rs_[idx(i)]->log();
    }
    return out;
  }

  store::test::RedisServer redis{durableRedis()};
  std::string issuer;
  std::string redirect_uri;
  std::string client_id;
  std::string ca;
  std::string client_chain;
  std::string client_key;

 private:
  static std::size_t idx(int i) { return static_cast<std::size_t>(i); }

  void startAuthz(int i) {
    const std::string n = std::to_string(i);
    as_[idx(i)] = std::make_unique<Gridgate>(
        std::vector<std::string>{"serve", "--config", authz_config_, "--state-dir",
                                 tmp_.path() + "/state-as" + n, "--public-port",
                                 std::to_string(public_[idx(i)]), "--mtls-port",
                                 std::to_string(mtls_[idx(i)])},
        tmp_.path() + "/as" + n + ".log");
  }
  void waitAuthz(int i) {
    ASSERT_TRUE(as_[idx(i)]->waitReady(
        kStartTimeout, "gridgate serve: ready public=" + std::to_string(public_[idx(i)]) +
                           " mtls=" + std::to_string(mtls_[idx(i)]) + "\n"))
        << logs();
  }

  bool with_resource_;
  net::test::TempDir tmp_;
  cli::sandbox::Layout files_;
  std::string authz_config_;
  std::string resource_config_;
  std::array<std::uint16_t, 2> public_{};
  std::array<std::uint16_t, 2> mtls_{};
  std::array<std::uint16_t, 2> resource_{};
  std::array<std::unique_ptr<Gridgate>, 2> as_{};
  std::array<std::unique_ptr<Gridgate>, 2> rs_{};
};

Result<net::ClientResponse> postForm(net::HttpClient& c, const std::string& url, const Form& f) {
  net::ClientRequest req = authz::test::request(net::Method::kPost, url, net::encodeForm(f));
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  return c.send(std::move(req));
}

Result<net::ClientResponse> getWithToken(net::HttpClient& c, const std::string& url,
                                         const std::string& access_token) {
  net::ClientRequest req = authz::test::request(net::Method::kGet, url);
  req.headers.add("Authorization", "Bearer " + access_token);
  return c.send(std::move(req));
}

std::string describe(const Result<net::ClientResponse>& r) {
  if (!r) return "no answer: " + r.error().detail;
  return std::to_string(r->status) + " " + r->body.substr(0, 300);
}

struct Tokens {
  std::string access;
  std::string refresh;
};

// POST /token (authorization_code) at authorization server `as`.
Result<Tokens> redeem(const Cluster& c, net::HttpClient& client, int as, const std::string& code,
                      const std::string& verifier) {
  auto r = postForm(client, c.mtlsUrl(as, "/token"),
                    {{"grant_type", "authorization_code"},
                     {"code", code},
                     {"redirect_uri", c.redirect_uri},
                     {"code_verifier", verifier},
                     {"client_id", c.client_id}});
  if (!r || r->status != 200) return fail(Errc::kInvalidArgument, "token: " + describe(r));
  auto body = parseJsonObject(r->body);
  if (!body) return fail(Errc::kMalformed, "token body: " + r->body);
  Tokens t;
  if (const std::string* s = jsonString(*body, "access_token")) t.access = *s;
  if (const std::string* s = jsonString(*body, "refresh_token")) t.refresh = *s;
  if (t.access.empty() || t.refresh.empty()) return fail(Errc::kMalformed, r->body);
  return t;
}

// One person's authorization through the built-in login and consent pages, one step at a time,
// each step at the authorization-server instance the caller picks (as a load balancer would).
class Flow {
 public:
  enum class Step { kPar, kAuthorize, kLogin, kConsentPage, kConsent, kDone };

  explicit Flow(const Cluster& c) : c_(c), browser_(c.ca), client_(c.client()) {}

  bool done() const { return next_ == Step::kDone; }
  // After the last step: the code the 303 delivered to the browser, and the PKCE verifier.
  const std::string& code() const { return code_; }
  const std::string& verifier() const { return verifier_; }

  // Runs the next step at authorization server `as`. kUnavailable: no answer at all (the
  // instance is gone); kInvalidArgument: an unexpected answer, described in the detail.
  Status step(int as) {
    switch (next_) {
      case Step::kPar: {
        auto [verifier, challenge] = authz::test::pkcePair();
        auto r = postForm(*client_, c_.mtlsUrl(as, "/par"),
                          {{"client_id", c_.client_id},
                           {"response_type", "code"},
                           {"redirect_uri", c_.redirect_uri},
                           {"scope", std::string(kLicence) + " offline_access"},
                           {"state", "st-" + randomToken(8)},
                           {"code_challenge", challenge},
                           {"code_challenge_method", "S256"}});
        if (!r) return fail(Errc::kUnavailable, "PAR: " + r.error().detail);
        if (r->status != 201) return fail(Errc::kInvalidArgument, "PAR: " + describe(r));
        auto body = parseJsonObject(r->body);
        const std::string* uri = body ? jsonString(*body, "request_uri") : nullptr;
        if (uri == nullptr) return fail(Errc::kInvalidArgument, "PAR body: " + r->body);
        request_uri_ = *uri;
        verifier_ = verifier;
        break;
      }
      case Step::kAuthorize: {
        auto r =
            browser_.get(c_.publicUrl(as, "/authorize?client_id=" + net::formEncode(c_.client_id) +
                                              "&request_uri=" + net::formEncode(request_uri_)));
        if (!r) return fail(Errc::kUnavailable, "authorize: " + r.error().detail);
        if (r->status != 200 || Browser::hiddenField(r->body, "csrf").empty()) {
          return fail(Errc::kInvalidArgument, "authorize: " + describe(r));
        }
        page_ = r->body;
        break;
      }
      case Step::kLogin: {
        auto r = browser_.postForm(c_.publicUrl(as, "/login"),
                                   {{"csrf", Browser::hiddenField(page_, "csrf")},
                                    {"client_id", Browser::hiddenField(page_, "client_id")},
                                    {"request_uri", Browser::hiddenField(page_, "request_uri")},
                                    {"username", std::string(kUser)},
                                    {"password", std::string(kPassword)}});
        if (!r) return fail(Errc::kUnavailable, "login: " + r.error().detail);
        const auto location = r->headers.get("location");
        if (r->status != 303 || !location) {
          return fail(Errc::kInvalidArgument, "login: " + describe(r));
        }
        // The path only: the next step may go to the other instance.
        std::string next(*location);
        if (next.starts_with("https://")) next = next.substr(next.find('/', 8));
        consent_path_ = next;
        break;
      }
      case Step::kConsentPage: {
        auto r = browser_.get(c_.publicUrl(as, consent_path_));
        if (!r) return fail(Errc::kUnavailable, "consent page: " + r.error().detail);
        if (r->status != 200 || Browser::hiddenField(r->body, "csrf").empty()) {
          return fail(Errc::kInvalidArgument, "consent page: " + describe(r));
        }
        page_ = r->body;
        break;
      }
      case Step::kConsent: {
        auto r = browser_.postForm(c_.publicUrl(as, "/consent"),
                                   {{"csrf", Browser::hiddenField(page_, "csrf")},
                                    {"client_id", Browser::hiddenField(page_, "client_id")},
                                    {"request_uri", Browser::hiddenField(page_, "request_uri")},
                                    {"decision", "allow"}});
        if (!r) return fail(Errc::kUnavailable, "consent: " + r.error().detail);
        const auto location = r->headers.get("location");
        if (r->status != 303 || !location || !location->starts_with(c_.redirect_uri)) {
          return fail(Errc::kInvalidArgument, "consent: " + describe(r));
        }
        // The 303 with the code: the grant is acknowledged to the person.
        code_ = queryOf(std::string(*location))["code"];
        if (code_.empty())
          return fail(Errc::kInvalidArgument, "no code in " + std::string(*location));
        break;
      }
      case Step::kDone:
        return fail(Errc::kInvalidArgument, "the flow is over");
    }
    next_ = static_cast<Step>(static_cast<int>(next_) + 1);
    return ok();
  }

 private:
  const Cluster& c_;
  Browser browser_;
  std::unique_ptr<net::HttpClient> client_;
  std::string verifier_;
  std::string request_uri_;
  std::string page_;
  std::string consent_path_;
  std::string code_;
  Step next_ = Step::kPar;
};

// A whole flow, its steps alternating between the two authorization servers, redeemed at
// `token_at`.
Result<Tokens> completeFlow(const Cluster& c, int token_at) {
  Flow f(c);
  for (int i = 0; !f.done(); ++i) GG_TRY(f.step(i % 2));
  auto client = c.client();
  return redeem(c, *client, token_at, f.code(), f.verifier());
}

// ---------------------------------------------------------------------------------------------

TEST(MultiInstance, FlowAcrossTwoAuthorizationServersAndTwoResourceServers) {
  Cluster c(true);
  ASSERT_NO_FATAL_FAILURE(c.start());
  auto client = c.client();
  ASSERT_TRUE(client);

  // PAR at the first, login and consent at the second, token at the first.
  Flow f(c);
  ASSERT_TRUE(f.step(0)) << c.logs();  // PAR
  for (int i = 0; i < 4; ++i) {
    const Status st = f.step(1);
    ASSERT_TRUE(st) << st.error().detail << c.logs();
  }
  ASSERT_TRUE(f.done());
  auto tokens = redeem(c, *client, 0, f.code(), f.verifier());
  ASSERT_TRUE(tokens) << tokens.error().detail << c.logs();
  EXPECT_EQ(authz::test::jwtClaims(tokens->access).value("iss", ""), c.issuer);

  // Data from both resource servers.
  for (int rs = 0; rs < 2; ++rs) {
    auto r = getWithToken(*client, c.resourceUrl(rs, "/datasources"), tokens->access);
    ASSERT_TRUE(r && r->status == 200)
        << "resource server " << rs << ": " << describe(r) << c.logs();
    auto body = parseJson(r->body);
    ASSERT_TRUE(body) << r->body;
    EXPECT_FALSE(body->empty()) << r->body;
  }

  // The code was single use across instances: the second instance refuses it.
  auto again = redeem(c, *client, 1, f.code(), f.verifier());
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().detail.find("invalid_grant"), std::string::npos) << again.error().detail;
}

TEST(MultiInstance, RevocationReachesBothWarmResourceServersWithinOneSecond) {
  Cluster c(true);
  ASSERT_NO_FATAL_FAILURE(c.start());
  auto client = c.client();
  ASSERT_TRUE(client);
  auto revoked = completeFlow(c, 0);
  ASSERT_TRUE(revoked) << revoked.error().detail << c.logs();
  auto kept = completeFlow(c, 1);
  ASSERT_TRUE(kept) << kept.error().detail << c.logs();

  // Both resource servers answer both tokens: their validation caches are warm.
  for (int rs = 0; rs < 2; ++rs) {
    for (const std::string& token : {revoked->access, kept->access, revoked->access}) {
      auto r = getWithToken(*client, c.resourceUrl(rs, "/datasources"), token);
      ASSERT_TRUE(r && r->status == 200) << rs << ": " << describe(r) << c.logs();
    }
  }

  // Revoke the grant (its refresh token) at the first authorization server.
  const auto t0 = Steady::now();
  auto rv = postForm(*client, c.mtlsUrl(0, "/revoke"),
                     {{"token", revoked->refresh},
                      {"token_type_hint", "refresh_token"},
                      {"client_id", c.client_id}});
  ASSERT_TRUE(rv && rv->status == 200) << describe(rv);
  const double revoke_ms = millisSince(t0);

  // Poll both resource servers until each refuses the token. The deadline is far above the
  // bound asserted below, so that a slow propagation is measured rather than cut short.
  std::array<double, 2> refused_ms = {-1, -1};
  const auto deadline = t0 + 10s;
  while ((refused_ms[0] < 0 || refused_ms[1] < 0) && Steady::now() < deadline) {
    for (std::size_t rs = 0; rs < 2; ++rs) {
      if (refused_ms[rs] >= 0) continue;
      auto r = getWithToken(*client, c.resourceUrl(static_cast<int>(rs), "/datasources"),
                            revoked->access);
      ASSERT_TRUE(r) << describe(r);
      if (r->status == 401) {
        refused_ms[rs] = millisSince(t0);
        const auto challenge = r->headers.get("www-authenticate");
        ASSERT_TRUE(challenge);
        EXPECT_NE(challenge->find("invalid_token"), std::string::npos) << *challenge;
      } else {
        ASSERT_EQ(r->status, 200) << describe(r);
      }
    }
    if (refused_ms[0] < 0 || refused_ms[1] < 0) std::this_thread::sleep_for(5ms);
  }
  const double latency_ms = std::max(refused_ms[0], refused_ms[1]);
  std::cout << "revocation: /revoke answered in " << revoke_ms
            << " ms; refused by resource server 0 after " << refused_ms[0]
            << " ms, by resource server 1 after " << refused_ms[1]
            << " ms (from sending /revoke)\n";
  RecordProperty("revocation_latency_ms", std::to_string(latency_ms));
  ASSERT_GE(refused_ms[0], 0) << "resource server 0 still accepts the revoked token" << c.logs();
  ASSERT_GE(refused_ms[1], 0) << "resource server 1 still accepts the revoked token" << c.logs();
  EXPECT_LT(latency_ms, 1000.0);

  // Only that grant: the other token is still served by both.
  for (int rs = 0; rs < 2; ++rs) {
    auto r = getWithToken(*client, c.resourceUrl(rs, "/datasources"), kept->access);
    ASSERT_TRUE(r && r->status == 200) << rs << ": " << describe(r);
  }
}

TEST(MultiInstance, Kill9OfOneAuthorizationServerLosesNoAcknowledgedGrant) {
  Cluster c(false);
  ASSERT_NO_FATAL_FAILURE(c.start());

  std::mutex mu;
  struct Acknowledged {
    std::string code;
    std::string verifier;
  };
  std::vector<Acknowledged> acknowledged;  // every code a browser received, under mu
  std::atomic<bool> dead0{false};          // instance 0 was killed (the balancer's view)
  std::atomic<bool> stop{false};
  std::atomic<int> stream_acks{0};
  std::atomic<int> stream_acks_after_kill{0};
  std::atomic<int> abandoned{0};
  std::string abandoned_detail;  // under mu

  // A stream of flows in the background, each step at the other instance than the last; a step
  // that gets no answer from instance 0 is sent to instance 1 instead (what nginx does for a
  // dead upstream). A flow whose request was in flight when instance 0 died may end in an error
  // (its request URI consumed, say): it was never acknowledged, and is counted.
  std::thread stream([&] {
    int n = 0;
    while (!stop) {
      Flow f(c);
      bool failed = false;
      while (!f.done() && !failed) {
        const int as = dead0 ? 1 : (n++ % 2);
        Status st = f.step(as);
        if (!st && st.error().code == Errc::kUnavailable && as == 0) st = f.step(1);
        if (!st) {
          failed = true;
          ++abandoned;
          std::lock_guard lock(mu);
          abandoned_detail += st.error().detail + "\n";
        }
      }
      if (failed) continue;
      std::lock_guard lock(mu);
      acknowledged.push_back({f.code(), f.verifier()});
      ++stream_acks;
      if (dead0) ++stream_acks_after_kill;
    }
  });
  const auto waitFor = [&](const std::atomic<int>& counter, int n) {
    const auto deadline = Steady::now() + 30s;
    while (counter < n && Steady::now() < deadline) std::this_thread::sleep_for(10ms);
    return counter >= n;
  };
  const auto stopStream = [&] {
    stop = true;
    stream.join();
  };

  EXPECT_TRUE(waitFor(stream_acks, 2)) << c.logs();

  // In the foreground, six flows in lock step, flow j starting at round j and alternating
  // instances; after round 4 the flows are at every stage (one acknowledged by instance 0 a
  // moment before, the others after PAR, after login, at the consent page...) when instance 0
  // is killed. Their remaining steps go to instance 1.
  constexpr int kFlows = 6;
  std::vector<std::unique_ptr<Flow>> flows;
  for (int j = 0; j < kFlows; ++j) flows.push_back(std::make_unique<Flow>(c));
  constexpr int kKillAfterRound = 4;
  for (int round = 0; round < 20; ++round) {
    bool all_done = true;
    for (int j = 0; j < kFlows && round >= j; ++j) {
      Flow& f = *flows[static_cast<std::size_t>(j)];
      if (f.done()) continue;
      const int as = dead0 ? 1 : (round + j) % 2;
      const Status st = f.step(as);
      if (!st) {
        stopStream();
        FAIL() << "flow " << j << " round " << round << " at " << as << ": " << st.error().detail
               << c.logs();
      }
      all_done = all_done && f.done();
    }
    if (round == kKillAfterRound) {
      c.killAuthz(0);
      dead0 = true;
    }
    if (round >= kFlows && all_done) break;
  }
  for (const auto& f : flows) {
    EXPECT_TRUE(f->done());
    if (!f->done()) continue;
    std::lock_guard lock(mu);
    acknowledged.push_back({f->code(), f->verifier()});
  }
  // The stream goes on at the survivor for a while.
  EXPECT_TRUE(waitFor(stream_acks_after_kill, 2)) << c.logs();
  stopStream();

  // Every code acknowledged to a browser, by either instance, before or after the kill, is
  // redeemed at the survivor.
  auto client = c.client();
  ASSERT_TRUE(client);
  int redeemed = 0;
  for (const Acknowledged& a : acknowledged) {
    auto t = redeem(c, *client, 1, a.code, a.verifier);
    EXPECT_TRUE(t) << t.error().detail;
    if (t) ++redeemed;
  }
  std::cout << "kill -9: " << acknowledged.size() << " acknowledged codes (" << stream_acks
            << " from the background stream, " << stream_acks_after_kill
            << " of them after the kill), " << redeemed << " redeemed at the survivor, "
            << abandoned << " flows abandoned\n";
  EXPECT_EQ(redeemed, static_cast<int>(acknowledged.size()));
  // Only a request in flight at the moment of the kill can fail, and the stream has one at a time.
  EXPECT_LE(abandoned, 1) << abandoned_detail;
}

// What one request of the load must get: the right answer, or 503 with Retry-After.
enum class Verdict { kCorrect, kUnavailable, kWrong };

struct Outcome {
  int op = 0;
  int sent_in = 0;  // the outage phase when the request was sent / answered
  int answered_in = 0;
  Verdict verdict = Verdict::kWrong;
  std::string detail;
};

TEST(MultiInstance, RedisOutageGivesOnly503AndServiceResumes) {
  Cluster c(true);
  ASSERT_NO_FATAL_FAILURE(c.start());
  auto setup = c.client();
  ASSERT_TRUE(setup);
  auto tokens = completeFlow(c, 0);
  ASSERT_TRUE(tokens) << tokens.error().detail << c.logs();

  // The load: PAR, introspection of a live token and the token endpoint with an unknown code at
  // both authorization servers; the data route at both resource servers.
  constexpr int kOps = 8;
  const auto opName = [](int op) {
    static const char* const names[] = {"PAR@0",   "PAR@1",   "introspect@0", "introspect@1",
                                        "token@0", "token@1", "data@rs0",     "data@rs1"};
    return std::string(names[op]);
  };
  const auto run = [&](net::HttpClient& client, int op) {
    const int i = op % 2;
    Result<net::ClientResponse> r = fail(Errc::kInternal, "no request");
    switch (op / 2) {
      case 0: {
        const auto [verifier, challenge] = authz::test::pkcePair();
        r = postForm(client, c.mtlsUrl(i, "/par"),
                     {{"client_id", c.client_id},
                      {"response_type", "code"},
                      {"redirect_uri", c.redirect_uri},
                      {"scope", std::string(kLicence)},
                      {"code_challenge", challenge},
                      {"code_challenge_method", "S256"}});
        break;
      }
      case 1:
        r = postForm(client, c.mtlsUrl(i, "/introspect"),
                     {{"token", tokens->access}, {"client_id", c.client_id}});
        break;
      case 2:
        r = postForm(client, c.mtlsUrl(i, "/token"),
                     {{"grant_type", "authorization_code"},
                      {"code", "unknown-" + randomToken(16)},
                      {"redirect_uri", c.redirect_uri},
                      {"code_verifier", randomToken(32)},
                      {"client_id", c.client_id}});
        break;
      default:
        r = getWithToken(client, c.resourceUrl(i, "/datasources"), tokens->access);
        break;
    }
    Outcome o;
    o.op = op;
    o.detail = opName(op) + ": " + describe(r);
    if (!r) return o;
    if (r->status == 503) {
      o.verdict = r->headers.get("retry-after") ? Verdict::kUnavailable : Verdict::kWrong;
      return o;
    }
    auto body = parseJson(r->body);
    bool correct = false;
    switch (op / 2) {
      case 0:
        correct = r->status == 201 && body && jsonString(*body, "request_uri") != nullptr;
        break;
      case 1:
        correct = r->status == 200 && body && body->value("active", false);
        break;
      case 2:
        correct = r->status == 400 && body && body->value("error", "") == "invalid_grant";
        break;
      default:
        correct = r->status == 200 && body;
        break;
    }
    o.verdict = correct ? Verdict::kCorrect : Verdict::kWrong;
    return o;
  };

  // Phases. A request counts as sent and answered while Redis was away only when both happened
  // between the end of a kill (or freeze) and the start of the restart (or thaw): the phases in
  // between mark the transitions, whose requests may go either way.
  enum Phase : int {
    kUp,
    kKilling,
    kKilled,
    kRestarting,
    kRestarted,
    kFreezing,
    kFrozen,
    kThawing,
    kThawed,
    kPhases
  };
  static const char* const kPhaseNames[] = {"up",         "killing",   "killed",
                                            "restarting", "restarted", "freezing",
                                            "frozen",     "thawing",   "thawed"};
  std::atomic<int> phase{kUp};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<Outcome> outcomes;
  std::vector<std::thread> load;
  for (int t = 0; t < 2; ++t) {
    load.emplace_back([&, t] {
      auto client = c.client();
      for (int k = 0; !stop; ++k) {
        const int op = (2 * k + t) % kOps;
        const int sent = phase;
        Outcome o = run(*client, op);
        o.sent_in = sent;
        o.answered_in = phase;
        std::lock_guard lock(mu);
        outcomes.push_back(std::move(o));
      }
    });
  }
  const auto stopLoad = [&] {
    stop = true;
    for (std::thread& t : load) t.join();
    load.clear();
  };
  // Waits until every authorization-server operation has had `n` requests sent and answered
  // within `in` (or a deadline passes).
  const auto waitForOutcomes = [&](int in, int n) {
    const auto deadline = Steady::now() + 30s;
    while (Steady::now() < deadline) {
      std::array<int, kOps> count{};
      {
        std::lock_guard lock(mu);
        for (const Outcome& o : outcomes) {
          if (o.sent_in == in && o.answered_in == in) ++count[static_cast<std::size_t>(o.op)];
        }
      }
      bool enough = true;
      for (int op = 0; op < 6; ++op) enough = enough && count[static_cast<std::size_t>(op)] >= n;
      if (enough) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  };
  // Polls PAR at both instances until both answer 201 again: the time it took.
  const auto waitForRecovery = [&](Steady::time_point since) {
    auto client = c.client();
    std::array<bool, 2> back = {false, false};
    const auto deadline = Steady::now() + 20s;
    while (!(back[0] && back[1]) && Steady::now() < deadline) {
      for (int i = 0; i < 2; ++i) {
        if (!back[static_cast<std::size_t>(i)]) {
          back[static_cast<std::size_t>(i)] = run(*client, i).verdict == Verdict::kCorrect;
        }
      }
      if (!(back[0] && back[1])) std::this_thread::sleep_for(20ms);
    }
    return back[0] && back[1] ? millisSince(since) : -1.0;
  };

  EXPECT_TRUE(waitForOutcomes(kUp, 2)) << c.logs();

  // redis-server killed, then restarted on the same port and AOF.
  phase = kKilling;
  c.redis.kill9();
  phase = kKilled;
  EXPECT_TRUE(waitForOutcomes(kKilled, 3)) << c.logs();
  phase = kRestarting;
  const bool restarted = c.redis.start();
  phase = kRestarted;
  if (!restarted) {
    stopLoad();
    FAIL() << "redis-server does not restart";
  }
  const double killed_recovery_ms = waitForRecovery(Steady::now());
  EXPECT_GE(killed_recovery_ms, 0) << c.logs();

  // redis-server frozen (connections open, no answers: every call waits for its timeout).
  phase = kFreezing;
  c.redis.freeze();
  phase = kFrozen;
  EXPECT_TRUE(waitForOutcomes(kFrozen, 2)) << c.logs();
  phase = kThawing;
  c.redis.thaw();
  phase = kThawed;
  const double frozen_recovery_ms = waitForRecovery(Steady::now());
  EXPECT_GE(frozen_recovery_ms, 0) << c.logs();
  stopLoad();

  // Never a 500 or a wrong answer; while Redis was away (sent and answered), only 503 from the
  // authorization servers, and the resource servers kept serving the token (JWT, no Redis).
  std::array<int, kPhases> unavailable{};
  std::array<int, kPhases> requests{};
  int wrong = 0;
  std::string wrong_detail;
  for (const Outcome& o : outcomes) {
    const bool within = o.sent_in == o.answered_in;
    const bool away = within && (o.sent_in == kKilled || o.sent_in == kFrozen);
    const bool resource = o.op >= 6;
    bool bad = o.verdict == Verdict::kWrong;
    if (away && !resource) bad = bad || o.verdict != Verdict::kUnavailable;
    if (away && resource) bad = bad || o.verdict != Verdict::kCorrect;
    if (within) ++requests[static_cast<std::size_t>(o.sent_in)];
    if (within && o.verdict == Verdict::kUnavailable) {
      ++unavailable[static_cast<std::size_t>(o.sent_in)];
    }
    if (bad) {
      ++wrong;
      if (wrong <= 10) {
        wrong_detail += std::string("sent ") + kPhaseNames[o.sent_in] + ", answered " +
                        kPhaseNames[o.answered_in] + ": " + o.detail + "\n";
      }
    }
  }
  std::cout << "redis outage: " << outcomes.size() << " requests; 503s / requests sent and "
            << "answered within each phase:";
  for (std::size_t p = 0; p < unavailable.size(); ++p) {
    std::cout << " " << kPhaseNames[p] << " " << unavailable[p] << "/" << requests[p];
  }
  std::cout << "; service back " << killed_recovery_ms << " ms after the restart, "
            << frozen_recovery_ms << " ms after the thaw\n";
  EXPECT_EQ(wrong, 0) << wrong_detail << c.logs();
  EXPECT_EQ(unavailable[kUp], 0);
  EXPECT_GT(unavailable[kKilled], 0);
  EXPECT_GT(unavailable[kFrozen], 0);

  // Afterwards: every operation answers correctly, the token issued before the outage is still
  // active (AOF), a new flow works, and the revocation bus works again: a revocation reaches both
  // resource servers (their subscribers reconnected).
  for (int op = 0; op < kOps; ++op) {
    const Outcome o = run(*setup, op);
    EXPECT_EQ(o.verdict, Verdict::kCorrect) << o.detail;
  }
  auto after = completeFlow(c, 1);
  ASSERT_TRUE(after) << after.error().detail << c.logs();
  for (int rs = 0; rs < 2; ++rs) {
    auto r = getWithToken(*setup, c.resourceUrl(rs, "/datasources"), after->access);
    ASSERT_TRUE(r && r->status == 200) << describe(r);
  }
  auto rv = postForm(*setup, c.mtlsUrl(1, "/revoke"),
                     {{"token", after->refresh},
                      {"token_type_hint", "refresh_token"},
                      {"client_id", c.client_id}});
  ASSERT_TRUE(rv && rv->status == 200) << describe(rv);
  for (int rs = 0; rs < 2; ++rs) {
    int status = 0;
    const auto deadline = Steady::now() + 10s;
    while (status != 401 && Steady::now() < deadline) {
      auto r = getWithToken(*setup, c.resourceUrl(rs, "/datasources"), after->access);
      status = r ? r->status : -1;
      if (status != 401) std::this_thread::sleep_for(20ms);
    }
    EXPECT_EQ(status, 401) << "resource server " << rs << " after the outage" << c.logs();
  }
}

}  // namespace
}  // namespace gridgate
