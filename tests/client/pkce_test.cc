#include "client/pkce.h"

#include <gtest/gtest.h>

#include <set>

namespace gridgate::client {
namespace {

TEST(Pkce, Rfc7636AppendixBVector) {
  EXPECT_EQ(s256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, GeneratedVerifierIsValidAndMatchesItsChallenge) {
  const Pkce p = Pkce::generate();
  EXPECT_EQ(p.verifier.size(), 86u);
  EXPECT_TRUE(isValidVerifier(p.verifier));
  EXPECT_EQ(p.challenge, s256Challenge(p.verifier));
  EXPECT_EQ(p.challenge.size(), 43u);
}

TEST(Pkce, EveryRequestGetsAFreshVerifier) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(seen.insert(Pkce::generate().verifier).second);
}

TEST(Pkce, FromVerifierChecksTheGrammar) {
  EXPECT_TRUE(Pkce::fromVerifier(std::string(43, 'a')));
  EXPECT_TRUE(Pkce::fromVerifier(std::string(128, '~')));
  EXPECT_FALSE(Pkce::fromVerifier(std::string(42, 'a')));
  EXPECT_FALSE(Pkce::fromVerifier(std::string(129, 'a')));
  EXPECT_FALSE(Pkce::fromVerifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(Pkce::fromVerifier(std::string(42, 'a') + "="));
  EXPECT_FALSE(Pkce::fromVerifier(std::string(42, 'a') + " "));
  auto p = Pkce::fromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace gridgate::client
