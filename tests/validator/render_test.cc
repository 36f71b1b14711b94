#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/json.h"
#include "validator/auth_error.h"

namespace gridgate::validator {
namespace {

std::string header(const WireError& w, std::string_view name) {
  for (const auto& [n, v] : w.headers) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(Render, MissingTokenHasNoErrorAttribute) {
  const WireError w = render(AuthError{Reason::kNoToken, "x", {}}, "perseus", Seconds(10));
  EXPECT_EQ(w.status, 401);
  EXPECT_EQ(header(w, "WWW-Authenticate"), "Bearer realm=\"perseus\"");
  EXPECT_EQ(header(w, "Cache-Control"), "no-store");
  EXPECT_TRUE(w.body.empty());
}

TEST(Render, InvalidToken) {
  const WireError w = render(AuthError{Reason::kExpired, "jwt: exp passed 3 s ago (internal)", {}},
                             "perseus", Seconds(10));
  EXPECT_EQ(w.status, 401);
  EXPECT_EQ(header(w, "WWW-Authenticate"),
            "Bearer realm=\"perseus\", error=\"invalid_token\", "
            "error_description=\"the access token expired\"");
  EXPECT_EQ(header(w, "Cache-Control"), "no-store");
  EXPECT_EQ(w.content_type, "application/json");
  auto body = parseJsonObject(w.body);
  ASSERT_TRUE(body.has_value());
  EXPECT_EQ((*body)["error"], "invalid_token");
  EXPECT_EQ(w.body.find("internal"), std::string::npos);
}

TEST(Render, InsufficientScopeNamesTheScope) {
  const WireError w = render(AuthError{Reason::kInsufficientScope, "", "https://l.example/x a"},
                             "perseus", Seconds(10));
  EXPECT_EQ(w.status, 403);
  EXPECT_EQ(header(w, "WWW-Authenticate"),
            "Bearer realm=\"perseus\", error=\"insufficient_scope\", "
            "error_description=\"the access token lacks a required scope\", "
            "scope=\"https://l.example/x a\"");
  // A scope outside RFC 6750's syntax is left out rather than breaking the header.
  const WireError bad =
      render(AuthError{Reason::kInsufficientScope, "", "a\"b"}, "perseus", Seconds(10));
  EXPECT_EQ(header(bad, "WWW-Authenticate").find("scope="), std::string::npos);
}

TEST(Render, InvalidRequest) {
  for (Reason r : {Reason::kTokenInQuery, Reason::kTokenInBody, Reason::kDuplicateAuthorization,
                   Reason::kMalformedAuthorization, Reason::kBadCertificateHeader}) {
    const WireError w = render(AuthError{r, "", {}}, "rs", Seconds(10));
    EXPECT_EQ(w.status, 400) << reasonName(r);
    EXPECT_NE(header(w, "WWW-Authenticate").find("error=\"invalid_request\""), std::string::npos);
  }
}

TEST(Render, UnavailableIs503WithRetryAfter) {
  const WireError w = render(
      AuthError{
          Reason::kIssuerUnavailable, "jwks https://as.internal:9000/jwks: connection refused", {}},
      "rs", Seconds(30));
  EXPECT_EQ(w.status, 503);
  EXPECT_EQ(header(w, "Retry-After"), "30");
  EXPECT_EQ(header(w, "Cache-Control"), "no-store");
  EXPECT_EQ(header(w, "WWW-Authenticate"), "<absent>");
  EXPECT_EQ(w.body.find("internal"), std::string::npos);
  EXPECT_EQ(w.body.find("9000"), std::string::npos);
}

TEST(Render, EveryReasonHasAStatusAndName) {
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    const auto r = static_cast<Reason>(i);
    EXPECT_NE(reasonName(r), "unknown");
    const int s = httpStatus(r);
    EXPECT_TRUE(s == 400 || s == 401 || s == 403 || s == 503 || r == Reason::kNeedsIo);
    if (s == 401 && r != Reason::kNoToken) {
      EXPECT_EQ(errorCode(r), "invalid_token");
    }
  }
}

}  // namespace
}  // namespace gridgate::validator
