#include "store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <latch>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gridgate::store {

// Readable failure output for the records (gtest would print their bytes).
void PrintTo(const ParRecord& r, std::ostream* os) {
  *os << "ParRecord{client_id=" << r.client_id << ", expires_at=" << r.expires_at
      << ", consumed=" << r.consumed << "}";
}
void PrintTo(const CodeRecord& r, std::ostream* os) {
  *os << "CodeRecord{client_id=" << r.client_id << ", grant_id=" << r.grant_id
      << ", expires_at=" << r.expires_at << "}";
}
void PrintTo(const Grant& g, std::ostream* os) {
  *os << "Grant{id=" << g.id << ", subject=" << g.subject << ", granted_at=" << g.granted_at
      << ", revoked_at=" << (g.revoked_at ? std::to_string(*g.revoked_at) : "none") << "}";
}
void PrintTo(const RefreshRecord& r, std::ostream* os) {
  *os << "RefreshRecord{grant_id=" << r.grant_id
      << ", rotated_at=" << (r.rotated_at ? std::to_string(*r.rotated_at) : "none") << "}";
}
void PrintTo(const AccessTokenRecord& r, std::ostream* os) {
  *os << "AccessTokenRecord{jti=" << r.jti << ", revoked=" << r.revoked << "}";
}
void PrintTo(const User& u, std::ostream* os) {
  *os << "User{username=" << u.username << ", subject=" << u.subject << "}";
}
void PrintTo(const Session& s, std::ostream* os) {
  *os << "Session{subject=" << s.subject << ", expires_at=" << s.expires_at << "}";
}
void PrintTo(const OutboxMessage& m, std::ostream* os) {
  *os << "OutboxMessage{id=" << m.id << ", attempts=" << m.attempts
      << ", next_attempt_at=" << m.next_attempt_at
      << ", delivered_at=" << (m.delivered_at ? std::to_string(*m.delivered_at) : "none") << "}";
}
void PrintTo(const SigningKey& k, std::ostream* os) {
  *os << "SigningKey{kid=" << k.kid
      << ", retired_at=" << (k.retired_at ? std::to_string(*k.retired_at) : "none") << "}";
}

namespace conformance {

std::string backendName(const ::testing::TestParamInfo<BackendParam>& info) {
  return info.param.name;
}

void StoreConformanceTest::SetUp() {
  backend_ = GetParam().make();
  auto opened = backend_->open();
  ASSERT_TRUE(opened.has_value()) << opened.error().detail;
  store_ = std::move(*opened);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  backend_.reset();
}

void StoreConformanceTest::reopen() {
  if (!backend_->durable()) GTEST_SKIP() << "backend " << GetParam().name << " is not durable";
  store_.reset();
  auto opened = backend_->reopen();
  ASSERT_TRUE(opened.has_value()) << opened.error().detail;
  store_ = std::move(*opened);
}

namespace {

#define ASSERT_OK(expr)                                                                           \
  do {                                                                                            \
    auto gg_status = (expr);                                                                      \
    ASSERT_TRUE(gg_status.has_value())                                                            \
        << #expr << ": " << errcName(gg_status.error().code) << ": " << gg_status.error().detail; \
  } while (false)

#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                                  \
  auto GG_CONCAT(gg_result_, __LINE__) = (expr);                                         \
  ASSERT_TRUE(GG_CONCAT(gg_result_, __LINE__).has_value())                               \
      << #expr << ": " << errcName(GG_CONCAT(gg_result_, __LINE__).error().code) << ": " \
      << GG_CONCAT(gg_result_, __LINE__).error().detail;                                 \
  lhs = std::move(*GG_CONCAT(gg_result_, __LINE__))

#define EXPECT_ERRC(expr, errc)                                                                   \
  do {                                                                                            \
    auto gg_result = (expr);                                                                      \
    if (gg_result.has_value()) {                                                                  \
      ADD_FAILURE() << #expr << " succeeded; expected " << errcName(errc);                        \
    } else {                                                                                      \
      EXPECT_EQ(gg_result.error().code, errc)                                                     \
          << #expr << ": " << errcName(gg_result.error().code) << " (expected " << errcName(errc) \
          << "): " << gg_result.error().detail;                                                   \
    }                                                                                             \
  } while (false)

constexpr std::int64_t kNow = 1'700'000'000;
constexpr std::int64_t kDay = 24 * 60 * 60;
constexpr int kThreads = 8;
constexpr int kRounds = 20;

// Values that a careless backend would mangle: non-ASCII, an embedded NUL, quotes, SQL and Lua
// syntax, and a large JSON document.
std::string awkwardText() {
  std::string s = "na\xc3\xafve \xe2\x82\xac 'quoted' \"double\" ; DROP TABLE x; -- \\ %s {}";
  s.push_back('\0');
  s += "after-nul";
  return s;
}

std::string largeJson() {
  std::string s = "[";
  for (int i = 0; i < 4000; ++i) s += "{\"type\":\"x\",\"n\":" + std::to_string(i) + "},";
  s += "{}]";
  return s;
}

ParRecord makePar(std::int64_t expires_at = kNow + 60) {
  return ParRecord{.client_id = "https://client.example/app",
                   .redirect_uri = "https://client.example/cb",
                   .scope = "https://licence.example/l1 offline_access",
                   .state = "state-" + awkwardText(),
                   .nonce = "n-1",
                   .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                   .authorization_details = largeJson(),
                   .created_at = kNow,
                   .expires_at = expires_at,
                   .consumed = false};
}

Grant makeGrant(std::string id, std::string subject = "sub-alice", std::int64_t granted_at = kNow,
                std::int64_t expires_at = kNow + 365 * kDay) {
  return Grant{.id = id,
               .evidence_id = "ev-" + id,
               .client_id = "https://client.example/app",
               .subject = std::move(subject),
               .scope = "https://licence.example/l1 offline_access",
               .authorization_details = "",
               .granted_at = granted_at,
               .expires_at = expires_at,
               .data_available_from = kNow - 30 * kDay,
               .token_issued_at = 0,
               .token_expires_at = 0,
               .revoked_at = std::nullopt};
}

CodeRecord makeCode(std::string grant_id, std::int64_t expires_at = kNow + 60) {
  return CodeRecord{.client_id = "https://client.example/app",
                    .redirect_uri = "https://client.example/cb",
                    .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                    .scope = "https://licence.example/l1",
                    .nonce = awkwardText(),
                    .subject = "sub-alice",
                    .grant_id = std::move(grant_id),
                    .auth_time = kNow - 5,
                    .created_at = kNow,
                    .expires_at = expires_at};
}

RefreshRecord makeRefresh(std::string grant_id, std::int64_t expires_at = kNow + 90 * kDay) {
  return RefreshRecord{.grant_id = std::move(grant_id),
                       .client_id = "https://client.example/app",
                       .cert_thumbprint = "x5t-thumb",
                       .scope = "https://licence.example/l1 offline_access",
                       .created_at = kNow,
                       .expires_at = expires_at,
                       .rotated_at = std::nullopt};
}

AccessTokenRecord makeAccess(std::string jti, std::string grant_id, std::int64_t issued_at = kNow,
                             std::int64_t expires_at = kNow + 600) {
  return AccessTokenRecord{.jti = std::move(jti),
                           .grant_id = std::move(grant_id),
                           .client_id = "https://client.example/app",
                           .issued_at = issued_at,
                           .expires_at = expires_at,
                           .revoked = false};
}

User makeUser(std::string username, std::string subject) {
  return User{.username = std::move(username),
              .subject = std::move(subject),
              .password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
              .display_name = "Display " + awkwardText(),
              .created_at = kNow};
}

OutboxMessage makeMessage(std::string client_id, std::int64_t next_attempt_at = kNow) {
  return OutboxMessage{.id = 0,
                       .client_id = std::move(client_id),
                       .url = "https://client.example/messages",
                       .body = R"({"ib1:message":"https://registry.trust.ib1.org/message/revoke"})",
                       .attempts = 0,
                       .created_at = kNow,
                       .next_attempt_at = next_attempt_at,
                       .delivered_at = std::nullopt,
                       .last_error = ""};
}

SigningKey makeKey(std::string kid, std::int64_t created_at = kNow) {
  return SigningKey{
      .kid = std::move(kid),
      .alg = "ES256",
      .private_pem = "-----BEGIN PRIVATE KEY-----\nMIG...\n-----END PRIVATE KEY-----\n",
      .created_at = created_at,
      .activates_at = created_at + 3600,
      .retired_at = std::nullopt};
}

// Runs fn(thread_index) on kThreads threads released together, and returns their results.
template <class Fn>
auto race(Fn fn) {
  using R = decltype(fn(0));
  std::vector<std::optional<R>> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      results[static_cast<std::size_t>(i)].emplace(fn(i));
    });
  }
  for (auto& t : threads) t.join();
  std::vector<R> out;
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

