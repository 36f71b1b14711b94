#include "jose/jwt.h"

#include <gtest/gtest.h>

#include "core/base64.h"
#include "jose_test_util.h"

namespace gridgate::jose {
namespace {

using testing::failsWith;

constexpr std::int64_t kNow = 1'700'000'000;

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto jwk = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256), "as-1");
    ASSERT_TRUE(jwk);
    key_ = std::make_unique<Jwk>(*jwk);
    signer_ = std::make_unique<Signer>(*Signer::create(Alg::kES256, *key_));
    verifier_ = std::make_unique<Verifier>(*Verifier::Builder().allow(Alg::kES256, *key_).build());
  }

  static Json claims() {
    return Json{{"iss", "https://as.example"},
                {"aud", "https://rs.example"},
                {"sub", "alice"},
                {"client_id", "c1"},
                {"iat", kNow},
                {"exp", kNow + 300},
                {"jti", "j-1"},
                {"scope", "meter:read account"},
                {"cnf", {{"x5t#S256", "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}}};
  }

  Status check(const Json& c, const ClaimRules& rules, std::string_view typ = "at+jwt") const {
    auto token = signJwt(*signer_, c, typ);
    if (!token) return fail(token.error());
    auto r = verifyJwt(*token, *verifier_, rules, clock_);
    if (!r) return fail(r.error());
    return ok();
  }

  static ClaimRules rules() {
    return ClaimRules::accessToken("https://as.example", "https://rs.example");
  }

  FakeClock clock_{kNow};
  std::unique_ptr<Jwk> key_;
  std::unique_ptr<Signer> signer_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_F(JwtTest, AcceptsAValidAccessTokenAndExposesClaims) {
  auto token = signJwt(*signer_, claims(), "at+jwt");
  ASSERT_TRUE(token);
  auto jwt = verifyJwt(*token, *verifier_, rules(), clock_);
  ASSERT_TRUE(jwt) << jwt.error().detail;
  const JwtClaims& c = jwt->claims;
  EXPECT_EQ(c.iss(), "https://as.example");
  EXPECT_EQ(c.aud(), std::vector<std::string>{"https://rs.example"});
  EXPECT_FALSE(c.audIsArray());
  EXPECT_EQ(c.sub(), "alice");
  EXPECT_EQ(c.clientId(), "c1");
  EXPECT_EQ(c.jti(), "j-1");
  EXPECT_EQ(c.exp(), kNow + 300);
  EXPECT_EQ(c.iat(), kNow);
  EXPECT_FALSE(c.nbf());
  EXPECT_EQ(c.cnfX5tS256(), "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2");
  EXPECT_EQ(c.cnfJkt(), "");
  EXPECT_TRUE(c.hasScope("meter:read"));
  EXPECT_TRUE(c.hasScope("account"));
  EXPECT_FALSE(c.hasScope("meter"));
  EXPECT_FALSE(c.hasScope(""));
  EXPECT_EQ(jwt->jws.kid(), "as-1");
}

TEST_F(JwtTest, ExpWithLeeway) {
  Json c = claims();
  c["exp"] = kNow + 1;
  EXPECT_TRUE(check(c, rules()));
  c["exp"] = kNow;  // "the current time MUST be before exp"
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kExpired));
  ClaimRules r = rules();
  r.leeway = Seconds(30);
  c["exp"] = kNow - 29;
  EXPECT_TRUE(check(c, r));
  c["exp"] = kNow - 30;
  EXPECT_TRUE(failsWith(check(c, r), Errc::kExpired));
  c.erase("exp");
  EXPECT_TRUE(failsWith(check(c, r), Errc::kInvalidClaim));
  r.require_exp = false;
  EXPECT_TRUE(check(c, r));
}

TEST_F(JwtTest, FapiClockRuleForIatAndNbf) {
  struct Case {
    int leeway;
    int ahead;
    bool ok;
  };
  // Up to 10 s ahead always; beyond 60 s never; in between only within the leeway.
  for (const Case t :
       {Case{0, 10, true}, Case{0, 11, false}, Case{30, 30, true}, Case{30, 31, false},
        Case{60, 60, true}, Case{60, 61, false}, Case{5, 10, true}, Case{5, 11, false}}) {
    for (const char* claim : {"iat", "nbf"}) {
      ClaimRules r = rules();
      r.leeway = Seconds(t.leeway);
      Json c = claims();
      c[claim] = kNow + t.ahead;
      const Status s = check(c, r);
      if (t.ok) {
        EXPECT_TRUE(s) << claim << " leeway " << t.leeway << " ahead " << t.ahead;
      } else {
        EXPECT_TRUE(failsWith(s, Errc::kNotYetValid))
            << claim << " leeway " << t.leeway << " ahead " << t.ahead;
      }
    }
  }
  ClaimRules r = rules();
  r.leeway = Seconds(61);
  EXPECT_TRUE(failsWith(check(claims(), r), Errc::kInvalidArgument));
  r.leeway = Seconds(-1);
  EXPECT_TRUE(failsWith(check(claims(), r), Errc::kInvalidArgument));
}

TEST_F(JwtTest, MaxAgeAndRequiredClaims) {
  ClaimRules r = rules();
  r.max_age = Seconds(60);
  Json c = claims();
  c["iat"] = kNow - 60;
  EXPECT_TRUE(check(c, r));
  c["iat"] = kNow - 61;
  EXPECT_TRUE(failsWith(check(c, r), Errc::kExpired));
  c.erase("iat");
  EXPECT_TRUE(failsWith(check(c, r), Errc::kInvalidClaim));
  c = claims();
  c.erase("jti");
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
  c = claims();
  c["jti"] = "";
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
}

TEST_F(JwtTest, TypIsCaseInsensitiveWithOptionalApplicationPrefix) {
  for (const char* typ : {"at+jwt", "AT+JWT", "application/at+jwt", "Application/At+Jwt"}) {
    EXPECT_TRUE(check(claims(), rules(), typ)) << typ;
  }
  for (const char* typ :
       {"JWT", "", "at+jwt ", "application/jwt", "xapplication/at+jwt", "dpop+jwt"}) {
    EXPECT_TRUE(failsWith(check(claims(), rules(), typ), Errc::kInvalidClaim)) << typ;
  }
  ClaimRules r = rules();
  r.typ = "application/at+jwt";
  EXPECT_TRUE(check(claims(), r, "at+jwt"));
}

TEST_F(JwtTest, IssuerAudienceSubject) {
  Json c = claims();
  c["iss"] = "https://as.example/";  // exact string comparison
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
  c.erase("iss");
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
  c = claims();
  c["aud"] = {"https://other.example", "https://rs.example"};
  EXPECT_TRUE(check(c, rules()));
  c["aud"] = {"https://other.example"};
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
  c.erase("aud");
  EXPECT_TRUE(failsWith(check(c, rules()), Errc::kInvalidClaim));
  ClaimRules r = rules();
  r.issuers.push_back("https://as2.example");
  c = claims();
  c["iss"] = "https://as2.example";
  EXPECT_TRUE(check(c, r));
}

TEST_F(JwtTest, ClientAssertionRules) {
  const ClaimRules r = ClaimRules::clientAssertion("c1", "https://as.example");
  Json c{{"iss", "c1"},      {"sub", "c1"}, {"aud", "https://as.example"},
         {"exp", kNow + 60}, {"iat", kNow}, {"jti", "a-1"}};
  EXPECT_TRUE(check(c, r, ""));
  c["aud"] = {"https://as.example"};  // FAPI: an array is refused even if it holds the issuer
  EXPECT_TRUE(failsWith(check(c, r, ""), Errc::kInvalidClaim));
  c["aud"] = "https://as.example/token";
  EXPECT_TRUE(failsWith(check(c, r, ""), Errc::kInvalidClaim));
  c["aud"] = "https://as.example";
  c["sub"] = "c2";
  EXPECT_TRUE(failsWith(check(c, r, ""), Errc::kInvalidClaim));
}

TEST_F(JwtTest, ClaimTypesAreChecked) {
  for (const auto& [name, value] : {std::pair<std::string, Json>{"iss", 1},
                                    {"sub", Json::array()},
                                    {"aud", 5},
                                    {"aud", Json::array()},
                                    {"aud", {"a", 1}},
                                    {"exp", "1700000300"},
                                    {"exp", -1},
                                    {"exp", 1e300},
                                    {"nbf", true},
                                    {"iat", Json::object()},
                                    {"jti", 7},
                                    {"scope", {"a"}},
                                    {"client_id", nullptr},
                                    {"cnf", "x"},
                                    {"cnf", {{"x5t#S256", 1}}}}) {
    Json c = claims();
    c[name] = value;
    EXPECT_TRUE(failsWith(JwtClaims::parse(dumpJson(c)), Errc::kMalformed)) << name << "=" << value;
  }
  EXPECT_TRUE(failsWith(JwtClaims::parse("[]"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(JwtClaims::parse(R"({"sub":"a","sub":"b"})"), Errc::kMalformed));
  EXPECT_TRUE(failsWith(JwtClaims::parse(std::string(20000, ' ')), Errc::kLimitExceeded));
  // Fractional NumericDates round towards less validity.
  auto f = JwtClaims::parse(R"({"exp":1700000300.9,"nbf":1699999999.1,"iat":1699999999.5})");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->exp(), 1700000300);
  EXPECT_EQ(f->nbf(), 1700000000);
  EXPECT_EQ(f->iat(), 1700000000);
}

TEST_F(JwtTest, SignatureIsCheckedBeforeTheClaims) {
  // Malformed claims under a bad signature report the signature, not the claims.
  auto token = signer_->sign(Json{{"typ", "at+jwt"}}, R"({"exp":"soon"})");
  ASSERT_TRUE(token);
  auto other = Jwk::fromKey(*crypto::PKey::generate(crypto::KeyType::kEcP256), "as-1");
  auto v = Verifier::Builder().allow(Alg::kES256, *other).build();
  EXPECT_TRUE(failsWith(verifyJwt(*token, *v, rules(), clock_), Errc::kBadSignature));
  EXPECT_TRUE(failsWith(verifyJwt(*token, *verifier_, rules(), clock_), Errc::kMalformed));
  EXPECT_TRUE(failsWith(signJwt(*signer_, Json::array(), "at+jwt"), Errc::kInvalidArgument));
}

}  // namespace
}  // namespace gridgate::jose
