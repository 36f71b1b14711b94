#include "net/router.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace gridgate::net {
namespace {

Response ok(const Request&) { return Response::text(200, "ok"); }

class NetRouterTest : public ::testing::Test {
 protected:
  NetRouterTest() {
    router.get("/", ok);
    router.get("/datasources", ok);
    router.get("/datasources/{id}", ok);
    router.get("/datasources/{id}/{measure}", ok);
    router.get("/datasources/static/info", ok);
    router.post("/token", ok);
    router.add(Method::kPut, "/items/{item}", ok);
    router.add(Method::kDelete, "/items/{item}",
               [](const Request&, Respond done) { done(Response::empty(204)); });
    router.get("/a/literal", ok);
    router.post("/a/{p}", ok);
  }
  Router router;
};

TEST_F(NetRouterTest, LiteralAndParameters) {
  auto m = router.match(Method::kGet, "/datasources/meter-1/import");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/datasources/{id}/{measure}");
  EXPECT_EQ(*m.params.get("id"), "meter-1");
  EXPECT_EQ(*m.params.get("measure"), "import");
  EXPECT_EQ(m.params.get("other"), nullptr);

  m = router.match(Method::kGet, "/datasources");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/datasources");
  m = router.match(Method::kGet, "/");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/");
}

TEST_F(NetRouterTest, LiteralBeatsParameterButFallsBack) {
  auto m = router.match(Method::kGet, "/datasources/static/info");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/datasources/static/info");
  // "static" is also a valid {id}: the literal branch has no "/import", so the parameter matches.
  m = router.match(Method::kGet, "/datasources/static/import");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/datasources/{id}/{measure}");
  EXPECT_EQ(*m.params.get("id"), "static");
  // The method decides between a literal and a parameter at the same depth.
  m = router.match(Method::kPost, "/a/literal");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/a/{p}");
}

TEST_F(NetRouterTest, NotFound) {
  for (const char* p :
       {"/nope", "/datasources/x/y/z", "/datasources/", "//", "/datasources//x", "/token/"}) {
    EXPECT_EQ(router.match(Method::kGet, p).kind, Router::Match::Kind::kNotFound) << p;
  }
}

TEST_F(NetRouterTest, MethodNotAllowedListsAllow) {
  auto m = router.match(Method::kGet, "/token");
  ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST");
  m = router.match(Method::kPost, "/items/7");
  ASSERT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "PUT, DELETE");
  m = router.match(Method::kPost, "/datasources");
  EXPECT_EQ(m.allow, "GET, HEAD");
  m = router.match(Method::kOther, "/datasources");
  EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(router.match(Method::kOther, "/nope").kind, Router::Match::Kind::kNotFound);
}

TEST_F(NetRouterTest, HeadUsesGet) {
  auto m = router.match(Method::kHead, "/datasources/1");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(m.route->method, Method::kGet);
  EXPECT_EQ(router.match(Method::kHead, "/token").kind, Router::Match::Kind::kMethodNotAllowed);
}

TEST_F(NetRouterTest, ParametersArePercentDecodedStrictly) {
  auto m = router.match(Method::kGet, "/datasources/a%2Fb+c/x");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_EQ(*m.params.get("id"), "a/b+c");
  EXPECT_EQ(router.match(Method::kGet, "/datasources/a%zz/x").kind, Router::Match::Kind::kBadPath);
  EXPECT_EQ(router.match(Method::kGet, "relative").kind, Router::Match::Kind::kBadPath);
  EXPECT_EQ(router.match(Method::kGet, "").kind, Router::Match::Kind::kBadPath);
}

TEST_F(NetRouterTest, HandlerKinds) {
  auto m = router.match(Method::kDelete, "/items/1");
  ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
  EXPECT_TRUE(m.route->async);
  EXPECT_FALSE(m.route->sync);
  m = router.match(Method::kPut, "/items/1");
  EXPECT_TRUE(m.route->sync);
  EXPECT_EQ(router.routeCount(), 10U);
  for (std::size_t i = 0; i < router.routeCount(); ++i) EXPECT_EQ(router.route(i).id, i);
}

TEST(NetRouter, RegistrationErrorsThrow) {
  Router r;
  r.get("/x/{id}", ok);
  EXPECT_THROW(r.get("/x/{id}", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/x/{other}", ok), std::invalid_argument) << "same shape, same method";
  EXPECT_THROW(r.get("no-slash", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{}", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{b-c}", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/a/{x}/{x}", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/a b", ok), std::invalid_argument);
  EXPECT_THROW(r.get("/a%20b", ok), std::invalid_argument);
  EXPECT_THROW(r.add(Method::kOther, "/z", SyncHandler(ok)), std::invalid_argument);
  EXPECT_THROW(r.add(Method::kGet, "/z", SyncHandler()), std::invalid_argument);
  r.post("/x/{id}", ok);  // other method: fine
}

TEST(NetRouter, DeepPathsAreBounded) {
  Router r;
  r.get("/a", ok);
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "/a";
  EXPECT_EQ(r.match(Method::kGet, deep).kind, Router::Match::Kind::kNotFound);
}

}  // namespace
}  // namespace gridgate::net