// A race of single-use calls: exactly one succeeded, every other one is kAlreadyUsed.
template <class R>
void expectOneWinner(const std::vector<R>& results, int round) {
  int winners = 0;
  for (const auto& r : results) {
    if (r) {
      ++winners;
    } else {
      EXPECT_EQ(r.error().code, Errc::kAlreadyUsed) << r.error().detail;
    }
  }
  EXPECT_EQ(winners, 1) << "round " << round;
}

// ---------------------------------------------------------------------------------------------
// Store

TEST_P(StoreConformanceTest, Healthy) { EXPECT_TRUE(store().healthy()); }

// ---------------------------------------------------------------------------------------------
// ParStore

TEST_P(StoreConformanceTest, ParCreateFindRoundTrip) {
  const ParRecord par = makePar();
  ASSERT_OK(store().pars().create("uri-hash-1", par));
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-hash-1"));
  EXPECT_EQ(found, par);
  EXPECT_EQ(found.state, par.state);  // the embedded NUL survived
  EXPECT_EQ(found.authorization_details.size(), par.authorization_details.size());
}

TEST_P(StoreConformanceTest, ParEmptyStringsRoundTrip) {
  ParRecord par = makePar();
  par.state.clear();
  par.nonce.clear();
  par.authorization_details.clear();
  ASSERT_OK(store().pars().create("uri-hash-empty", par));
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-hash-empty"));
  EXPECT_EQ(found, par);
}

TEST_P(StoreConformanceTest, ParCreateDuplicateIsConflictAndKeepsOriginal) {
  const ParRecord par = makePar();
  ASSERT_OK(store().pars().create("uri-hash-1", par));
  ParRecord other = makePar();
  other.client_id = "https://attacker.example/app";
  EXPECT_ERRC(store().pars().create("uri-hash-1", other), Errc::kConflict);
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-hash-1"));
  EXPECT_EQ(found.client_id, par.client_id);
}

TEST_P(StoreConformanceTest, ParFindUnknownIsNotFound) {
  EXPECT_ERRC(store().pars().find("no-such-hash"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, ParConsumeOnce) {
  const ParRecord par = makePar();
  ASSERT_OK(store().pars().create("uri-hash-1", par));
  ASSERT_OK_AND_ASSIGN(ParRecord consumed, store().pars().consume("uri-hash-1", kNow));
  ParRecord expected = par;
  expected.consumed = true;
  EXPECT_EQ(consumed, expected);
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-hash-1"));
  EXPECT_TRUE(found.consumed);
  EXPECT_ERRC(store().pars().consume("uri-hash-1", kNow), Errc::kAlreadyUsed);
  EXPECT_ERRC(store().pars().consume("uri-hash-1", kNow + 1), Errc::kAlreadyUsed);
}

TEST_P(StoreConformanceTest, ParConsumeExpiredLeavesItUnconsumed) {
  ASSERT_OK(store().pars().create("uri-hash-1", makePar(kNow + 60)));
  EXPECT_ERRC(store().pars().consume("uri-hash-1", kNow + 60), Errc::kExpired);  // the boundary
  EXPECT_ERRC(store().pars().consume("uri-hash-1", kNow + 61), Errc::kExpired);
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-hash-1"));
  EXPECT_FALSE(found.consumed);
  // One second before expiry it is still consumable: the failed attempts changed nothing.
  ASSERT_OK(store().pars().consume("uri-hash-1", kNow + 59));
}

TEST_P(StoreConformanceTest, ParConsumedThenExpiredIsAlreadyUsed) {
  ASSERT_OK(store().pars().create("uri-hash-1", makePar(kNow + 60)));
  ASSERT_OK(store().pars().consume("uri-hash-1", kNow));
  EXPECT_ERRC(store().pars().consume("uri-hash-1", kNow + 3600), Errc::kAlreadyUsed);
}

TEST_P(StoreConformanceTest, ParConsumeUnknownIsNotFound) {
  EXPECT_ERRC(store().pars().consume("no-such-hash", kNow), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, ParConsumeConcurrentHasOneWinner) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "uri-race-" + std::to_string(round);
    ASSERT_OK(store().pars().create(hash, makePar()));
    auto results = race([&](int) { return store().pars().consume(hash, kNow); });
    expectOneWinner(results, round);
  }
}

// ---------------------------------------------------------------------------------------------
// CodeStore

TEST_P(StoreConformanceTest, CodeRedeemFirstUseThenReplays) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  const CodeRecord code = makeCode("g1");
  ASSERT_OK(store().codes().create("code-hash-1", code));
  ASSERT_OK_AND_ASSIGN(CodeRedemption first, store().codes().redeem("code-hash-1"));
  EXPECT_TRUE(first.first_use);
  EXPECT_EQ(first.record, code);
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(CodeRedemption again, store().codes().redeem("code-hash-1"));
    EXPECT_FALSE(again.first_use);
    EXPECT_EQ(again.record, code);  // the replay still names the grant to revoke
  }
}

TEST_P(StoreConformanceTest, CodeRedeemUnknownIsNotFound) {
  EXPECT_ERRC(store().codes().redeem("no-such-code"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, CodeCreateDuplicateIsConflict) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().codes().create("code-hash-1", makeCode("g1")));
  EXPECT_ERRC(store().codes().create("code-hash-1", makeCode("g1")), Errc::kConflict);
}

TEST_P(StoreConformanceTest, CodeForUnknownGrantIsNotFound) {
  EXPECT_ERRC(store().codes().create("code-hash-1", makeCode("no-such-grant")), Errc::kNotFound);
  EXPECT_ERRC(store().codes().redeem("code-hash-1"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, CodeExpiredIsStillRedeemedOnce) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().codes().create("code-hash-1", makeCode("g1", kNow - 1)));
  ASSERT_OK_AND_ASSIGN(CodeRedemption first, store().codes().redeem("code-hash-1"));
  EXPECT_TRUE(first.first_use);
  EXPECT_EQ(first.record.expires_at, kNow - 1);
  ASSERT_OK_AND_ASSIGN(CodeRedemption second, store().codes().redeem("code-hash-1"));
  EXPECT_FALSE(second.first_use);
}

TEST_P(StoreConformanceTest, CodeRedeemConcurrentHasOneFirstUse) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "code-race-" + std::to_string(round);
    ASSERT_OK(store().codes().create(hash, makeCode("g1")));
    auto results = race([&](int) { return store().codes().redeem(hash); });
    int first_uses = 0;
    for (const auto& r : results) {
      ASSERT_TRUE(r.has_value()) << r.error().detail;
      if (r->first_use) ++first_uses;
    }
    EXPECT_EQ(first_uses, 1) << "round " << round;
  }
}

