// Revocation reaching the resource server through the Redis revocation bus (a real redis-server):
// a token whose validation is cached is refused once the authorization server publishes the
// revocation of its grant (or of its jti), without waiting for the cache TTL or the token's exp.
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "core/random.h"
#include "redis_server.h"  // tests/store
#include "server_support.h"
#include "store/redis/revocation_bus.h"
#include "support.h"

namespace gridgate::resource {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRedis = "/usr/bin/redis-server";

class RevocationBus : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kRedis, X_OK) != 0) GTEST_SKIP() << "redis-server not installed";
    redis_ = std::make_unique<store::test::RedisServer>();
    ASSERT_TRUE(redis_->running()) << "redis-server did not start in " << redis_->dir();
    options_.url = redis_->url();
    options_.key_prefix = "resource-test:";
    clock_ = std::make_unique<FakeClock>(SystemClock::instance().unixSeconds());
    issuer_ = std::make_unique<validator::testing::TestIssuer>(*clock_);
    env_ = std::make_unique<test::ResourceEnv>(*issuer_, *clock_, validator::TokenMode::kJwt,
                                               test::ResourceEnv::Tweak{}, options_);
    ASSERT_NE(env_->serve->revocationSubscriber(), nullptr);
    ASSERT_TRUE(env_->serve->revocationSubscriber()->waitSubscribed(5s));
    auto pub = store::RevocationBusPublisher::start(options_);
    ASSERT_TRUE(pub) << pub.error().detail;
    publisher_ = std::move(*pub);
  }
  void TearDown() override {
    publisher_.reset();
    env_.reset();
    redis_.reset();
  }

  // Polls until the request is refused (the subscriber runs on its own thread).
  bool refusedWithin(const std::string& token, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (env_->get("demo", "/datasources", token).status == 401) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::unique_ptr<store::test::RedisServer> redis_;
  store::RedisOptions options_;
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<validator::testing::TestIssuer> issuer_;
  std::unique_ptr<test::ResourceEnv> env_;
  std::unique_ptr<store::RevocationBusPublisher> publisher_;
};

TEST_F(RevocationBus, RevokedGrantRefused) {
  const std::string grant = "grant-" + randomToken(8);
  const std::string token = env_->tokenFor("demo", {{"grant_id", grant}});
  const std::string other = env_->tokenFor("demo");
  ASSERT_EQ(env_->get("demo", "/datasources", token).status, 200);  // validated and cached
  publisher_->publish({.grant_id = grant, .jtis = {}});
  EXPECT_TRUE(refusedWithin(token, 5s));
  EXPECT_EQ(env_->get("demo", "/datasources", other).status, 200);  // another grant
}

TEST_F(RevocationBus, RevokedAccessTokenRefused) {
  const std::string jti = randomToken(16);
  const std::string token = env_->tokenFor("demo", {{"jti", jti}});
  ASSERT_EQ(env_->get("demo", "/datasources", token).status, 200);
  publisher_->publish({.grant_id = "", .jtis = {jti}});
  EXPECT_TRUE(refusedWithin(token, 5s));
}

}  // namespace
}  // namespace gridgate::resource
