#include "provenance/container.h"

#include <gtest/gtest.h>

namespace gridgate::provenance {
namespace {

Element step(std::string s) { return Element{std::move(s)}; }

// PERSEUS.md, "Nesting example", reproduced exactly.
TEST(ContainerTest, PerseusNestingExample) {
  Container inner{{step("S1"), step("S2")}, {"111", "T1", "SIGA"}};
  Container outer{{Element{inner}, step("S3")}, {"98765", "T2", "SIGB"}};
  EXPECT_EQ(signingInput("TF", outer), "TF.%.S1.S2.%.0.111.T1.SIGA.&.&.S3.0.98765.T2");
  EXPECT_EQ(signingInput("TF", inner), "TF.S1.S2.0.111.T1");
  EXPECT_EQ(containerToJson(outer).dump(),
            R"([["S1","S2",[0,"111","T1","SIGA"]],"S3",[0,"98765","T2","SIGB"]])");
}

TEST(ContainerTest, DeeperNestingWrapsEachLevel) {
  Container a{{step("A1")}, {"1", "TA", "SA"}};
  Container b{{Element{a}, step("B1")}, {"2", "TB", "SB"}};
  Container c{{step("C1"), Element{b}}, {"3", "TC", "SC"}};
  EXPECT_EQ(signingInput("TF", c), "TF.C1.%.%.A1.%.0.1.TA.SA.&.&.B1.%.0.2.TB.SB.&.&.0.3.TC");
}

const char* kValid = R"([["UzE=","UzI=",[0,"111","2024-01-01T00:00:00Z","U0lHQQ=="]],"UzM=",)"
                     R"([0,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])";

TEST(ContainerTest, ParsesAndRoundTrips) {
  auto j = parseJson(kValid);
  ASSERT_TRUE(j);
  auto c = parseContainer(*j);
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_EQ(c->elements.size(), 2u);
  EXPECT_FALSE(c->elements[0].isStep());
  EXPECT_EQ(c->elements[0].nested().signature.serial, "111");
  EXPECT_EQ(c->signature.timestamp, "2024-01-02T00:00:00Z");
  EXPECT_EQ(containerToJson(*c), *j);
}

TEST(ContainerTest, RefusesMalformedSignatureBlocks) {
  for (const char* bad : {
           R"(["UzM=",[1,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",    // version 1
           R"(["UzM=",[0.0,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",  // float version
           R"(["UzM=",[false,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",
           R"(["UzM=",["0","98765","2024-01-02T00:00:00Z","U0lHQg=="]])",
           R"(["UzM=",[0,"098765","2024-01-02T00:00:00Z","U0lHQg=="]])",  // leading zero
           R"(["UzM=",[0,"-5","2024-01-02T00:00:00Z","U0lHQg=="]])",
           R"(["UzM=",[0,98765,"2024-01-02T00:00:00Z","U0lHQg=="]])",  // serial as number
           R"(["UzM=",[0,"98765","2024-01-02 00:00:00","U0lHQg=="]])",
           R"(["UzM=",[0,"98765","2024-01-02T00:00:00Z","U0lHQg"]])",  // unpadded
           R"(["UzM=",[0,"98765","2024-01-02T00:00:00Z","U0lHQg==","x"]])",
           R"(["UzM=",[0,"98765","2024-01-02T00:00:00Z"]])",
           R"([[0,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",  // no content
           R"(["UzM=",5,[0,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",
           R"(["",[0,"98765","2024-01-02T00:00:00Z","U0lHQg=="]])",
           R"({"steps":1})",
       }) {
    auto j = parseJson(bad);
    ASSERT_TRUE(j) << bad;
    EXPECT_FALSE(parseContainer(*j)) << bad;
  }
}

TEST(ContainerTest, EnforcesNestingAndCountLimits) {
  std::string text = R"("UzM=",[0,"1","2024-01-02T00:00:00Z","U0lHQg=="])";
  for (int i = 0; i < 10; ++i) {
    text = "[" + text + "]," + R"("UzM=",[0,"1","2024-01-02T00:00:00Z","U0lHQg=="])";
  }
  auto j = parseJson("[" + text + "]");
  ASSERT_TRUE(j);
  auto r = parseContainer(*j);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kLimitExceeded);
  ContainerLimits few;
  few.max_steps = 1;
  auto two = parseJson(R"(["UzE=","UzI=",[0,"1","2024-01-02T00:00:00Z","U0lHQg=="]])");
  ASSERT_TRUE(two);
  EXPECT_FALSE(parseContainer(*two, few));
}

TEST(ContainerTest, CanonicalSerials) {
  EXPECT_TRUE(isCanonicalSerial("0"));
  EXPECT_TRUE(isCanonicalSerial("123456789012345678901234567890"));
  EXPECT_FALSE(isCanonicalSerial(""));
  EXPECT_FALSE(isCanonicalSerial("01"));
  EXPECT_FALSE(isCanonicalSerial("+1"));
  EXPECT_FALSE(isCanonicalSerial("1 "));
  EXPECT_FALSE(isCanonicalSerial("0x1f"));
}

}  // namespace
}  // namespace gridgate::provenance
