#include "core/random.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

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

TEST(RandomTest, BytesOfEverySizeAreDistinctAcrossThreads) {
  // Small requests come from a per-thread buffer, large ones straight from RAND_bytes: every size
  // around the buffer's limits, from several threads, never repeats.
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < per_thread.size(); ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t n : {1u, 16u, 32u, 63u, 64u, 65u, 200u, 512u, 1000u}) {
        for (int i = 0; i < 40; ++i) {
          const Bytes b = randomBytes(n);
          ASSERT_EQ(b.size(), n);
          per_thread[t].emplace_back(b.begin(), b.end());
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> seen;
  for (const auto& list : per_thread) {
    for (const std::string& s : list) {
      if (s.size() < 8) continue;  // 1 byte repeats by chance
      EXPECT_TRUE(seen.insert(s).second) << s.size() << " bytes repeated";
    }
  }
  EXPECT_TRUE(randomBytes(0).empty());
}

TEST(RandomTest, ForkedChildNeverRepeatsTheParentsBytes) {
  (void)randomToken(32);  // the parent's buffer now holds unused bytes
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string t = randomToken(32);
    const auto written = write(fds[1], t.data(), t.size());
    _exit(written == static_cast<ssize_t>(t.size()) ? 0 : 1);
  }
  close(fds[1]);
  const std::string mine = randomToken(32);
  std::string theirs(43, '\0');
  ASSERT_EQ(read(fds[0], theirs.data(), theirs.size()), 43);
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(mine, theirs);
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