TEST_P(StoreConformanceTest, CodeFindDoesNotRedeem) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  const CodeRecord code = makeCode("g1");
  ASSERT_OK(store().codes().create("code-hash-1", code));
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(CodeRedemption found, store().codes().find("code-hash-1"));
    EXPECT_TRUE(found.first_use);
    EXPECT_EQ(found.record, code);
  }
  ASSERT_OK_AND_ASSIGN(CodeRedemption first, store().codes().redeem("code-hash-1"));
  EXPECT_TRUE(first.first_use);
  ASSERT_OK_AND_ASSIGN(CodeRedemption after, store().codes().find("code-hash-1"));
  EXPECT_FALSE(after.first_use);
  EXPECT_EQ(after.record, code);
  EXPECT_ERRC(store().codes().find("no-such-code"), Errc::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Store::approve

namespace {

Approval makeApproval(std::string uri_hash, std::string grant_id, std::string code_hash,
                      std::string evidence_id = {}) {
  Approval a;
  a.uri_hash = std::move(uri_hash);
  a.now = kNow;
  a.grant = makeGrant(grant_id);
  if (!evidence_id.empty()) a.grant.evidence_id = std::move(evidence_id);
  a.code_hash = std::move(code_hash);
  a.code = makeCode(std::move(grant_id));
  return a;
}

}  // namespace

TEST_P(StoreConformanceTest, ApproveWritesEverythingOnce) {
  const ParRecord par = makePar();
  ASSERT_OK(store().pars().create("uri-1", par));
  const Approval approval = makeApproval("uri-1", "g1", "code-1");
  ASSERT_OK_AND_ASSIGN(ParRecord consumed, store().approve(approval));
  ParRecord expected = par;
  expected.consumed = true;
  EXPECT_EQ(consumed, expected);
  ASSERT_OK_AND_ASSIGN(ParRecord found, store().pars().find("uri-1"));
  EXPECT_TRUE(found.consumed);
  ASSERT_OK_AND_ASSIGN(Grant grant, store().grants().find("g1"));
  EXPECT_EQ(grant, approval.grant);
  ASSERT_OK_AND_ASSIGN(Grant by_evidence,
                       store().grants().findByEvidence(approval.grant.evidence_id));
  EXPECT_EQ(by_evidence.id, "g1");
  ASSERT_OK_AND_ASSIGN(std::vector<Grant> listed,
                       store().grants().listBySubject(approval.grant.subject));
  EXPECT_EQ(listed.size(), 1U);
  ASSERT_OK_AND_ASSIGN(CodeRedemption code, store().codes().find("code-1"));
  EXPECT_TRUE(code.first_use);
  EXPECT_EQ(code.record, approval.code);

  // The request is used up: a second approval is kAlreadyUsed and writes nothing.
  EXPECT_ERRC(store().approve(makeApproval("uri-1", "g2", "code-2")), Errc::kAlreadyUsed);
  EXPECT_ERRC(store().grants().find("g2"), Errc::kNotFound);
  EXPECT_ERRC(store().codes().find("code-2"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, ApproveErrorsWriteNothing) {
  ASSERT_OK(store().pars().create("uri-1", makePar()));
  ASSERT_OK(store().pars().create("uri-expired", makePar(kNow)));
  ASSERT_OK(store().grants().create(makeGrant("g-taken")));
  ASSERT_OK(store().codes().create("code-taken", makeCode("g-taken")));

  EXPECT_ERRC(store().approve(makeApproval("no-such-uri", "g1", "code-1")), Errc::kNotFound);
  EXPECT_ERRC(store().approve(makeApproval("uri-expired", "g1", "code-1")), Errc::kExpired);
  EXPECT_ERRC(store().approve(makeApproval("uri-1", "g-taken", "code-1")), Errc::kConflict);
  EXPECT_ERRC(
      store().approve(makeApproval("uri-1", "g1", "code-1", makeGrant("g-taken").evidence_id)),
      Errc::kConflict);
  EXPECT_ERRC(store().approve(makeApproval("uri-1", "g1", "code-taken")), Errc::kConflict);
  Approval orphan = makeApproval("uri-1", "g1", "code-1");
  orphan.code.grant_id = "no-such-grant";
  EXPECT_ERRC(store().approve(orphan), Errc::kNotFound);

  // Nothing of the failed calls: the request unconsumed, no grant g1, no code-1.
  ASSERT_OK_AND_ASSIGN(ParRecord par, store().pars().find("uri-1"));
  EXPECT_FALSE(par.consumed);
  ASSERT_OK_AND_ASSIGN(ParRecord expired, store().pars().find("uri-expired"));
  EXPECT_FALSE(expired.consumed);
  EXPECT_ERRC(store().grants().find("g1"), Errc::kNotFound);
  EXPECT_ERRC(store().codes().find("code-1"), Errc::kNotFound);
  ASSERT_OK(store().approve(makeApproval("uri-1", "g1", "code-1")));
}

TEST_P(StoreConformanceTest, ApproveConcurrentHasOneWinner) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string uri = "uri-race-" + std::to_string(round);
    ASSERT_OK(store().pars().create(uri, makePar()));
    auto results = race([&](int i) {
      const std::string tag = std::to_string(round) + "-" + std::to_string(i);
      return store().approve(makeApproval(uri, "g-" + tag, "code-" + tag, "ev-" + tag));
    });
    expectOneWinner(results, round);
  }
}

// ---------------------------------------------------------------------------------------------
// Store::issueTokens

namespace {

TokenIssue makeIssue(std::string code_hash, std::string jti, std::string refresh_hash,
                     std::string grant_id = "g1") {
  TokenIssue t;
  t.code_hash = std::move(code_hash);
  t.access_token = makeAccess(std::move(jti), grant_id, kNow + 5, kNow + 305);
  t.refresh_hash = std::move(refresh_hash);
  if (!t.refresh_hash.empty()) t.refresh = makeRefresh(grant_id);
  return t;
}

}  // namespace

TEST_P(StoreConformanceTest, IssueTokensWritesEverythingOnce) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().codes().create("code-1", makeCode("g1")));
  const TokenIssue issue = makeIssue("code-1", "jti-1", "rt-1");
  ASSERT_OK(store().issueTokens(issue));

  // The access token itself is not stored: not even as revoked.
  ASSERT_OK_AND_ASSIGN(bool revoked, store().accessTokens().isRevoked("jti-1"));
  EXPECT_FALSE(revoked);
  ASSERT_OK_AND_ASSIGN(RefreshRecord refresh, store().refreshTokens().find("rt-1"));
  EXPECT_EQ(refresh, issue.refresh);
  ASSERT_OK_AND_ASSIGN(Grant grant, store().grants().find("g1"));
  EXPECT_EQ(grant.token_issued_at, kNow + 5);
  EXPECT_EQ(grant.token_expires_at, kNow + 305);
  ASSERT_OK_AND_ASSIGN(CodeRedemption code, store().codes().find("code-1"));
  EXPECT_FALSE(code.first_use);

  // The same code again: kAlreadyUsed, and nothing of the second issue is stored.
  TokenIssue second = makeIssue("code-1", "jti-2", "rt-2");
  second.access_token.issued_at = kNow + 7;
  EXPECT_ERRC(store().issueTokens(second), Errc::kAlreadyUsed);
  ASSERT_OK_AND_ASSIGN(Grant unchanged, store().grants().find("g1"));
  EXPECT_EQ(unchanged.token_issued_at, kNow + 5);
  EXPECT_ERRC(store().refreshTokens().find("rt-2"), Errc::kNotFound);
  // A redeemed code stays redeemed: redeem() after issueTokens() is a replay.
  ASSERT_OK_AND_ASSIGN(CodeRedemption replay, store().codes().redeem("code-1"));
  EXPECT_FALSE(replay.first_use);
}

TEST_P(StoreConformanceTest, IssueTokensWithoutCodeOrRefresh) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().issueTokens(makeIssue("", "jti-1", "")));
  TokenIssue later = makeIssue("", "jti-2", "");
  later.access_token.issued_at = kNow + 9;
  later.access_token.expires_at = kNow + 309;
  ASSERT_OK(store().issueTokens(later));
  // The grant shows the latest token.
  ASSERT_OK_AND_ASSIGN(Grant grant, store().grants().find("g1"));
  EXPECT_EQ(grant.token_issued_at, kNow + 9);
  EXPECT_EQ(grant.token_expires_at, kNow + 309);
}

TEST_P(StoreConformanceTest, IssueTokensErrorsWriteNothing) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().codes().create("code-1", makeCode("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-taken", makeRefresh("g1")));

  EXPECT_ERRC(store().issueTokens(makeIssue("no-such-code", "jti-1", "rt-1")), Errc::kNotFound);
  EXPECT_ERRC(store().issueTokens(makeIssue("code-1", "jti-1", "rt-1", "no-such-grant")),
              Errc::kNotFound);
  EXPECT_ERRC(store().issueTokens(makeIssue("code-1", "jti-1", "rt-taken")), Errc::kConflict);

  // None of the failed calls used the code, stored a token or touched the grant.
  ASSERT_OK_AND_ASSIGN(CodeRedemption code, store().codes().find("code-1"));
  EXPECT_TRUE(code.first_use);
  EXPECT_ERRC(store().refreshTokens().find("rt-1"), Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(Grant grant, store().grants().find("g1"));
  EXPECT_EQ(grant.token_issued_at, makeGrant("g1").token_issued_at);
  ASSERT_OK(store().issueTokens(makeIssue("code-1", "jti-1", "rt-1")));
}

TEST_P(StoreConformanceTest, IssueTokensConcurrentHasOneWinner) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  for (int round = 0; round < kRounds; ++round) {
    const std::string hash = "code-race-" + std::to_string(round);
    ASSERT_OK(store().codes().create(hash, makeCode("g1")));
    auto results = race([&](int i) {
      const std::string tag = std::to_string(round) + "-" + std::to_string(i);
      return store().issueTokens(makeIssue(hash, "jti-" + tag, "rt-" + tag));
    });
    expectOneWinner(results, round);
    // The winner's refresh token and no other.
    std::size_t stored = 0;
    for (std::size_t i = 0; i < results.size(); ++i) {
      const std::string tag = std::to_string(round) + "-" + std::to_string(i);
      if (store().refreshTokens().find("rt-" + tag)) ++stored;
    }
    EXPECT_EQ(stored, 1U) << "round " << round;
  }
}

