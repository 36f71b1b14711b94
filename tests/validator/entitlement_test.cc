#include "validator/entitlement.h"

#include <gtest/gtest.h>

namespace gridgate::validator {
namespace {

Entitlement g002(std::string_view s) {
  auto e = Entitlement::parse(s, ValueSyntax::kAarcG002);
  EXPECT_TRUE(e.has_value()) << s << ": " << (e ? "" : e.error().detail);
  return *e;
}
Entitlement g069(std::string_view s) {
  auto e = Entitlement::parse(s, ValueSyntax::kAarcG069);
  EXPECT_TRUE(e.has_value()) << s << ": " << (e ? "" : e.error().detail);
  return *e;
}

TEST(Entitlement, Parses) {
  const Entitlement e =
      g002("urn:geant:h-df.de:sub1:sub2:group:aai-admin:staff:role=member#unity.example.org");
  EXPECT_EQ(e.nid(), "geant");
  EXPECT_EQ(e.delegatedNamespace(), "h-df.de");
  EXPECT_EQ(e.subnamespaces(), (std::vector<std::string>{"sub1", "sub2"}));
  EXPECT_EQ(e.group(), "aai-admin");
  EXPECT_EQ(e.subgroups(), (std::vector<std::string>{"staff"}));
  EXPECT_EQ(e.role(), "member");
  EXPECT_EQ(e.authority(), "unity.example.org");
  EXPECT_EQ(e.toString(),
            "urn:geant:h-df.de:sub1:sub2:group:aai-admin:staff:role=member#unity.example.org");
}

TEST(Entitlement, RefusesMalformed) {
  for (const char* s :
       {"", "geant:h-df.de:group:x", "urn:geant:group:x", "urn:geant:h-df.de:x",
        "urn:geant:h-df.de:group:", "urn:geant:h-df.de:group:x::y", "urn:geant:h-df.de:group:x#",
        "urn:geant:h-df.de:group:x:role=", "urn:geant:h-df.de:group:role=x",
        "urn:geant:h-df.de:group:a b", "urn::h-df.de:group:x"}) {
    EXPECT_FALSE(Entitlement::parse(s, ValueSyntax::kAarcG002).has_value()) << s;
  }
  EXPECT_FALSE(Entitlement::parse("urn:a:b:group:%zz", ValueSyntax::kAarcG069).has_value());
  EXPECT_FALSE(Entitlement::parse("urn:a:b:group:x", ValueSyntax::kPlain).has_value());
}

// The cases of the AARC-G002 reference library's examples, with the rules of its successor.
TEST(Entitlement, MatchingRules) {
  const auto need = [](std::string_view s) { return g002(s); };
  // Different authorities, everything else equal.
  EXPECT_TRUE(g002("urn:geant:h-df.de:group:aai-admin:role=member#backup.example")
                  .satisfies(need("urn:geant:h-df.de:group:aai-admin:role=member#unity.example")));
  // Role assigned but not required.
  EXPECT_TRUE(g002("urn:geant:h-df.de:group:aai-admin:role=member#b.example")
                  .satisfies(need("urn:geant:h-df.de:group:aai-admin")));
  // Role required but not assigned.
  EXPECT_FALSE(g002("urn:geant:h-df.de:group:aai-admin#b.example")
                   .satisfies(need("urn:geant:h-df.de:group:aai-admin:role=member")));
  // Subgroup required, only the parent held.
  EXPECT_FALSE(g002("urn:geant:h-df.de:group:aai-admin#b.example")
                   .satisfies(need("urn:geant:h-df.de:group:aai-admin:special-admins")));
  // Member of a subgroup, the parent required.
  EXPECT_TRUE(g002("urn:geant:h-df.de:group:aai-admin:testgroup:special-admins#b.example")
                  .satisfies(need("urn:geant:h-df.de:group:aai-admin")));
  // Role required on the parent, held only on a subgroup.
  EXPECT_FALSE(g002("urn:geant:h-df.de:group:aai-admin:special-admins:role=admin#b.example")
                   .satisfies(need("urn:geant:h-df.de:group:aai-admin:role=admin")));
  // Subgroups are a path, not a set.
  EXPECT_FALSE(
      g002("urn:geant:h-df.de:group:a:y:x#b").satisfies(need("urn:geant:h-df.de:group:a:x")));
  // Namespaces must match exactly, subnamespaces included.
  EXPECT_FALSE(
      g002("urn:geant:h-df.de:extra:group:a#b").satisfies(need("urn:geant:h-df.de:group:a")));
  EXPECT_FALSE(g002("urn:geant:other.de:group:a#b").satisfies(need("urn:geant:h-df.de:group:a")));
  EXPECT_FALSE(g002("urn:geant:h-df.de:group:ab#b").satisfies(need("urn:geant:h-df.de:group:a")));
}

TEST(Entitlement, CaseRules) {
  // RFC 8141: "urn" and the NID are case-insensitive in both syntaxes; the rest is not in G002.
  EXPECT_TRUE(g002("URN:GEANT:h-df.de:group:a#x").satisfies(g002("urn:geant:h-df.de:group:a")));
  EXPECT_FALSE(g002("urn:geant:H-DF.de:group:a#x").satisfies(g002("urn:geant:h-df.de:group:a")));
  EXPECT_FALSE(g002("urn:geant:h-df.de:group:A#x").satisfies(g002("urn:geant:h-df.de:group:a")));
  // G069 normalises the delegated namespace and percent-encodings.
  const Entitlement n = g069("UrN:NiD:ExAmPlE.oRg:group:Minun%20Ryhm%c3%a4ni");
  EXPECT_EQ(n.toString(), "urn:nid:example.org:group:Minun%20Ryhm%C3%A4ni");
  EXPECT_TRUE(n.satisfies(g069("urn:nid:example.org:group:Minun%20Ryhm%C3%A4ni")));
  EXPECT_FALSE(n.satisfies(g069("urn:nid:example.org:group:minun%20Ryhm%C3%A4ni")));
}

}  // namespace
}  // namespace gridgate::validator
