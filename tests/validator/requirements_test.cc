// Route requirements on token records, with certificates from the pki module (no sockets).
#include "validator/requirements.h"

#include <gtest/gtest.h>

#include "support.h"

namespace gridgate::validator {
namespace {

TokenRecord token(Json claims) {
  auto r = recordFromClaims(std::move(claims), TokenSource::kJwt);
  EXPECT_TRUE(r.has_value());
  return *r;
}

TEST(Requirements, ScopesFromScopeOrScp) {
  const Requirement need = Requirement::scopes({"a", "b"});
  EXPECT_FALSE(need.evaluate(token({{"scope", "a b c"}}), nullptr).has_value());
  EXPECT_FALSE(need.evaluate(token({{"scp", Json::array({"b", "a"})}}), nullptr).has_value());
  EXPECT_FALSE(need.evaluate(token({{"scope", "a"}, {"scp", Json::array({"b"})}}), nullptr));
  EXPECT_EQ(need.evaluate(token({{"scope", "a"}}), nullptr), Reason::kInsufficientScope);
  EXPECT_EQ(need.evaluate(token({{"scope", "ab"}}), nullptr), Reason::kInsufficientScope);
  EXPECT_EQ(need.evaluate(token(Json::object()), nullptr), Reason::kInsufficientScope);
}

TEST(Requirements, Claims) {
  const TokenRecord t = token({{"groups", Json::array({"g1", "g2"})},
                               {"email", "a@example.org"},
                               {"nothing", nullptr},
                               {"n", 5}});
  EXPECT_FALSE(Requirement::hasClaim("email").evaluate(t, nullptr));
  EXPECT_EQ(Requirement::hasClaim("nothing").evaluate(t, nullptr), Reason::kClaimRequirement);
  EXPECT_EQ(Requirement::hasClaim("absent").evaluate(t, nullptr), Reason::kClaimRequirement);
  EXPECT_FALSE(Requirement::hasClaim("groups", "g2").evaluate(t, nullptr));
  EXPECT_FALSE(Requirement::hasClaim("email", "a@example.org").evaluate(t, nullptr));
  EXPECT_EQ(Requirement::hasClaim("email", "a@example").evaluate(t, nullptr),
            Reason::kClaimRequirement);
  EXPECT_EQ(Requirement::hasClaim("n", "5").evaluate(t, nullptr), Reason::kClaimRequirement);

  auto rule = [](Match m, std::size_t n = 1) {
    return *Requirement::claimValues(
        {.claim = "groups", .values = {"g1", "g2", "g3"}, .match = m, .at_least = n});
  };
  EXPECT_EQ(rule(Match::kAll).evaluate(t, nullptr), Reason::kClaimRequirement);
  EXPECT_FALSE(rule(Match::kAny).evaluate(t, nullptr));
  EXPECT_FALSE(rule(Match::kAtLeast, 2).evaluate(t, nullptr));
  EXPECT_EQ(rule(Match::kAtLeast, 3).evaluate(t, nullptr), Reason::kClaimRequirement);
  EXPECT_FALSE(Requirement::claimValues({.claim = "", .values = {"x"}}).has_value());
  EXPECT_FALSE(Requirement::claimValues({.claim = "g", .values = {}}).has_value());
  EXPECT_FALSE(Requirement::claimValues(
                   {.claim = "g", .values = {"x"}, .match = Match::kAtLeast, .at_least = 2})
                   .has_value());
  EXPECT_FALSE(Requirement::claimValues(
                   {.claim = "g", .values = {"not-urn"}, .syntax = ValueSyntax::kAarcG002})
                   .has_value());
}

TEST(Requirements, EntitlementsAtLeast) {
  const TokenRecord t =
      token({{"eduperson_entitlement",
              Json::array({"urn:geant:h-df.de:group:aai-admin:role=member#unity.example",
                           "urn:geant:h-df.de:group:m-team:feudal#unity.example",
                           "not an entitlement"})}});
  auto need = [&](std::vector<std::string> values, Match m, std::size_t n = 1) {
    return *Requirement::claimValues({.claim = "eduperson_entitlement",
                                      .values = std::move(values),
                                      .match = m,
                                      .at_least = n,
                                      .syntax = ValueSyntax::kAarcG002});
  };
  EXPECT_FALSE(
      need({"urn:geant:h-df.de:group:aai-admin", "urn:geant:h-df.de:group:m-team"}, Match::kAll)
          .evaluate(t, nullptr));
  EXPECT_EQ(need({"urn:geant:h-df.de:group:aai-admin:role=owner", "urn:geant:h-df.de:group:x"},
                 Match::kAny)
                .evaluate(t, nullptr),
            Reason::kClaimRequirement);
  EXPECT_FALSE(need({"urn:geant:h-df.de:group:aai-admin", "urn:geant:h-df.de:group:x",
                     "urn:geant:h-df.de:group:m-team:feudal"},
                    Match::kAtLeast, 2)
                   .evaluate(t, nullptr));
}

TEST(Requirements, Combinators) {
  const TokenRecord t = token({{"scope", "a"}, {"groups", "g1"}});
  const Requirement yes = Requirement::scopes({"a"});
  const Requirement no = Requirement::scopes({"b"});
  const Requirement no_claim = Requirement::hasClaim("groups", "g9");
  EXPECT_FALSE(Requirement::allOf({yes, yes}).evaluate(t, nullptr));
  EXPECT_EQ(Requirement::allOf({yes, no}).evaluate(t, nullptr), Reason::kInsufficientScope);
  EXPECT_FALSE(Requirement::anyOf({no, yes}).evaluate(t, nullptr));
  EXPECT_EQ(Requirement::anyOf({no_claim, no}).evaluate(t, nullptr), Reason::kClaimRequirement);
  EXPECT_FALSE(Requirement::atLeast(2, {yes, no, yes}).evaluate(t, nullptr));
  EXPECT_EQ(Requirement::atLeast(3, {yes, no, yes}).evaluate(t, nullptr),
            Reason::kInsufficientScope);
  EXPECT_FALSE(Requirement::atLeast(0, {no}).evaluate(t, nullptr));
  EXPECT_FALSE(Requirement::allOf({}).evaluate(t, nullptr));
  EXPECT_EQ(Requirement::anyOf({}).evaluate(t, nullptr), Reason::kClaimRequirement);

  RouteRequirements route;
  route.require(Requirement::anyOf({Requirement::scopes({"x", "y"}), yes}))
      .require(Requirement::scopes({"y", "z"}));
  EXPECT_EQ(route.scopeAttribute(), "x y a z");
}

TEST(Requirements, CertificateRoleClientAndAudience) {
  const testing::TestPki& pki = testing::testPki();
  const x509::Certificate demo = pki.cert("demo");
  const x509::Certificate provider = pki.cert("provider");
  const TokenRecord t = token(
      {{"client_id", pki.ids.demo_application}, {"aud", Json::array({"https://rs.example"})}});

  const Requirement role = Requirement::certificateRole(pki.ids.client_role);
  EXPECT_FALSE(role.evaluate(t, &demo));
  EXPECT_EQ(role.evaluate(t, &provider), Reason::kMissingRole);
  EXPECT_EQ(role.evaluate(t, nullptr), Reason::kMissingRole);

  const Requirement same = Requirement::clientIdIsCertificateUri();
  EXPECT_FALSE(same.evaluate(t, &demo));
  EXPECT_EQ(same.evaluate(t, &provider), Reason::kClientMismatch);
  EXPECT_EQ(same.evaluate(token(Json::object()), &demo), Reason::kClientMismatch);

  EXPECT_FALSE(Requirement::audience("https://rs.example").evaluate(t, nullptr));
  EXPECT_EQ(Requirement::audience("https://other.example").evaluate(t, nullptr),
            Reason::kWrongAudience);

  auto level = Requirement::fromAccessLevel(
      {.name = "reader",
       .scopes = {"s"},
       .claims = {{.claim = "c", .values = {"urn:bad"}, .syntax = ValueSyntax::kAarcG069}}});
  EXPECT_FALSE(level.has_value());
}

}  // namespace
}  // namespace gridgate::validator