// ---------------------------------------------------------------------------------------------
// GrantStore

TEST_P(StoreConformanceTest, GrantCreateFindRoundTrip) {
  Grant grant = makeGrant("g1");
  grant.authorization_details = largeJson();
  grant.scope = awkwardText();
  ASSERT_OK(store().grants().create(grant));
  ASSERT_OK_AND_ASSIGN(Grant found, store().grants().find("g1"));
  EXPECT_EQ(found, grant);
  EXPECT_FALSE(found.revoked_at.has_value());

  Grant revoked = makeGrant("g2");
  revoked.revoked_at = kNow + 5;
  ASSERT_OK(store().grants().create(revoked));
  ASSERT_OK_AND_ASSIGN(Grant found2, store().grants().find("g2"));
  EXPECT_EQ(found2, revoked);
}

TEST_P(StoreConformanceTest, GrantFindByEvidence) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().grants().create(makeGrant("g2")));
  ASSERT_OK_AND_ASSIGN(Grant found, store().grants().findByEvidence("ev-g2"));
  EXPECT_EQ(found.id, "g2");
  EXPECT_ERRC(store().grants().findByEvidence("g2"), Errc::kNotFound);  // an id is not evidence
}

TEST_P(StoreConformanceTest, GrantDuplicateIdOrEvidenceIsConflict) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  EXPECT_ERRC(store().grants().create(makeGrant("g1")), Errc::kConflict);
  Grant same_evidence = makeGrant("g2");
  same_evidence.evidence_id = "ev-g1";
  EXPECT_ERRC(store().grants().create(same_evidence), Errc::kConflict);
  EXPECT_ERRC(store().grants().find("g2"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, GrantUnknownIsNotFound) {
  EXPECT_ERRC(store().grants().find("nope"), Errc::kNotFound);
  EXPECT_ERRC(store().grants().findByEvidence("nope"), Errc::kNotFound);
  EXPECT_ERRC(store().grants().recordTokenIssued("nope", kNow, kNow + 600), Errc::kNotFound);
  EXPECT_ERRC(store().grants().revoke("nope", kNow), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, GrantRecordTokenIssued) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().grants().recordTokenIssued("g1", kNow + 10, kNow + 610));
  ASSERT_OK(store().grants().recordTokenIssued("g1", kNow + 20, kNow + 620));
  ASSERT_OK_AND_ASSIGN(Grant found, store().grants().find("g1"));
  EXPECT_EQ(found.token_issued_at, kNow + 20);
  EXPECT_EQ(found.token_expires_at, kNow + 620);
  Grant expected = makeGrant("g1");
  expected.token_issued_at = kNow + 20;
  expected.token_expires_at = kNow + 620;
  EXPECT_EQ(found, expected);  // nothing else changed
}

TEST_P(StoreConformanceTest, GrantRevokeReturnsTrueOnce) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK_AND_ASSIGN(bool first, store().grants().revoke("g1", kNow + 100));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool second, store().grants().revoke("g1", kNow + 200));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(Grant found, store().grants().find("g1"));
  EXPECT_EQ(found.revoked_at, kNow + 100);  // the first revocation time is kept
}

TEST_P(StoreConformanceTest, GrantCreatedRevokedCannotBeRevokedAgain) {
  Grant grant = makeGrant("g1");
  grant.revoked_at = kNow;
  ASSERT_OK(store().grants().create(grant));
  ASSERT_OK_AND_ASSIGN(bool revoked, store().grants().revoke("g1", kNow + 1));
  EXPECT_FALSE(revoked);
}

TEST_P(StoreConformanceTest, GrantRevokeAndNotifyQueuesOnce) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  const OutboxMessage notify = makeMessage("https://client.example/app", kNow + 100);
  ASSERT_OK_AND_ASSIGN(bool first, store().grants().revokeAndNotify("g1", kNow + 100, notify));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool second, store().grants().revokeAndNotify("g1", kNow + 101, notify));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(bool third, store().grants().revoke("g1", kNow + 102));
  EXPECT_FALSE(third);
  ASSERT_OK_AND_ASSIGN(auto due, store().outbox().due(kNow + 1000, 100));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].body, notify.body);
  EXPECT_EQ(due[0].client_id, notify.client_id);
  EXPECT_EQ(due[0].next_attempt_at, kNow + 100);
  ASSERT_OK_AND_ASSIGN(Grant found, store().grants().find("g1"));
  EXPECT_EQ(found.revoked_at, kNow + 100);
}

TEST_P(StoreConformanceTest, GrantRevokeAndNotifyUnknownQueuesNothing) {
  EXPECT_ERRC(store().grants().revokeAndNotify("nope", kNow, makeMessage("c")), Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto due, store().outbox().due(kNow + 1000, 100));
  EXPECT_TRUE(due.empty());
}

TEST_P(StoreConformanceTest, GrantRevokeAfterRevokeQueuesNothing) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK_AND_ASSIGN(bool first, store().grants().revoke("g1", kNow));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool second, store().grants().revokeAndNotify("g1", kNow, makeMessage("c")));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(auto due, store().outbox().due(kNow + 1000, 100));
  EXPECT_TRUE(due.empty());
}

TEST_P(StoreConformanceTest, GrantRevokeConcurrentHasOneWinnerAndOneMessage) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string id = "g-race-" + std::to_string(round);
    ASSERT_OK(store().grants().create(makeGrant(id)));
    auto results = race([&](int i) {
      return i % 2 == 0 ? store().grants().revokeAndNotify(id, kNow + i, makeMessage(id))
                        : store().grants().revoke(id, kNow + i);
    });
    int winners = 0;
    for (const auto& r : results) {
      ASSERT_TRUE(r.has_value()) << r.error().detail;
      if (*r) ++winners;
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
  // Each round queued at most one message; exactly the rounds won by revokeAndNotify did.
  ASSERT_OK_AND_ASSIGN(auto due, store().outbox().due(kNow + 1000, 1000));
  std::map<std::string, int> per_grant;
  for (const auto& m : due) ++per_grant[m.client_id];
  for (const auto& [id, count] : per_grant) EXPECT_EQ(count, 1) << id;
}

TEST_P(StoreConformanceTest, GrantListBySubject) {
  ASSERT_OK(store().grants().create(makeGrant("g-c", "sub-alice", kNow + 20)));
  ASSERT_OK(store().grants().create(makeGrant("g-a", "sub-alice", kNow + 10)));
  ASSERT_OK(store().grants().create(makeGrant("g-b", "sub-alice", kNow + 10)));
  ASSERT_OK(store().grants().create(makeGrant("g-bob", "sub-bob", kNow)));
  Grant expired = makeGrant("g-old", "sub-alice", kNow - 400 * kDay, kNow - 35 * kDay);
  ASSERT_OK(store().grants().create(expired));
  ASSERT_OK_AND_ASSIGN(bool revoked, store().grants().revoke("g-c", kNow + 30));
  ASSERT_TRUE(revoked);

  ASSERT_OK_AND_ASSIGN(auto alice, store().grants().listBySubject("sub-alice"));
  std::vector<std::string> ids;
  for (const auto& g : alice) ids.push_back(g.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"g-old", "g-a", "g-b", "g-c"}));
  EXPECT_EQ(alice.back().revoked_at, kNow + 30);

  ASSERT_OK_AND_ASSIGN(auto nobody, store().grants().listBySubject("sub-nobody"));
  EXPECT_TRUE(nobody.empty());
}

// ---------------------------------------------------------------------------------------------
// RefreshTokenStore

TEST_P(StoreConformanceTest, RefreshCreateFindRoundTrip) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  const RefreshRecord refresh = makeRefresh("g1");
  ASSERT_OK(store().refreshTokens().create("rt-1", refresh));
  ASSERT_OK_AND_ASSIGN(RefreshRecord found, store().refreshTokens().find("rt-1"));
  EXPECT_EQ(found, refresh);

  RefreshRecord rotated = makeRefresh("g1");
  rotated.rotated_at = kNow + 7;
  rotated.cert_thumbprint = "";
  ASSERT_OK(store().refreshTokens().create("rt-2", rotated));
  ASSERT_OK_AND_ASSIGN(RefreshRecord found2, store().refreshTokens().find("rt-2"));
  EXPECT_EQ(found2, rotated);
}

