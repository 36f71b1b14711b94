// Redis URLs and options (no sockets): the forms docs/deployment.md shows, explicit fields
// overriding the URL, and errors that never repeat a password.
#include "store/redis/redis_options.h"

#include <gtest/gtest.h>

#include "store/redis/revocation_bus.h"

namespace gridgate::store {
namespace {

TEST(RedisUrlTest, HostPortDatabase) {
  auto ep = parseRedisUrl("redis://10.0.0.5:6380/2");
  ASSERT_TRUE(ep) << ep.error().detail;
  EXPECT_EQ(ep->host, "10.0.0.5");
  EXPECT_EQ(ep->port, 6380);
  EXPECT_EQ(ep->database, 2);
  EXPECT_TRUE(ep->password.empty());
  EXPECT_TRUE(ep->unix_path.empty());
}

TEST(RedisUrlTest, Defaults) {
  auto ep = parseRedisUrl("redis://localhost");
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->host, "localhost");
  EXPECT_EQ(ep->port, 6379);
  EXPECT_EQ(ep->database, 0);
  auto slash = parseRedisUrl("redis://localhost/");
  ASSERT_TRUE(slash);
  EXPECT_EQ(slash->database, 0);
}

TEST(RedisUrlTest, PasswordAndAclUser) {
  auto pass_only = parseRedisUrl("redis://:s3cret@h:1/0");
  ASSERT_TRUE(pass_only);
  EXPECT_EQ(pass_only->password, "s3cret");
  EXPECT_TRUE(pass_only->username.empty());
  auto shorthand = parseRedisUrl("redis://s3cret@h");
  ASSERT_TRUE(shorthand);
  EXPECT_EQ(shorthand->password, "s3cret");
  auto acl = parseRedisUrl("redis://gridgate:p%40ss%3Aw0rd@h:6379");
  ASSERT_TRUE(acl);
  EXPECT_EQ(acl->username, "gridgate");
  EXPECT_EQ(acl->password, "p@ss:w0rd");
}

TEST(RedisUrlTest, Ipv6AndUnixSocket) {
  auto v6 = parseRedisUrl("redis://[::1]:7000/1");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(v6->database, 1);
  auto unix_socket = parseRedisUrl("unix:///run/redis/redis.sock?db=4");
  ASSERT_TRUE(unix_socket);
  EXPECT_EQ(unix_socket->unix_path, "/run/redis/redis.sock");
  EXPECT_EQ(unix_socket->database, 4);
}

TEST(RedisUrlTest, RefusesMalformed) {
  for (const char* bad : {"", "http://h", "redis://", "redis://:6379", "redis://h:0",
                          "redis://h:65536", "redis://h:12x", "redis://h/-1", "redis://h/x",
                          "redis://[::1", "redis://[::1]x", "redis://:%zz@h", "redis://:%4@h",
                          "unix://relative.sock", "unix:///s?database=1", "unix:///s?db=x"}) {
    auto ep = parseRedisUrl(bad);
    ASSERT_FALSE(ep.has_value()) << bad;
    EXPECT_EQ(ep.error().code, Errc::kInvalidArgument) << bad;
  }
}

TEST(RedisUrlTest, ErrorsAndRedactionNeverShowThePassword) {
  auto ep = parseRedisUrl("redis://:topsecret@h:99999");
  ASSERT_FALSE(ep);
  EXPECT_EQ(ep.error().detail.find("topsecret"), std::string::npos);
  EXPECT_EQ(redactRedisUrl("redis://:topsecret@h:1/2"), "redis://:***@h:1/2");
  EXPECT_EQ(redactRedisUrl("redis://user:topsecret@h"), "redis://user:***@h");
  EXPECT_EQ(redactRedisUrl("redis://h:1"), "redis://h:1");
  EXPECT_EQ(redactRedisUrl("unix:///s"), "unix:///s");
}

TEST(RedisOptionsTest, ExplicitFieldsOverrideTheUrl) {
  RedisOptions o;
  o.url = "redis://u:from-url@h:1/2";
  o.database = 5;
  o.password = "explicit";
  auto ep = resolveRedisEndpoint(o);
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->database, 5);
  EXPECT_EQ(ep->password, "explicit");
  EXPECT_EQ(ep->username, "u");
  o.database = -1;
  EXPECT_FALSE(resolveRedisEndpoint(o).has_value());
  RedisOptions user_only;
  user_only.username = "gridgate";
  EXPECT_FALSE(resolveRedisEndpoint(user_only).has_value());
}

TEST(RevocationEventTest, RoundTrip) {
  const RevocationEvent event{.grant_id = "g-1", .jtis = {"a", "b\"quoted\"", ""}};
  auto back = decodeRevocationEvent(encodeRevocationEvent(event));
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(*back, event);
  const RevocationEvent token_only{.grant_id = "", .jtis = {"j"}};
  auto token_back = decodeRevocationEvent(encodeRevocationEvent(token_only));
  ASSERT_TRUE(token_back);
  EXPECT_EQ(*token_back, token_only);
}

TEST(RevocationEventTest, RefusesMalformed) {
  for (const char* bad :
       {"", "[]", "{}", R"({"grant_id":1,"jtis":[]})", R"({"grant_id":"g","jtis":"j"})",
        R"({"grant_id":"g","jtis":[1]})", R"({"grant_id":"","jtis":[]})",
        R"({"grant_id":"g","grant_id":"h",)"
        R"("jtis":[]})",
        R"({"grant_id":"g"})", "{\"grant_id\":\"g\",\"jtis\":[]"}) {
    EXPECT_FALSE(decodeRevocationEvent(bad).has_value()) << bad;
  }
  EXPECT_TRUE(decodeRevocationEvent(R"({"grant_id":"g","jtis":[],"later":"field"})"));
}

}  // namespace
}  // namespace gridgate::store
