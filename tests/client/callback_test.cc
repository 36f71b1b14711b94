// Authorization response checks (FAPI-CHECKLIST 88), including the negative inputs of
// tests/testdata/client/callbacks.txt (README there).
#include "client/callback.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace gridgate::client {
namespace {

const CallbackExpectations kExpect{.redirect_uri = "https://client.example/callback",
                                   .state = "s-123",
                                   .issuer = "https://as.example:8000"};

TEST(Callback, AcceptsTheRightResponse) {
  auto r = parseCallback(
      "https://client.example/callback?code=abc&state=s-123&iss=https%3A%2F%2Fas.example%3A8000",
      kExpect);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->code, "abc");
  EXPECT_EQ(r->iss, "https://as.example:8000");
}

TEST(Callback, DefaultPortAndExplicitPortAreTheSameRedirectUri) {
  auto r = parseCallback(
      "https://client.example:443/"
      "callback?code=abc&state=s-123&iss=https%3A%2F%2Fas.example%3A8000",
      kExpect);
  EXPECT_TRUE(r) << r.error().detail;
}

TEST(Callback, AcceptsAPastedQueryString) {
  auto r = parseCallback("?code=abc&state=s-123&iss=https%3A%2F%2Fas.example%3A8000",
                         {.state = "s-123", .issuer = "https://as.example:8000"});
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->code, "abc");
}

TEST(Callback, AccessDeniedIsAResultAfterIssAndStateAreChecked) {
  auto r = parseCallback(
      "https://client.example/callback?error=access_denied&error_description=no&state=s-123&"
      "iss=https%3A%2F%2Fas.example%3A8000",
      kExpect);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->ok());
  EXPECT_EQ(r->error, "access_denied");
  EXPECT_EQ(r->error_description, "no");
}

TEST(Callback, NeedsExpectations) {
  EXPECT_EQ(parseCallback("code=a&state=&iss=x", {.state = "", .issuer = "x"}).error().code,
            Errc::kInvalidArgument);
  EXPECT_EQ(parseCallback("code=a&state=s&iss=", {.state = "s", .issuer = ""}).error().code,
            Errc::kInvalidArgument);
}

// Each line of callbacks.txt: <name> <expected errc> <callback URL>.
TEST(Callback, RefusesEveryNegativeVector) {
  std::ifstream in(std::string(GRIDGATE_TESTDATA_DIR) + "/client/callbacks.txt");
  ASSERT_TRUE(in) << "missing tests/testdata/client/callbacks.txt";
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string name, errc, url;
    fields >> name >> errc >> url;
    ASSERT_FALSE(url.empty()) << line;
    auto r = parseCallback(url, kExpect);
    ASSERT_FALSE(r) << name << " was accepted";
    EXPECT_EQ(errcName(r.error().code), errc) << name << ": " << r.error().detail;
    ++cases;
  }
  EXPECT_GE(cases, 10);
}

}  // namespace
}  // namespace gridgate::client