TEST_P(StoreConformanceTest, RefreshCreateErrors) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-1", makeRefresh("g1")));
  EXPECT_ERRC(store().refreshTokens().create("rt-1", makeRefresh("g1")), Errc::kConflict);
  EXPECT_ERRC(store().refreshTokens().create("rt-2", makeRefresh("nope")), Errc::kNotFound);
  EXPECT_ERRC(store().refreshTokens().find("rt-2"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, RefreshRotate) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-old", makeRefresh("g1")));
  RefreshRecord next = makeRefresh("g1");
  next.created_at = kNow + 100;
  next.rotated_at = kNow + 5;  // ignored: a new token is not rotated
  ASSERT_OK(store().refreshTokens().rotate("rt-old", kNow + 100, "rt-new", next));

  ASSERT_OK_AND_ASSIGN(RefreshRecord old_record, store().refreshTokens().find("rt-old"));
  EXPECT_EQ(old_record.rotated_at, kNow + 100);
  ASSERT_OK_AND_ASSIGN(RefreshRecord new_record, store().refreshTokens().find("rt-new"));
  EXPECT_FALSE(new_record.rotated_at.has_value());
  EXPECT_EQ(new_record.created_at, kNow + 100);

  // The new token rotates in turn.
  ASSERT_OK(store().refreshTokens().rotate("rt-new", kNow + 200, "rt-newer", makeRefresh("g1")));
}

TEST_P(StoreConformanceTest, RefreshRotateTwiceIsAlreadyUsedAndStoresNothing) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-old", makeRefresh("g1")));
  ASSERT_OK(store().refreshTokens().rotate("rt-old", kNow + 100, "rt-new-1", makeRefresh("g1")));
  EXPECT_ERRC(store().refreshTokens().rotate("rt-old", kNow + 101, "rt-new-2", makeRefresh("g1")),
              Errc::kAlreadyUsed);
  EXPECT_ERRC(store().refreshTokens().find("rt-new-2"), Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(RefreshRecord old_record, store().refreshTokens().find("rt-old"));
  EXPECT_EQ(old_record.rotated_at, kNow + 100);  // the first rotation time is kept
}

