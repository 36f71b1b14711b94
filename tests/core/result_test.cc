#include "core/result.h"

#include <gtest/gtest.h>

namespace gridgate {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return fail(Errc::kInvalidArgument, "odd");
  return x / 2;
}

Status even(int x) {
  if (x % 2 != 0) return fail(Errc::kInvalidArgument, "odd");
  return ok();
}

Result<int> quarter(int x) {
  GG_TRY(const int h, half(x));
  GG_TRY(int q, half(h));
  return q;
}

Status bothEven(int a, int b) {
  GG_TRY(even(a));
  GG_TRY(even(b));
  return ok();
}

TEST(ResultTest, TryPropagates) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  EXPECT_TRUE(bothEven(2, 4));
  EXPECT_FALSE(bothEven(2, 5));
}

TEST(ResultTest, CodeNames) {
  EXPECT_EQ(errcName(Errc::kBadSignature), "bad_signature");
  EXPECT_EQ(errcName(Errc::kUnavailable), "unavailable");
}

}  // namespace
}  // namespace gridgate
