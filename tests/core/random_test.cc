#include "core/random.h"

#include <gtest/gtest.h>

#include <set>

#include "core/log.h"
#include "core/secure_compare.h"

namespace gridgate {
namespace {

TEST(RandomTest, TokensAreDistinctAndSized) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string t = randomToken(32);
    EXPECT_EQ(t.size(), 43U);
    EXPECT_TRUE(seen.insert(t).second);
  }
}

TEST(RandomTest, UuidV4) {
  const std::string id = uuidV4();
  EXPECT_TRUE(isUuid(id));
  EXPECT_EQ(id[14], '4');
  EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
  EXPECT_NE(uuidV4(), id);
  EXPECT_FALSE(isUuid("not-a-uuid"));
  EXPECT_FALSE(isUuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_TRUE(isUuid("123E4567-E89B-12D3-A456-426614174000"));
}

TEST(SecureCompareTest, Compares) {
  EXPECT_TRUE(secureEquals("abc", "abc"));
  EXPECT_FALSE(secureEquals("abc", "abd"));
  EXPECT_FALSE(secureEquals("abc", "abcd"));
  EXPECT_TRUE(secureEquals("", ""));
}

TEST(RedactTest, HidesSecret) {
  const std::string r = redact("eyJhbGciOiJFUzI1NiJ9.secret");
  EXPECT_EQ(r.find("eyJ"), std::string::npos);
  EXPECT_NE(r.find("27"), std::string::npos);
}

}  // namespace
}  // namespace gridgate