TEST_P(StoreConformanceTest, RefreshRotateUnknownIsNotFound) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  EXPECT_ERRC(store().refreshTokens().rotate("nope", kNow, "rt-new", makeRefresh("g1")),
              Errc::kNotFound);
  EXPECT_ERRC(store().refreshTokens().find("rt-new"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, RefreshRotateFailureChangesNothing) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-old", makeRefresh("g1")));
  ASSERT_OK(store().refreshTokens().create("rt-taken", makeRefresh("g1")));
  EXPECT_ERRC(store().refreshTokens().rotate("rt-old", kNow, "rt-taken", makeRefresh("g1")),
              Errc::kConflict);
  EXPECT_ERRC(store().refreshTokens().rotate("rt-old", kNow, "rt-new", makeRefresh("nope")),
              Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(RefreshRecord old_record, store().refreshTokens().find("rt-old"));
  EXPECT_FALSE(old_record.rotated_at.has_value());
  ASSERT_OK(store().refreshTokens().rotate("rt-old", kNow, "rt-new", makeRefresh("g1")));
}

TEST_P(StoreConformanceTest, RefreshRotateConcurrentHasOneWinner) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  for (int round = 0; round < kRounds; ++round) {
    const std::string old_hash = "rt-race-" + std::to_string(round);
    ASSERT_OK(store().refreshTokens().create(old_hash, makeRefresh("g1")));
    auto results = race([&](int i) {
      return store().refreshTokens().rotate(
          old_hash, kNow + i, old_hash + "-next-" + std::to_string(i), makeRefresh("g1"));
    });
    int winners = 0;
    int winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      const auto& r = results[static_cast<std::size_t>(i)];
      if (r) {
        ++winners;
        winner = i;
      } else {
        EXPECT_EQ(r.error().code, Errc::kAlreadyUsed) << r.error().detail;
      }
    }
    ASSERT_EQ(winners, 1) << "round " << round;
    for (int i = 0; i < kThreads; ++i) {
      auto next = store().refreshTokens().find(old_hash + "-next-" + std::to_string(i));
      EXPECT_EQ(next.has_value(), i == winner) << "round " << round << " thread " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AccessTokenStore

TEST_P(StoreConformanceTest, AccessTokenRevokeAndCheck) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  ASSERT_OK_AND_ASSIGN(bool before, store().accessTokens().isRevoked("jti-1"));
  EXPECT_FALSE(before);
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-1", "g1")));
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-1", "g1")));  // twice is fine
  ASSERT_OK_AND_ASSIGN(bool after, store().accessTokens().isRevoked("jti-1"));
  EXPECT_TRUE(after);
  // Only that token.
  ASSERT_OK_AND_ASSIGN(bool other, store().accessTokens().isRevoked("jti-2"));
  EXPECT_FALSE(other);
  ASSERT_OK_AND_ASSIGN(bool empty, store().accessTokens().isRevoked(""));
  EXPECT_FALSE(empty);
}

TEST_P(StoreConformanceTest, AccessTokenRevokeNeedsTheGrant) {
  EXPECT_ERRC(store().accessTokens().revoke(makeAccess("jti-1", "nope")), Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool revoked, store().accessTokens().isRevoked("jti-1"));
  EXPECT_FALSE(revoked);
}

// ---------------------------------------------------------------------------------------------
// UserStore

TEST_P(StoreConformanceTest, UserCreateFind) {
  const User alice = makeUser("alice", "sub-alice");
  ASSERT_OK(store().users().create(alice));
  ASSERT_OK_AND_ASSIGN(User by_name, store().users().findByUsername("alice"));
  EXPECT_EQ(by_name, alice);
  ASSERT_OK_AND_ASSIGN(User by_subject, store().users().findBySubject("sub-alice"));
  EXPECT_EQ(by_subject, alice);
  EXPECT_ERRC(store().users().findByUsername("sub-alice"), Errc::kNotFound);
  EXPECT_ERRC(store().users().findBySubject("alice"), Errc::kNotFound);
  EXPECT_ERRC(store().users().findByUsername("Alice"), Errc::kNotFound);  // exact match
}

TEST_P(StoreConformanceTest, UserDuplicateUsernameOrSubjectIsConflict) {
  ASSERT_OK(store().users().create(makeUser("alice", "sub-alice")));
  EXPECT_ERRC(store().users().create(makeUser("alice", "sub-other")), Errc::kConflict);
  EXPECT_ERRC(store().users().create(makeUser("mallory", "sub-alice")), Errc::kConflict);
  ASSERT_OK_AND_ASSIGN(auto users, store().users().list());
  EXPECT_EQ(users.size(), 1u);
}

TEST_P(StoreConformanceTest, UserListAndRemove) {
  ASSERT_OK_AND_ASSIGN(auto empty, store().users().list());
  EXPECT_TRUE(empty.empty());
  ASSERT_OK(store().users().create(makeUser("carol", "sub-carol")));
  ASSERT_OK(store().users().create(makeUser("alice", "sub-alice")));
  ASSERT_OK(store().users().create(makeUser("bob", "sub-bob")));
  ASSERT_OK_AND_ASSIGN(auto users, store().users().list());
  std::vector<std::string> names;
  for (const auto& u : users) names.push_back(u.username);
  EXPECT_EQ(names, (std::vector<std::string>{"alice", "bob", "carol"}));

  ASSERT_OK(store().users().remove("bob"));
  EXPECT_ERRC(store().users().remove("bob"), Errc::kNotFound);
  EXPECT_ERRC(store().users().findByUsername("bob"), Errc::kNotFound);
  EXPECT_ERRC(store().users().findBySubject("sub-bob"), Errc::kNotFound);
  // The name and the subject are free again.
  ASSERT_OK(store().users().create(makeUser("bob", "sub-bob")));
}

// ---------------------------------------------------------------------------------------------
// SessionStore

TEST_P(StoreConformanceTest, SessionCreateFindRemove) {
  const Session session{.subject = "sub-alice", .auth_time = kNow, .expires_at = kNow + 3600};
  ASSERT_OK(store().sessions().create("sess-1", session));
  EXPECT_ERRC(store().sessions().create("sess-1", session), Errc::kConflict);
  ASSERT_OK_AND_ASSIGN(Session found, store().sessions().find("sess-1"));
  EXPECT_EQ(found, session);
  ASSERT_OK(store().sessions().remove("sess-1"));
  EXPECT_ERRC(store().sessions().find("sess-1"), Errc::kNotFound);
  ASSERT_OK(store().sessions().remove("sess-1"));  // logging out twice is fine
  ASSERT_OK(store().sessions().remove("never-existed"));
}

TEST_P(StoreConformanceTest, SessionExpiredIsFoundUntilSwept) {
  const Session session{.subject = "sub-alice", .auth_time = kNow - 7200, .expires_at = kNow};
  ASSERT_OK(store().sessions().create("sess-1", session));
  ASSERT_OK_AND_ASSIGN(Session found, store().sessions().find("sess-1"));
  EXPECT_EQ(found.expires_at, kNow);  // the caller checks expiry
  ASSERT_OK_AND_ASSIGN(std::size_t removed, store().sweep(kNow));
  EXPECT_EQ(removed, 1u);
  EXPECT_ERRC(store().sessions().find("sess-1"), Errc::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// ReplayStore

TEST_P(StoreConformanceTest, ReplayRememberOnce) {
  ASSERT_OK_AND_ASSIGN(bool first, store().replays().remember("jti:abc", kNow + 60));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool second, store().replays().remember("jti:abc", kNow + 60));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(bool later, store().replays().remember("jti:abc", kNow + 600));
  EXPECT_FALSE(later);  // a longer expiry does not make it new
  ASSERT_OK_AND_ASSIGN(bool other, store().replays().remember("jti:abd", kNow + 60));
  EXPECT_TRUE(other);
  ASSERT_OK_AND_ASSIGN(bool binary, store().replays().remember(awkwardText(), kNow + 60));
  EXPECT_TRUE(binary);
  ASSERT_OK_AND_ASSIGN(bool binary_again, store().replays().remember(awkwardText(), kNow + 60));
  EXPECT_FALSE(binary_again);
}

TEST_P(StoreConformanceTest, ReplayForgottenOnlyAfterSweep) {
  ASSERT_OK_AND_ASSIGN(bool first, store().replays().remember("jti:abc", kNow + 60));
  ASSERT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(std::size_t none, store().sweep(kNow + 59));
  EXPECT_EQ(none, 0u);
  ASSERT_OK_AND_ASSIGN(bool still_seen, store().replays().remember("jti:abc", kNow + 120));
  EXPECT_FALSE(still_seen);
  ASSERT_OK_AND_ASSIGN(std::size_t removed, store().sweep(kNow + 60));
  EXPECT_EQ(removed, 1u);
  ASSERT_OK_AND_ASSIGN(bool fresh, store().replays().remember("jti:abc", kNow + 120));
  EXPECT_TRUE(fresh);
}

TEST_P(StoreConformanceTest, ReplayRememberConcurrentHasOneWinner) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "jti:race-" + std::to_string(round);
    auto results = race([&](int) { return store().replays().remember(key, kNow + 60); });
    int winners = 0;
    for (const auto& r : results) {
      ASSERT_TRUE(r.has_value()) << r.error().detail;
      if (*r) ++winners;
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
}

// ---------------------------------------------------------------------------------------------
// Outbox

TEST_P(StoreConformanceTest, OutboxEnqueueFind) {
  OutboxMessage message = makeMessage("client-a");
  message.id = 999;             // ignored
  message.delivered_at = kNow;  // ignored
  message.attempts = 2;
  message.last_error = "HTTP 503";
  ASSERT_OK_AND_ASSIGN(std::int64_t id1, store().outbox().enqueue(message));
  ASSERT_OK_AND_ASSIGN(std::int64_t id2, store().outbox().enqueue(makeMessage("client-b")));
  ASSERT_OK_AND_ASSIGN(std::int64_t id3, store().outbox().enqueue(makeMessage("client-c")));
  EXPECT_GT(id1, 0);
  EXPECT_LT(id1, id2);
  EXPECT_LT(id2, id3);
  ASSERT_OK_AND_ASSIGN(OutboxMessage found, store().outbox().find(id1));
  OutboxMessage expected = message;
  expected.id = id1;
  expected.delivered_at = std::nullopt;
  EXPECT_EQ(found, expected);
}

TEST_P(StoreConformanceTest, OutboxDueFiltersOrdersAndLimits) {
  ASSERT_OK_AND_ASSIGN(std::int64_t later,
                       store().outbox().enqueue(makeMessage("later", kNow + 100)));
  ASSERT_OK_AND_ASSIGN(std::int64_t a, store().outbox().enqueue(makeMessage("a", kNow)));
  ASSERT_OK_AND_ASSIGN(std::int64_t b, store().outbox().enqueue(makeMessage("b", kNow - 50)));
  ASSERT_OK_AND_ASSIGN(std::int64_t c, store().outbox().enqueue(makeMessage("c", kNow - 10)));
  ASSERT_OK_AND_ASSIGN(std::int64_t delivered, store().outbox().enqueue(makeMessage("d", kNow)));
  ASSERT_OK(store().outbox().markDelivered(delivered, kNow));

  auto ids = [](const std::vector<OutboxMessage>& ms) {
    std::vector<std::int64_t> out;
    for (const auto& m : ms) out.push_back(m.id);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto due, store().outbox().due(kNow, 100));
  EXPECT_EQ(ids(due), (std::vector<std::int64_t>{a, b, c}));  // oldest (lowest id) first
  ASSERT_OK_AND_ASSIGN(auto two, store().outbox().due(kNow, 2));
  EXPECT_EQ(ids(two), (std::vector<std::int64_t>{a, b}));
  ASSERT_OK_AND_ASSIGN(auto none, store().outbox().due(kNow, 0));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(auto early, store().outbox().due(kNow - 11, 100));
  EXPECT_EQ(ids(early), (std::vector<std::int64_t>{b}));
  ASSERT_OK_AND_ASSIGN(auto all_due, store().outbox().due(kNow + 100, 100));
  EXPECT_EQ(ids(all_due), (std::vector<std::int64_t>{later, a, b, c}));
  // due() only reads: asking again answers the same.
  ASSERT_OK_AND_ASSIGN(auto again, store().outbox().due(kNow, 100));
  EXPECT_EQ(ids(again), (std::vector<std::int64_t>{a, b, c}));
}

TEST_P(StoreConformanceTest, OutboxRescheduleAndDeliver) {
  ASSERT_OK_AND_ASSIGN(std::int64_t id, store().outbox().enqueue(makeMessage("a", kNow)));
  ASSERT_OK(store().outbox().reschedule(id, 1, kNow + 30, "HTTP 500"));
  ASSERT_OK_AND_ASSIGN(OutboxMessage after, store().outbox().find(id));
  EXPECT_EQ(after.attempts, 1);
  EXPECT_EQ(after.next_attempt_at, kNow + 30);
  EXPECT_EQ(after.last_error, "HTTP 500");
  ASSERT_OK_AND_ASSIGN(auto not_yet, store().outbox().due(kNow + 29, 10));
  EXPECT_TRUE(not_yet.empty());
  ASSERT_OK_AND_ASSIGN(auto now_due, store().outbox().due(kNow + 30, 10));
  ASSERT_EQ(now_due.size(), 1u);
  EXPECT_EQ(now_due[0].attempts, 1);

  ASSERT_OK(store().outbox().markDelivered(id, kNow + 31));
  ASSERT_OK(store().outbox().markDelivered(id, kNow + 99));  // the first time is kept
  ASSERT_OK_AND_ASSIGN(OutboxMessage delivered, store().outbox().find(id));
  EXPECT_EQ(delivered.delivered_at, kNow + 31);
  EXPECT_EQ(delivered.last_error, "HTTP 500");  // history for operators
  ASSERT_OK_AND_ASSIGN(auto gone, store().outbox().due(kNow + 1000, 10));
  EXPECT_TRUE(gone.empty());
}

TEST_P(StoreConformanceTest, OutboxUnknownIsNotFound) {
  EXPECT_ERRC(store().outbox().find(12345), Errc::kNotFound);
  EXPECT_ERRC(store().outbox().markDelivered(12345, kNow), Errc::kNotFound);
  EXPECT_ERRC(store().outbox().reschedule(12345, 1, kNow, "x"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, OutboxClaimLeases) {
  ASSERT_OK_AND_ASSIGN(std::int64_t a, store().outbox().enqueue(makeMessage("a", kNow - 5)));
  ASSERT_OK_AND_ASSIGN(std::int64_t b, store().outbox().enqueue(makeMessage("b", kNow)));
  ASSERT_OK_AND_ASSIGN(std::int64_t c, store().outbox().enqueue(makeMessage("c", kNow)));
  ASSERT_OK_AND_ASSIGN(std::int64_t later, store().outbox().enqueue(makeMessage("l", kNow + 5)));

  ASSERT_OK_AND_ASSIGN(auto claimed, store().outbox().claim(kNow, 2, kNow + 60));
  ASSERT_EQ(claimed.size(), 2u);
  EXPECT_EQ(claimed[0].id, a);
  EXPECT_EQ(claimed[1].id, b);
  EXPECT_EQ(claimed[0].next_attempt_at, kNow + 60);
  EXPECT_EQ(claimed[0].client_id, "a");

  // A second worker gets what is left.
  ASSERT_OK_AND_ASSIGN(auto rest, store().outbox().claim(kNow, 10, kNow + 60));
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, c);
  ASSERT_OK_AND_ASSIGN(auto nothing, store().outbox().claim(kNow, 10, kNow + 60));
  EXPECT_TRUE(nothing.empty());

  // The worker of `a` delivers it; the worker of `b` dies: b is due again when the lease ends.
  ASSERT_OK(store().outbox().markDelivered(a, kNow + 1));
  ASSERT_OK(store().outbox().reschedule(c, 1, kNow + 120, "timeout"));
  ASSERT_OK_AND_ASSIGN(auto before_lease, store().outbox().due(kNow + 59, 10));
  ASSERT_EQ(before_lease.size(), 1u);
  EXPECT_EQ(before_lease[0].id, later);
  ASSERT_OK_AND_ASSIGN(auto at_lease, store().outbox().claim(kNow + 60, 10, kNow + 200));
  ASSERT_EQ(at_lease.size(), 2u);
  EXPECT_EQ(at_lease[0].id, b);
  EXPECT_EQ(at_lease[1].id, later);
}

TEST_P(StoreConformanceTest, OutboxClaimConcurrentNeverTwice) {
  constexpr int kMessages = 60;
  std::set<std::int64_t> enqueued;
  for (int i = 0; i < kMessages; ++i) {
    ASSERT_OK_AND_ASSIGN(std::int64_t id, store().outbox().enqueue(makeMessage("m", kNow)));
    enqueued.insert(id);
  }
  auto results = race([&](int) {
    std::vector<std::int64_t> mine;
    for (;;) {
      auto batch = store().outbox().claim(kNow, 3, kNow + 60);
      if (!batch) return Result<std::vector<std::int64_t>>(fail(batch.error()));
      if (batch->empty()) return Result<std::vector<std::int64_t>>(mine);
      for (const auto& m : *batch) mine.push_back(m.id);
    }
  });
  std::multiset<std::int64_t> claimed;
  for (const auto& r : results) {
    ASSERT_TRUE(r.has_value()) << r.error().detail;
    claimed.insert(r->begin(), r->end());
  }
  EXPECT_EQ(claimed.size(), enqueued.size());
  EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()), enqueued);
}

// ---------------------------------------------------------------------------------------------
// KeyStore

TEST_P(StoreConformanceTest, KeysAddListRetire) {
  ASSERT_OK_AND_ASSIGN(auto empty, store().keys().list());
  EXPECT_TRUE(empty.empty());
  const SigningKey k2 = makeKey("kid-2", kNow + 10);
  SigningKey k1 = makeKey("kid-1", kNow);
  k1.alg = "PS256";
  const SigningKey k3 = makeKey("kid-0", kNow + 10);
  ASSERT_OK(store().keys().add(k2));
  ASSERT_OK(store().keys().add(k1));
  ASSERT_OK(store().keys().add(k3));
  EXPECT_ERRC(store().keys().add(makeKey("kid-1")), Errc::kConflict);
  ASSERT_OK_AND_ASSIGN(auto keys, store().keys().list());
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0], k1);  // oldest first, then by kid
  EXPECT_EQ(keys[1], k3);
  EXPECT_EQ(keys[2], k2);

  ASSERT_OK(store().keys().retire("kid-1", kNow + 100));
  ASSERT_OK(store().keys().retire("kid-1", kNow + 200));  // the first time is kept
  EXPECT_ERRC(store().keys().retire("kid-9", kNow), Errc::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto after, store().keys().list());
  EXPECT_EQ(after[0].retired_at, kNow + 100);
  EXPECT_FALSE(after[1].retired_at.has_value());
  EXPECT_EQ(after[0].private_pem, k1.private_pem);
}

