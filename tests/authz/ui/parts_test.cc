// Unit tests of the interaction side's parts: passwords, CSRF tokens, cookies, throttling, users,
// and the plain-words descriptions. No sockets.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "authz/ui/cookies.h"
#include "authz/ui/csrf.h"
#include "authz/ui/describe.h"
#include "authz/ui/password.h"
#include "authz/ui/throttle.h"
#include "authz/ui/users.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::authz::ui {
namespace {

const PasswordParams kFast{.time_cost = 1, .memory_kib = 1024, .parallelism = 1};

TEST(Password, DefaultsAreOwaspArgon2id) {
  PasswordParams p;
  EXPECT_EQ(p.time_cost, 2u);
  EXPECT_EQ(p.memory_kib, 19456u);
  EXPECT_EQ(p.parallelism, 1u);
  auto h = hashPassword("correct horse battery staple", p);
  ASSERT_TRUE(h) << h.error().detail;
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(verifyPassword(*h, "correct horse battery staple"));
  EXPECT_FALSE(verifyPassword(*h, "correct horse battery stapl"));
}

TEST(Password, SaltedVerifiedAndBounded) {
  auto a = hashPassword("password-one", kFast);
  auto b = hashPassword("password-one", kFast);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);  // fresh salt each time
  EXPECT_TRUE(verifyPassword(*b, "password-one"));
  EXPECT_FALSE(verifyPassword(*a, "Password-one"));
  EXPECT_FALSE(verifyPassword(*a, ""));
  EXPECT_EQ(hashPassword("short", kFast).error().code, Errc::kInvalidArgument);
  EXPECT_EQ(hashPassword(std::string(1025, 'x'), kFast).error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(hashPassword(std::string(1024, 'x'), kFast));
  EXPECT_FALSE(verifyPassword(*a, std::string(1025, 'x')));
  // Malformed or other-variant hashes never verify.
  EXPECT_FALSE(verifyPassword("", "password-one"));
  EXPECT_FALSE(verifyPassword("plain-text-password", "plain-text-password"));
  std::string argon2i = *a;
  argon2i.replace(0, 9, "$argon2i");
  EXPECT_FALSE(verifyPassword(argon2i, "password-one"));
  std::string truncated = a->substr(0, a->size() - 5);
  EXPECT_FALSE(verifyPassword(truncated, "password-one"));
}

TEST(Password, DummyVerificationIsAlwaysFalse) {
  PasswordVerifier v(kFast);
  EXPECT_FALSE(v.verifyDummy("anything at all"));
  EXPECT_FALSE(v.verifyDummy(""));
}

TEST(Csrf, BoundToPurposeAndBinding) {
  CsrfKey key = CsrfKey::generate();
  std::string t = key.token("consent", "req|sess");
  EXPECT_EQ(t.size(), 43u);
  EXPECT_TRUE(key.check(t, "consent", "req|sess"));
  EXPECT_FALSE(key.check(t, "login", "req|sess"));
  EXPECT_FALSE(key.check(t, "consent", "req|other"));
  EXPECT_FALSE(key.check(t, "consent", "req|sess "));
  EXPECT_FALSE(key.check("", "consent", "req|sess"));
  EXPECT_FALSE(key.check(t.substr(1), "consent", "req|sess"));
  std::string flipped = t;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(key.check(flipped, "consent", "req|sess"));
  // Purpose and binding are separated: ("a", "bc") is not ("ab", "c").
  EXPECT_NE(key.token("a", "bc"), key.token("ab", "c"));
  // Another key (another deployment, a restart) does not accept it.
  EXPECT_FALSE(CsrfKey::generate().check(t, "consent", "req|sess"));
  // A configured key gives stable tokens.
  Bytes k(32, 7);
  EXPECT_EQ(CsrfKey(k).token("x", "y"), CsrfKey(k).token("x", "y"));
}

TEST(Cookies, SetCookieHasEveryAttribute) {
  EXPECT_EQ(setCookie("__Host-gridgate-session", "abc", Seconds(3600)),
            "__Host-gridgate-session=abc; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax");
  EXPECT_EQ(clearCookie("__Host-x"),
            "__Host-x=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax");
}

TEST(Cookies, ParsesAndRefusesDuplicates) {
  net::Headers h;
  h.add("Cookie", "a=1; __Host-s=tok-en_1;b=\"q\"");
  EXPECT_EQ(cookieValue(h, "__Host-s"), "tok-en_1");
  EXPECT_EQ(cookieValue(h, "b"), "q");
  EXPECT_EQ(cookieValue(h, "c"), std::nullopt);
  EXPECT_EQ(cookieValue(h, "__Host"), std::nullopt);
  h.add("Cookie", "__Host-s=planted");
  EXPECT_EQ(cookieValue(h, "__Host-s"), std::nullopt);
}

TEST(Throttle, LocksAUsernameAfterFiveFailuresForTheWindow) {
  FakeClock clock(1'700'000'000);
  LoginThrottle t(clock, ThrottleSettings{});
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(t.blockedFor("alice", "10.0.0.1"));
    t.recordFailure("alice", "10.0.0.1");
  }
  auto wait = t.blockedFor("alice", "10.0.0.2");  // from another address too
  ASSERT_TRUE(wait);
  EXPECT_EQ(wait->count(), 15 * 60);
  EXPECT_TRUE(t.blockedFor("ALICE", "10.0.0.3"));  // usernames fold case
  EXPECT_FALSE(t.blockedFor("bob", "10.0.0.3"));
  clock.advance(std::chrono::minutes(14));
  EXPECT_TRUE(t.blockedFor("alice", "10.0.0.1"));
  clock.advance(std::chrono::minutes(1));
  EXPECT_FALSE(t.blockedFor("alice", "10.0.0.1"));
}

TEST(Throttle, LocksAnAddressAcrossUsernamesAndSuccessClearsTheUser) {
  FakeClock clock(1'700'000'000);
  LoginThrottle t(clock, ThrottleSettings{.max_failures_per_user = 3, .max_failures_per_ip = 4});
  t.recordFailure("a", "192.0.2.1");
  t.recordFailure("a", "192.0.2.1");
  t.recordSuccess("a");
  EXPECT_FALSE(t.blockedFor("a", "198.51.100.1"));
  t.recordFailure("b", "192.0.2.1");
  t.recordFailure("c", "192.0.2.1");
  EXPECT_TRUE(t.blockedFor("d", "192.0.2.1"));  // 4 failures from the address
  EXPECT_FALSE(t.blockedFor("d", "198.51.100.1"));
}

TEST(Throttle, ClientAddressIsThePeerUnlessATrustedProxyForwardedOne) {
  net::Request r;
  r.peer.remote_address = "10.0.0.5";  // nginx
  r.headers.add("X-Forwarded-For", "198.51.100.7");
  EXPECT_EQ(clientAddress(r), "10.0.0.5");  // not from a trusted proxy: the header means nothing

  r.peer.via_proxy = true;
  EXPECT_EQ(clientAddress(r), "198.51.100.7");
  // Only what the proxy appended counts: the last entry of the last header.
  net::Request chain = r;
  chain.headers = {};
  chain.headers.add("X-Forwarded-For", "1.2.3.4, 5.6.7.8");
  chain.headers.add("x-forwarded-for", "203.0.113.9 ,  2001:db8::1 ");
  EXPECT_EQ(clientAddress(chain), "2001:db8::1");

  // Absent, empty or not an address literal: the peer.
  for (const char* bad : {"", " , ", "unknown", "198.51.100.7:443x", "<script>",
                          "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb"}) {
    net::Request b = r;
    b.headers = {};
    b.headers.add("X-Forwarded-For", bad);
    EXPECT_EQ(clientAddress(b), "10.0.0.5") << bad;
  }
  net::Request none = r;
  none.headers = {};
  EXPECT_EQ(clientAddress(none), "10.0.0.5");
}

TEST(Throttle, MemoryIsBounded) {
  FakeClock clock(1'700'000'000);
  LoginThrottle t(clock, ThrottleSettings{.max_failures_per_user = 1, .max_tracked = 10});
  for (int i = 0; i < 100; ++i) t.recordFailure("user" + std::to_string(i), "192.0.2.9");
  EXPECT_TRUE(t.blockedFor("user99", "198.51.100.1"));
}

TEST(Users, CreateGeneratesASubjectThatIsNeverAUrl) {
  auto db = store::openSqlite({.path = store::kSqliteInMemory});
  ASSERT_TRUE(db);
  FakeClock clock(1'700'000'000);
  auto u = createUser((*db)->users(),
                      {.username = "alice", .password = "long enough pw", .display_name = {}},
                      kFast, clock);
  ASSERT_TRUE(u) << u.error().detail;
  EXPECT_EQ(u->subject.rfind("user-", 0), 0u);
  EXPECT_EQ(u->subject.size(), 5u + 22u);
  EXPECT_TRUE(isSafeSubject(u->subject));
  EXPECT_EQ(u->subject.find(':'), std::string::npos);
  EXPECT_EQ(u->subject.find('/'), std::string::npos);
  EXPECT_EQ(u->display_name, "alice");
  EXPECT_EQ(u->created_at, 1'700'000'000);
  EXPECT_TRUE(verifyPassword(u->password_hash, "long enough pw"));
  auto stored = (*db)->users().findByUsername("alice");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->password_hash.find("long enough pw"), std::string::npos);

  auto dup = createUser((*db)->users(),
                        {.username = "alice", .password = "another password", .display_name = {}},
                        kFast, clock);
  EXPECT_EQ(dup.error().code, Errc::kConflict);
  EXPECT_NE(newSubject(), newSubject());
}

TEST(Users, UsernameAndSubjectRules) {
  EXPECT_TRUE(checkUsername("alice.example+test@mail.example"));
  for (std::string_view bad : {"", "has space", "semi;colon", "<b>", "ünïcode"}) {
    EXPECT_FALSE(checkUsername(bad)) << bad;
  }
  EXPECT_FALSE(checkUsername(std::string(65, 'a')));
  for (std::string_view bad : {"", "https://client.example/app", "a:b", "a/b", "with space"}) {
    EXPECT_FALSE(isSafeSubject(bad)) << bad;
  }
  EXPECT_FALSE(isSafeSubject(std::string(129, 'a')));
  EXPECT_TRUE(isSafeSubject("user-AbC_9.~"));
}

TEST(Describe, LicenceUrlsInWordsUnknownScopesVerbatim) {
  auto w = describeScope(
      "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/"
      "2024-12-05");
  EXPECT_EQ(w.description, "Energy consumption data (licence of 2024-12-05)");
  EXPECT_NE(w.detail.find("/licence/"), std::string::npos);
  auto sandbox = describeScope(
      "https://registry.core.sandbox.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/"
      "2024-12-05");
  EXPECT_EQ(sandbox.description, "Energy consumption data (licence of 2024-12-05)");
  EXPECT_EQ(describeScope("offline_access").description.rfind("Continued access", 0), 0u);
  EXPECT_EQ(describeScope("profile").description, "profile");
  EXPECT_EQ(describeScope("profile").detail, "");
  // Not quite a licence URL: shown as it is, never guessed at.
  for (std::string_view odd : {"http://x.example/licence/energy/2024-12-05",
                               "https://x.example/licence/Energy_Data/2024-12-05",
                               "https://x.example/licence/energy/2024-12",
                               "https://x.example/licence/energy/2024-12-05/extra"}) {
    EXPECT_EQ(describeScope(odd).description, odd);
  }
  ScopeNames names{{"profile", "Your name"}};
  EXPECT_EQ(describeScope("profile", names).description, "Your name");
  auto list = describeScopes("a  b a offline_access");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].description, "a");
  EXPECT_EQ(list[1].description, "b");
}

TEST(Describe, DurationsAndDates) {
  EXPECT_EQ(describeDuration(Seconds(365 * 86400)), "12 months");
  EXPECT_EQ(describeDuration(Seconds(2 * 365 * 86400)), "24 months");
  EXPECT_EQ(describeDuration(Seconds(30 * 86400)), "30 days");
  EXPECT_EQ(describeDuration(Seconds(86400)), "1 day");
  EXPECT_EQ(describeDuration(Seconds(7200)), "2 hours");
  EXPECT_EQ(describeDuration(Seconds(90)), "1 minute");
  EXPECT_EQ(formatLongDate(1764892800), "5 December 2025");
  EXPECT_EQ(formatLongDate(1704067200), "1 January 2024");
  EXPECT_EQ(formatLongDateTime(1764892800 + 14 * 3600 + 3 * 60 + 59),
            "5 December 2025 at 14:03 UTC");
}

}  // namespace
}  // namespace gridgate::authz::ui
