// Token responses (FAPI-CHECKLIST 92, 93) and the token file's atomic, locked updates.
#include "client/tokens.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "common/files.h"

namespace gridgate::client {
namespace {

namespace fs = std::filesystem;

using test_support::TempDir;

TEST(TokenResponse, TokenTypeIsCaseInsensitive) {
  for (const char* type : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    auto t = TokenResponse::parse(
        std::string(R"({"access_token":"at","token_type":")") + type + R"(","expires_in":300})",
        1000);
    ASSERT_TRUE(t) << type << ": " << t.error().detail;
    EXPECT_EQ(t->expires_at, 1300);
  }
  EXPECT_EQ(TokenResponse::parse(R"({"access_token":"at","token_type":"DPoP"})", 0).error().code,
            Errc::kUnsupported);
  EXPECT_EQ(TokenResponse::parse(R"({"access_token":"at","token_type":"mac"})", 0).error().code,
            Errc::kUnsupported);
}

TEST(TokenResponse, ToleratesAMissingExpiresIn) {
  auto t = TokenResponse::parse(R"({"access_token":"at","token_type":"Bearer"})", 1000);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->expires_in);
  EXPECT_FALSE(t->expires_at);
  auto s = TokenResponse::parse(R"({"access_token":"at","token_type":"Bearer","expires_in":"60"})",
                                1000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->expires_at, 1060);
}

TEST(TokenResponse, RefusesBrokenResponses) {
  for (const char* body :
       {R"({"token_type":"Bearer"})", R"({"access_token":"at"})",
        R"({"access_token":1,"token_type":"Bearer"})",
        R"({"access_token":"at","token_type":"Bearer","expires_in":-5})",
        R"({"access_token":"at","token_type":"Bearer","expires_in":"soon"})",
        R"({"access_token":"at","token_type":"Bearer","refresh_token":7})", "[]", "not json",
        R"({"access_token":"a","access_token":"b","token_type":"Bearer"})"}) {
    EXPECT_FALSE(TokenResponse::parse(body, 0)) << body;
  }
}

TEST(StoredTokens, ARotatedRefreshTokenReplacesTheOldOneAndNoneKeepsIt) {
  auto first = TokenResponse::parse(
      R"({"access_token":"at1","token_type":"Bearer","refresh_token":"rt1","id_token":"id1","scope":"s"})",
      10);
  ASSERT_TRUE(first);
  StoredTokens s = StoredTokens::fromResponse("https://as", "https://client", *first, 10);
  EXPECT_EQ(s.refresh_token, "rt1");
  auto plain = TokenResponse::parse(R"({"access_token":"at2","token_type":"bearer"})", 20);
  ASSERT_TRUE(plain);
  s.apply(*plain, 20);
  EXPECT_EQ(s.access_token, "at2");
  EXPECT_EQ(s.refresh_token, "rt1");  // not rotated: kept
  EXPECT_EQ(s.id_token, "id1");
  EXPECT_EQ(s.scope, "s");
  auto rotated = TokenResponse::parse(
      R"({"access_token":"at3","token_type":"Bearer","refresh_token":"rt2","expires_in":5})", 30);
  ASSERT_TRUE(rotated);
  s.apply(*rotated, 30);
  EXPECT_EQ(s.refresh_token, "rt2");
  EXPECT_EQ(s.expires_at, 35);
  auto back = StoredTokens::fromJson(s.toJson());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->toJson(), s.toJson());
}

TEST(TokenFile, SavedWithMode0600AndReadBack) {
  TempDir dir;
  const fs::path file = dir.path() / "tokens.json";
  StoredTokens s;
  s.issuer = "https://as";
  s.refresh_token = "rt";
  ASSERT_TRUE(saveTokenFile(file, s));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = loadTokenFile(file);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->refresh_token, "rt");
  // Nothing else is left in the directory (the temp file was renamed).
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}

TEST(TokenFile, MissingAndBrokenFiles) {
  TempDir dir;
  EXPECT_EQ(loadTokenFile(dir.path() / "none.json").error().code, Errc::kNotFound);
  std::ofstream(dir.path() / "bad.json") << "{not json";
  EXPECT_EQ(loadTokenFile(dir.path() / "bad.json").error().code, Errc::kMalformed);
  std::ofstream(dir.path() / "types.json") << R"({"refresh_token": 5})";
  EXPECT_EQ(loadTokenFile(dir.path() / "types.json").error().code, Errc::kMalformed);
}

TEST(TokenFile, RefusesToWriteThroughASymlink) {
  TempDir dir;
  const fs::path target = dir.path() / "elsewhere";
  std::ofstream(target) << "keep";
  fs::create_symlink(target, dir.path() / "tokens.json");
  EXPECT_EQ(saveTokenFile(dir.path() / "tokens.json", StoredTokens{}).error().code,
            Errc::kInvalidArgument);
  std::ifstream in(target);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "keep");
}

TEST(TokenFile, UpdatesUnderTheLockLoseNothing) {
  // Four writers each apply 20 increments through read-modify-write: without the lock some
  // increments would be lost (a rotated refresh token overwritten by a stale one).
  TempDir dir;
  const fs::path file = dir.path() / "tokens.json";
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        auto r = updateTokenFile(file, [](StoredTokens& s) -> Status {
          s.updated_at += 1;
          s.refresh_token = "rt-" + std::to_string(s.updated_at);
          return ok();
        });
        ASSERT_TRUE(r) << r.error().detail;
      }
    });
  }
  for (auto& th : threads) th.join();
  auto final_tokens = loadTokenFile(file);
  ASSERT_TRUE(final_tokens);
  EXPECT_EQ(final_tokens->updated_at, 80);
  EXPECT_EQ(final_tokens->refresh_token, "rt-80");
}

TEST(TokenFile, AFailedEditLeavesTheFileAlone) {
  TempDir dir;
  const fs::path file = dir.path() / "tokens.json";
  StoredTokens s;
  s.refresh_token = "old";
  ASSERT_TRUE(saveTokenFile(file, s));
  auto r = updateTokenFile(file, [](StoredTokens& t) -> Status {
    t.refresh_token = "half-done";
    return fail(Errc::kUnavailable, "refresh failed");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(loadTokenFile(file)->refresh_token, "old");
}

}  // namespace
}  // namespace gridgate::client