// ---------------------------------------------------------------------------------------------
// sweep()

TEST_P(StoreConformanceTest, SweepRemovesExpiredAndCounts) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  // Expired at kNow (the boundary) or before: 2 of each kind. Live: 1 of each kind.
  ASSERT_OK(store().pars().create("par-old-1", makePar(kNow)));
  ASSERT_OK(store().pars().create("par-old-2", makePar(kNow - 100)));
  ASSERT_OK(store().pars().create("par-live", makePar(kNow + 1)));
  ASSERT_OK(store().codes().create("code-old-1", makeCode("g1", kNow)));
  ASSERT_OK(store().codes().create("code-old-2", makeCode("g1", kNow - 100)));
  ASSERT_OK(store().codes().create("code-live", makeCode("g1", kNow + 1)));
  ASSERT_OK(store().refreshTokens().create("rt-old-1", makeRefresh("g1", kNow)));
  ASSERT_OK(store().refreshTokens().create("rt-old-2", makeRefresh("g1", kNow - 100)));
  ASSERT_OK(store().refreshTokens().create("rt-live", makeRefresh("g1", kNow + 1)));
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-old-1", "g1", kNow - 600, kNow)));
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-old-2", "g1", kNow - 900, kNow - 300)));
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-live", "g1", kNow, kNow + 1)));
  ASSERT_OK(store().sessions().create("s-old-1", Session{"sub", kNow - 10, kNow}));
  ASSERT_OK(store().sessions().create("s-old-2", Session{"sub", kNow - 10, kNow - 1}));
  ASSERT_OK(store().sessions().create("s-live", Session{"sub", kNow - 10, kNow + 1}));
  ASSERT_OK_AND_ASSIGN(bool r1, store().replays().remember("r-old-1", kNow));
  ASSERT_OK_AND_ASSIGN(bool r2, store().replays().remember("r-old-2", kNow - 1));
  ASSERT_OK_AND_ASSIGN(bool r3, store().replays().remember("r-live", kNow + 1));
  ASSERT_TRUE(r1 && r2 && r3);

  ASSERT_OK_AND_ASSIGN(std::size_t removed, store().sweep(kNow));
  EXPECT_EQ(removed, 12u);

  EXPECT_ERRC(store().pars().find("par-old-1"), Errc::kNotFound);
  EXPECT_ERRC(store().pars().find("par-old-2"), Errc::kNotFound);
  ASSERT_OK(store().pars().find("par-live"));
  EXPECT_ERRC(store().codes().redeem("code-old-1"), Errc::kNotFound);
  ASSERT_OK(store().codes().redeem("code-live"));
  EXPECT_ERRC(store().refreshTokens().find("rt-old-2"), Errc::kNotFound);
  ASSERT_OK(store().refreshTokens().find("rt-live"));
  ASSERT_OK_AND_ASSIGN(bool old_revoked, store().accessTokens().isRevoked("jti-old-1"));
  EXPECT_FALSE(old_revoked);  // swept: the token has expired anyway
  ASSERT_OK_AND_ASSIGN(bool live_revoked, store().accessTokens().isRevoked("jti-live"));
  EXPECT_TRUE(live_revoked);
  EXPECT_ERRC(store().sessions().find("s-old-1"), Errc::kNotFound);
  ASSERT_OK(store().sessions().find("s-live"));
  ASSERT_OK_AND_ASSIGN(bool seen_live, store().replays().remember("r-live", kNow + 1));
  EXPECT_FALSE(seen_live);
  ASSERT_OK(store().grants().find("g1"));

  ASSERT_OK_AND_ASSIGN(std::size_t again, store().sweep(kNow));
  EXPECT_EQ(again, 0u);
}

