#include "client/cookie_jar.h"

#include <gtest/gtest.h>

namespace gridgate::client {
namespace {

class CookieJarTest : public ::testing::Test {
 protected:
  FakeClock clock{1'700'000'000};
  CookieJar jar{clock};
};

TEST_F(CookieJarTest, HostOnlyCookieGoesBackToThatHostOnly) {
  ASSERT_TRUE(jar.storeOne("https://as.example:8000/authorize", "sid=1; Path=/; Secure; HttpOnly"));
  EXPECT_EQ(jar.header("https://as.example:8000/login"), "sid=1");
  EXPECT_EQ(jar.header("https://as.example:9000/x"), "sid=1");  // cookies ignore the port
  EXPECT_EQ(jar.header("https://sub.as.example/x"), std::nullopt);
  EXPECT_EQ(jar.header("https://example/x"), std::nullopt);
}

TEST_F(CookieJarTest, TheBuiltInLoginCookies) {
  // What authz/ui/cookies.h writes.
  ASSERT_TRUE(jar.storeOne("https://localhost:8000/authorize?x=1",
                           "__Host-gridgate-login=abc; Max-Age=600; Path=/; Secure; HttpOnly; "
                           "SameSite=Lax"));
  ASSERT_TRUE(jar.storeOne("https://localhost:8000/login",
                           "__Host-gridgate-session=def; Max-Age=28800; Path=/; Secure; HttpOnly; "
                           "SameSite=Lax"));
  EXPECT_EQ(jar.header("https://localhost:8000/consent"),
            "__Host-gridgate-login=abc; __Host-gridgate-session=def");
  // clearCookie(): empty value, Max-Age=0.
  ASSERT_TRUE(jar.storeOne("https://localhost:8000/login",
                           "__Host-gridgate-login=; Max-Age=0; Path=/; Secure; HttpOnly; "
                           "SameSite=Lax"));
  EXPECT_EQ(jar.header("https://localhost:8000/consent"), "__Host-gridgate-session=def");
}

TEST_F(CookieJarTest, DomainCookies) {
  ASSERT_TRUE(jar.storeOne("https://login.as.example/", "d=1; Domain=.as.example"));
  EXPECT_EQ(jar.header("https://as.example/"), "d=1");
  EXPECT_EQ(jar.header("https://other.as.example/"), "d=1");
  EXPECT_EQ(jar.header("https://notas.example/"), std::nullopt);
  EXPECT_EQ(jar.storeOne("https://login.as.example/", "e=1; Domain=evil.example").error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(jar.storeOne("https://login.as.example/", "e=1; Domain=example").error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(jar.storeOne("https://127.0.0.1/", "e=1; Domain=0.0.1").error().code,
            Errc::kInvalidArgument);
  ASSERT_TRUE(jar.storeOne("https://127.0.0.1/", "ip=1; Domain=127.0.0.1"));
  EXPECT_EQ(jar.header("https://127.0.0.1/"), "ip=1");
}

TEST_F(CookieJarTest, PathsMatchBySegment) {
  ASSERT_TRUE(jar.storeOne("https://a.example/app/page", "p=1"));  // default path /app
  ASSERT_TRUE(jar.storeOne("https://a.example/", "root=1; Path=/"));
  EXPECT_EQ(jar.header("https://a.example/app/x"), "p=1; root=1");  // longer path first
  EXPECT_EQ(jar.header("https://a.example/app"), "p=1; root=1");
  EXPECT_EQ(jar.header("https://a.example/application"), "root=1");
  EXPECT_EQ(jar.header("https://a.example/"), "root=1");
}

TEST_F(CookieJarTest, SecureRules) {
  EXPECT_EQ(jar.storeOne("http://a.example/", "s=1; Secure").error().code, Errc::kInvalidArgument);
  ASSERT_TRUE(jar.storeOne("https://a.example/", "s=1; Secure"));
  EXPECT_EQ(jar.header("http://a.example/"), std::nullopt);
  EXPECT_EQ(jar.header("https://a.example/"), "s=1");
  EXPECT_FALSE(jar.storeOne("https://a.example/", "__Secure-x=1"));
  EXPECT_TRUE(jar.storeOne("https://a.example/", "__Secure-x=1; Secure"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "__Host-x=1; Secure"));  // no explicit Path=/
  EXPECT_FALSE(jar.storeOne("https://a.example/", "__Host-y=1; Secure; Path=/; Domain=a.example"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "__Host-z=1; Path=/"));
  EXPECT_TRUE(jar.storeOne("https://a.example/", "__Host-ok=1; Secure; Path=/"));
}

TEST_F(CookieJarTest, ExpiryWithTheClock) {
  ASSERT_TRUE(jar.storeOne("https://a.example/", "short=1; Max-Age=60"));
  ASSERT_TRUE(jar.storeOne("https://a.example/", "dated=1; Expires=Tue, 14 Nov 2023 22:43:20 GMT"));
  ASSERT_TRUE(jar.storeOne("https://a.example/",
                           "both=1; Max-Age=600; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
  ASSERT_TRUE(jar.storeOne("https://a.example/", "session=1"));
  EXPECT_EQ(jar.header("https://a.example/"), "short=1; dated=1; both=1; session=1");
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(jar.header("https://a.example/"), "dated=1; both=1; session=1");
  clock.set(1'700'000'000 + 3600);  // 2023-11-14T23:13:20Z: past the Expires date
  EXPECT_EQ(jar.header("https://a.example/"), "session=1");
  // An Expires in the past deletes.
  ASSERT_TRUE(
      jar.storeOne("https://a.example/", "session=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT"));
  EXPECT_EQ(jar.header("https://a.example/"), std::nullopt);
}

TEST_F(CookieJarTest, ReplacingKeepsTheOriginalOrder) {
  ASSERT_TRUE(jar.storeOne("https://a.example/", "a=1"));
  ASSERT_TRUE(jar.storeOne("https://a.example/", "b=1"));
  ASSERT_TRUE(jar.storeOne("https://a.example/", "a=2"));
  EXPECT_EQ(jar.header("https://a.example/"), "a=2; b=1");
  EXPECT_EQ(jar.cookies().size(), 2u);
}

TEST_F(CookieJarTest, RefusesMalformedCookies) {
  EXPECT_FALSE(jar.storeOne("https://a.example/", "novalue"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "=v"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "a b=v"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "a=v w"));
  EXPECT_FALSE(jar.storeOne("https://a.example/", "a=" + std::string(5000, 'x')));
  EXPECT_FALSE(jar.storeOne("ftp://a.example/", "a=1"));
  EXPECT_TRUE(jar.storeOne("https://a.example/", "q=\"quoted\""));
  EXPECT_EQ(jar.header("https://a.example/"), "q=quoted");
}

TEST_F(CookieJarTest, StoresEverySetCookieOfAResponse) {
  net::Headers h;
  h.add("Set-Cookie", "a=1");
  h.add("Set-Cookie", "bad");
  h.add("set-cookie", "b=2");
  EXPECT_EQ(jar.store("https://a.example/", h), 1u);
  EXPECT_EQ(jar.header("https://a.example/"), "a=1; b=2");
}

TEST_F(CookieJarTest, BoundedPerHost) {
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(jar.storeOne("https://a.example/", "c" + std::to_string(i) + "=1"));
  }
  EXPECT_EQ(jar.storeOne("https://a.example/", "one-more=1").error().code, Errc::kLimitExceeded);
  EXPECT_TRUE(jar.storeOne("https://b.example/", "other=1"));
}

}  // namespace
}  // namespace gridgate::client
