#include "validator/bearer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gridgate::validator {
namespace {

tl::expected<std::string_view, AuthError> extract(std::vector<std::string_view> headers,
                                                  bool in_query = false, bool in_body = false) {
  RequestView v;
  v.authorization = headers;
  v.token_in_query = in_query;
  v.token_in_body = in_body;
  return extractBearer(v);
}

Reason reasonOf(const tl::expected<std::string_view, AuthError>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? Reason::kNeedsIo : r.error().reason;
}

TEST(Bearer, SchemeIsCaseInsensitive) {
  for (const char* h :
       {"Bearer abc", "bearer abc", "BEARER abc", "bEaReR abc", "Bearer   abc", "  Bearer abc  "}) {
    auto r = extract({h});
    ASSERT_TRUE(r.has_value()) << h;
    EXPECT_EQ(*r, "abc") << h;
  }
}

TEST(Bearer, B64TokenGrammar) {
  EXPECT_TRUE(isB64Token("abc-._~+/XYZ019"));
  EXPECT_TRUE(isB64Token("abc=="));
  EXPECT_FALSE(isB64Token("=="));
  EXPECT_FALSE(isB64Token(""));
  EXPECT_FALSE(isB64Token("a=b"));
  EXPECT_FALSE(isB64Token("a b"));
  EXPECT_FALSE(isB64Token("a,b"));
  EXPECT_FALSE(isB64Token("a\"b"));
  EXPECT_FALSE(isB64Token(std::string("a\0b", 3)));
  EXPECT_EQ(reasonOf(extract({"Bearer a b"})), Reason::kMalformedAuthorization);
  EXPECT_EQ(reasonOf(extract({"Bearer a,b"})), Reason::kMalformedAuthorization);
  EXPECT_EQ(reasonOf(extract({"Bearer"})), Reason::kMalformedAuthorization);
  EXPECT_EQ(reasonOf(extract({"Bearer "})), Reason::kMalformedAuthorization);
  EXPECT_EQ(reasonOf(extract({"Bearer\tabc"})), Reason::kNoToken);  // "Bearer\tabc" is no scheme
  const std::string huge = "Bearer " + std::string(kMaxTokenBytes + 1, 'a');
  EXPECT_EQ(reasonOf(extract({huge})), Reason::kMalformedAuthorization);
}

TEST(Bearer, OtherSchemesCarryNoBearerToken) {
  EXPECT_EQ(reasonOf(extract({"Basic dXNlcjpwYXNz"})), Reason::kNoToken);
  EXPECT_EQ(reasonOf(extract({"DPoP abc"})), Reason::kNoToken);
  EXPECT_EQ(reasonOf(extract({"Bearerabc"})), Reason::kNoToken);
  EXPECT_EQ(reasonOf(extract({""})), Reason::kNoToken);
  EXPECT_EQ(reasonOf(extract({})), Reason::kNoToken);
}

TEST(Bearer, OneHeaderOneMethod) {
  EXPECT_EQ(reasonOf(extract({"Bearer a", "Bearer a"})), Reason::kDuplicateAuthorization);
  EXPECT_EQ(reasonOf(extract({"Bearer a", "Basic b"})), Reason::kDuplicateAuthorization);
  // The query and body are refused even next to a good header, and before it is looked at.
  EXPECT_EQ(reasonOf(extract({"Bearer a"}, true)), Reason::kTokenInQuery);
  EXPECT_EQ(reasonOf(extract({}, false, true)), Reason::kTokenInBody);
  EXPECT_EQ(reasonOf(extract({"Bearer a", "Bearer b"}, true)), Reason::kTokenInQuery);
}

TEST(Bearer, AccessTokenParameterDetection) {
  EXPECT_TRUE(queryHasAccessToken("access_token=x"));
  EXPECT_TRUE(queryHasAccessToken("a=1&access_token=x&b=2"));
  EXPECT_TRUE(queryHasAccessToken("access_token"));
  EXPECT_TRUE(queryHasAccessToken("access%5Ftoken=x"));
  EXPECT_TRUE(queryHasAccessToken("%61ccess_token=x"));
  EXPECT_TRUE(formHasAccessToken("x=1&access_token="));
  EXPECT_FALSE(queryHasAccessToken(""));
  EXPECT_FALSE(queryHasAccessToken("from=2024-01-01&to=2024-02-01"));
  EXPECT_FALSE(queryHasAccessToken("my_access_token=x"));
  EXPECT_FALSE(queryHasAccessToken("access_tokens=x"));
  EXPECT_FALSE(queryHasAccessToken("x=access_token"));
  EXPECT_FALSE(queryHasAccessToken("access+token=x"));
  EXPECT_FALSE(queryHasAccessToken("access%5=x"));
  EXPECT_FALSE(queryHasAccessToken("%"));
}

}  // namespace
}  // namespace gridgate::validator