TEST_P(StoreConformanceTest, SweepKeepsGrantsForTheirRetention) {
  // g-kept expired 364 days ago; g-boundary exactly kGrantRetention ago; g-gone a day more.
  ASSERT_OK(store().grants().create(makeGrant("g-live", "s", kNow - kDay, kNow + kDay)));
  ASSERT_OK(
      store().grants().create(makeGrant("g-kept", "s", kNow - 800 * kDay, kNow - 364 * kDay)));
  ASSERT_OK(store().grants().create(
      makeGrant("g-boundary", "s", kNow - 800 * kDay, kNow - kGrantRetention)));
  ASSERT_OK(store().grants().create(
      makeGrant("g-gone", "s", kNow - 800 * kDay, kNow - kGrantRetention - kDay)));
  Grant revoked = makeGrant("g-revoked", "s", kNow - 10 * kDay, kNow + kDay);
  revoked.revoked_at = kNow - 5 * kDay;
  ASSERT_OK(store().grants().create(revoked));
  // A (long-lived, odd) refresh token of a swept grant goes with it and is counted.
  ASSERT_OK(store().refreshTokens().create("rt-of-gone", makeRefresh("g-gone", kNow + 10 * kDay)));

  ASSERT_OK_AND_ASSIGN(std::size_t removed, store().sweep(kNow));
  EXPECT_EQ(removed, 3u);
  ASSERT_OK(store().grants().find("g-live"));
  ASSERT_OK(store().grants().find("g-kept"));
  ASSERT_OK(store().grants().find("g-revoked"));
  EXPECT_ERRC(store().grants().find("g-boundary"), Errc::kNotFound);
  EXPECT_ERRC(store().grants().find("g-gone"), Errc::kNotFound);
  EXPECT_ERRC(store().grants().findByEvidence("ev-g-gone"), Errc::kNotFound);
  EXPECT_ERRC(store().refreshTokens().find("rt-of-gone"), Errc::kNotFound);
}

TEST_P(StoreConformanceTest, SweepNeverTouchesUsersKeysOrOutbox) {
  ASSERT_OK(store().users().create(makeUser("alice", "sub-alice")));
  ASSERT_OK(store().keys().add(makeKey("kid-1", kNow - 1000 * kDay)));
  ASSERT_OK(store().keys().retire("kid-1", kNow - 900 * kDay));
  ASSERT_OK_AND_ASSIGN(std::int64_t pending,
                       store().outbox().enqueue(makeMessage("a", kNow - 1000 * kDay)));
  ASSERT_OK_AND_ASSIGN(std::int64_t delivered,
                       store().outbox().enqueue(makeMessage("b", kNow - 1000 * kDay)));
  ASSERT_OK(store().outbox().markDelivered(delivered, kNow - 999 * kDay));
  ASSERT_OK_AND_ASSIGN(std::size_t removed, store().sweep(kNow + 1000 * kDay));
  EXPECT_EQ(removed, 0u);
  ASSERT_OK(store().users().findByUsername("alice"));
  ASSERT_OK_AND_ASSIGN(auto keys, store().keys().list());
  EXPECT_EQ(keys.size(), 1u);
  ASSERT_OK(store().outbox().find(pending));
  ASSERT_OK(store().outbox().find(delivered));
}

// ---------------------------------------------------------------------------------------------
// Concurrency beyond single use: readers and writers on many threads never see an error.

TEST_P(StoreConformanceTest, ConcurrentMixedLoadHasNoErrors) {
  ASSERT_OK(store().grants().create(makeGrant("g1")));
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mutex;
  auto check = [&](const auto& result, const char* what) {
    if (result) return;
    if (failures.fetch_add(1) == 0) {
      std::lock_guard lock(failure_mutex);
      first_failure = std::string(what) + ": " + result.error().detail;
    }
  };
  race([&](int t) {
    for (int i = 0; i < 40; ++i) {
      const std::string key = std::to_string(t) + "-" + std::to_string(i);
      check(store().pars().create("par-" + key, makePar()), "par create");
      check(store().pars().find("par-" + key), "par find");
      check(store().pars().consume("par-" + key, kNow), "par consume");
      check(store().codes().create("code-" + key, makeCode("g1")), "code create");
      check(store().codes().redeem("code-" + key), "code redeem");
      check(store().grants().find("g1"), "grant find");
      check(store().accessTokens().revoke(makeAccess("jti-" + key, "g1")), "access revoke");
      check(store().accessTokens().isRevoked("jti-" + key), "access check");
      check(store().replays().remember("r-" + key, kNow + 60), "remember");
      check(store().grants().recordTokenIssued("g1", kNow + i, kNow + 600 + i), "token issued");
      if (i % 10 == 0) check(store().sweep(kNow - 1), "sweep");
    }
    return 0;
  });
  EXPECT_EQ(failures.load(), 0) << first_failure;
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_OK_AND_ASSIGN(bool revoked,
                         store().accessTokens().isRevoked("jti-" + std::to_string(t) + "-39"));
    EXPECT_TRUE(revoked);
  }
}

// ---------------------------------------------------------------------------------------------
// Durability across close and reopen

TEST_P(StoreConformanceTest, EverythingSurvivesReopen) {
  Grant grant = makeGrant("g1");
  ASSERT_OK(store().grants().create(grant));
  ASSERT_OK(store().pars().create("par-1", makePar()));
  ASSERT_OK(store().pars().create("par-consumed", makePar()));
  ASSERT_OK(store().pars().consume("par-consumed", kNow));
  ASSERT_OK(store().codes().create("code-1", makeCode("g1")));
  ASSERT_OK(store().codes().create("code-redeemed", makeCode("g1")));
  ASSERT_OK(store().codes().redeem("code-redeemed"));
  ASSERT_OK(store().refreshTokens().create("rt-1", makeRefresh("g1")));
  ASSERT_OK(store().refreshTokens().rotate("rt-1", kNow + 1, "rt-2", makeRefresh("g1")));
  ASSERT_OK(store().accessTokens().revoke(makeAccess("jti-1", "g1")));
  ASSERT_OK(store().users().create(makeUser("alice", "sub-alice")));
  ASSERT_OK(store().sessions().create("sess-1", Session{"sub-alice", kNow, kNow + 3600}));
  ASSERT_OK_AND_ASSIGN(bool remembered, store().replays().remember("jti:x", kNow + 60));
  ASSERT_TRUE(remembered);
  ASSERT_OK_AND_ASSIGN(std::int64_t message_id, store().outbox().enqueue(makeMessage("a")));
  ASSERT_OK(store().keys().add(makeKey("kid-1")));
  ASSERT_OK(store().grants().recordTokenIssued("g1", kNow + 2, kNow + 602));
  grant.token_issued_at = kNow + 2;
  grant.token_expires_at = kNow + 602;

  reopen();
  if (IsSkipped()) return;

  ASSERT_OK_AND_ASSIGN(Grant found_grant, store().grants().find("g1"));
  EXPECT_EQ(found_grant, grant);
  ASSERT_OK_AND_ASSIGN(ParRecord par, store().pars().find("par-1"));
  EXPECT_EQ(par, makePar());
  EXPECT_ERRC(store().pars().consume("par-consumed", kNow), Errc::kAlreadyUsed);
  ASSERT_OK(store().pars().consume("par-1", kNow));
  ASSERT_OK_AND_ASSIGN(CodeRedemption replay, store().codes().redeem("code-redeemed"));
  EXPECT_FALSE(replay.first_use);
  ASSERT_OK_AND_ASSIGN(CodeRedemption fresh, store().codes().redeem("code-1"));
  EXPECT_TRUE(fresh.first_use);
  EXPECT_ERRC(store().refreshTokens().rotate("rt-1", kNow + 2, "rt-3", makeRefresh("g1")),
              Errc::kAlreadyUsed);
  ASSERT_OK(store().refreshTokens().find("rt-2"));
  ASSERT_OK_AND_ASSIGN(bool token_revoked, store().accessTokens().isRevoked("jti-1"));
  EXPECT_TRUE(token_revoked);
  ASSERT_OK_AND_ASSIGN(User user, store().users().findBySubject("sub-alice"));
  EXPECT_EQ(user, makeUser("alice", "sub-alice"));
  ASSERT_OK(store().sessions().find("sess-1"));
  ASSERT_OK_AND_ASSIGN(bool remembered_again, store().replays().remember("jti:x", kNow + 60));
  EXPECT_FALSE(remembered_again);
  ASSERT_OK(store().outbox().find(message_id));
  ASSERT_OK_AND_ASSIGN(std::int64_t next_id, store().outbox().enqueue(makeMessage("b")));
  EXPECT_GT(next_id, message_id);  // ids are never reused, even across restarts
  ASSERT_OK_AND_ASSIGN(auto keys, store().keys().list());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], makeKey("kid-1"));
}

TEST_P(StoreConformanceTest, OutboxIdsNeverReusedAfterDeliveryAndReopen) {
  ASSERT_OK_AND_ASSIGN(std::int64_t first, store().outbox().enqueue(makeMessage("a")));
  ASSERT_OK(store().outbox().markDelivered(first, kNow));
  reopen();
  if (IsSkipped()) return;
  ASSERT_OK_AND_ASSIGN(std::int64_t second, store().outbox().enqueue(makeMessage("b")));
  EXPECT_GT(second, first);
}

}  // namespace
}  // namespace conformance
}  // namespace gridgate::store
