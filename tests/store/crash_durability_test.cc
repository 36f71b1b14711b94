// Crash durability of the SQLite store: a child process (store_crash_writer) writes and reports
// each acknowledged write on a pipe; the parent kills it with SIGKILL (while idle, and in the
// middle of a stream of writes from one or several threads), reopens the database, and checks that
// every acknowledged write is there: grants exist, revocations are set, consumed request URIs stay
// consumed, and the file passes SQLite's integrity check.
//
// SIGKILL tests a process crash: the kernel keeps what was written. A power loss is what
// synchronous = FULL adds (fsync per commit); no test here can pull the plug.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "temp_dir.h"

extern char** environ;

namespace gridgate::store {
namespace {

using conformance::TempDir;

struct Acknowledged {
  std::set<std::string> grants;
  std::set<std::string> consumed;
  std::set<std::string> revoked;
};

// The child, its stdout pipe, and the lines read so far.
class Writer {
 public:
  explicit Writer(std::vector<std::string> args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    args.insert(args.begin(), STORE_CRASH_WRITER);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, STORE_CRASH_WRITER, &actions, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    fd_ = fds[0];
  }
  ~Writer() {
    if (pid_ > 0) kill();
    if (fd_ >= 0) ::close(fd_);
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  bool started() const { return pid_ > 0 && fd_ >= 0; }

  // Reads lines until `done(acknowledged)` holds; false on EOF or after 60 s.
  template <class Done>
  bool readUntil(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done(acked_)) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return false;
      pending_.append(buf, static_cast<std::size_t>(n));
      for (std::size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
        parse(pending_.substr(0, nl));
        pending_.erase(0, nl + 1);
      }
    }
    return true;
  }

  // SIGKILL, reaped. What was acknowledged before the kill is in acknowledged(); a line still in
  // the pipe was also acknowledged (the write had returned), so the pipe is drained too.
  bool kill() {
    if (pid_ <= 0) return false;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    readUntil([](const Acknowledged&) { return false; });  // drains to EOF
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  }

  const Acknowledged& acknowledged() const { return acked_; }
  bool ready() const { return ready_; }

 private:
  void parse(const std::string& line) {
    const auto space = line.find(' ');
    const std::string kind = line.substr(0, space);
    const std::string id = space == std::string::npos ? "" : line.substr(space + 1);
    if (kind == "ready") ready_ = true;
    if (kind == "grant") acked_.grants.insert(id);
    if (kind == "consumed") acked_.consumed.insert(id);
    if (kind == "revoked") acked_.revoked.insert(id);
  }

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pending_;
  Acknowledged acked_;
  bool ready_ = false;
};

std::string integrityCheck(const std::filesystem::path& path) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

// Every acknowledged write is in the reopened database.
void expectSurvived(const std::filesystem::path& path, const Acknowledged& acked) {
  auto opened = openSqlite({.path = path});
  ASSERT_TRUE(opened.has_value()) << opened.error().detail;
  std::shared_ptr<Store> store = *opened;
  for (const auto& id : acked.grants) {
    auto grant = store->grants().find(id);
    EXPECT_TRUE(grant.has_value()) << "acknowledged grant " << id << " lost";
  }
  for (const auto& id : acked.revoked) {
    auto grant = store->grants().find(id);
    ASSERT_TRUE(grant.has_value()) << id;
    EXPECT_TRUE(grant->revoked_at.has_value()) << "acknowledged revocation of " << id << " lost";
  }
  for (const auto& hash : acked.consumed) {
    auto again = store->pars().consume(hash, 1'700'000'000);
    ASSERT_FALSE(again.has_value()) << "request " << hash << " consumable again after the crash";
    EXPECT_EQ(again.error().code, Errc::kAlreadyUsed) << again.error().detail;
  }
  store.reset();
  EXPECT_EQ(integrityCheck(path), "ok");
}

TEST(CrashDurability, GrantAcknowledgedThenKilledSurvives) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    TempDir dir;
    const auto path = dir.path() / "gridgate.db";
    Writer writer({path.string(), "one", "full"});
    ASSERT_TRUE(writer.started());
    ASSERT_TRUE(writer.readUntil([](const Acknowledged& a) { return a.grants.count("g-once"); }))
        << "the writer never acknowledged";
    ASSERT_TRUE(writer.kill());
    expectSurvived(path, writer.acknowledged());
  }
}

struct StreamCase {
  const char* sync;
  int threads;
  std::size_t kill_after;  // acknowledged grants before SIGKILL
};

std::string streamCaseName(const ::testing::TestParamInfo<StreamCase>& param_info) {
  const StreamCase& c = param_info.param;
  return std::string(c.sync) + "_" + std::to_string(c.threads) + "threads_" +
         std::to_string(c.kill_after);
}

class CrashDuringStream : public ::testing::TestWithParam<StreamCase> {};

TEST_P(CrashDuringStream, EveryAcknowledgedWriteSurvives) {
  const StreamCase c = GetParam();
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  Writer writer({path.string(), "stream", c.sync, std::to_string(c.threads)});
  ASSERT_TRUE(writer.started());
  ASSERT_TRUE(writer.readUntil([&](const Acknowledged& a) {
    return a.grants.size() >= c.kill_after;
  })) << "the writer stopped early";
  ASSERT_TRUE(writer.kill());  // the child is mid-write: it never stops between our reads
  const Acknowledged& acked = writer.acknowledged();
  EXPECT_GE(acked.grants.size(), c.kill_after);
  expectSurvived(path, acked);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CrashDuringStream,
                         ::testing::Values(StreamCase{"full", 1, 1}, StreamCase{"full", 1, 25},
                                           StreamCase{"full", 1, 200}, StreamCase{"full", 4, 50},
                                           StreamCase{"full", 4, 300}, StreamCase{"normal", 1, 300},
                                           StreamCase{"normal", 4, 500}),
                         streamCaseName);

}  // namespace
}  // namespace gridgate::store
