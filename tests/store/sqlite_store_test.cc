// The conformance suite on SQLite (a file per test, a file with no reader pool, and :memory:),
// and what only the SQLite store promises: file permissions, WAL, schema versions and migrations,
// error mapping, and that a lock held by another process makes writes fail (kUnavailable) without
// blocking readers.
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/schema.h"
#include "store_conformance.h"

namespace gridgate::store {
namespace {

using conformance::BackendParam;
using conformance::StoreBackend;
using conformance::StoreConformanceTest;
using conformance::TempDir;

class SqliteFileBackend final : public StoreBackend {
 public:
  explicit SqliteFileBackend(std::size_t readers) {
    options_.path = dir_.path() / "gridgate.db";
    options_.readers = readers;
  }
  Result<std::shared_ptr<Store>> open() override { return openSqlite(options_); }
  bool durable() const override { return true; }
  Result<std::shared_ptr<Store>> reopen() override { return openSqlite(options_); }

 private:
  TempDir dir_;
  SqliteOptions options_;
};

class SqliteMemoryBackend final : public StoreBackend {
 public:
  Result<std::shared_ptr<Store>> open() override { return openSqlite({.path = kSqliteInMemory}); }
  bool durable() const override { return false; }
  Result<std::shared_ptr<Store>> reopen() override {
    return fail(Errc::kUnsupported, "an in-memory database does not survive closing");
  }
};

INSTANTIATE_TEST_SUITE_P(
    Sqlite, StoreConformanceTest,
    ::testing::Values(
        BackendParam{"file", [] { return std::make_unique<SqliteFileBackend>(4); }},
        BackendParam{"file_writer_only", [] { return std::make_unique<SqliteFileBackend>(0); }},
        BackendParam{"memory", [] { return std::make_unique<SqliteMemoryBackend>(); }}),
    conformance::backendName);

// A raw connection to inspect or tamper with a database file from the outside.
struct RawDb {
  explicit RawDb(const std::filesystem::path& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
  }
  ~RawDb() { sqlite3_close(db); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
  std::string text(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const auto* p = sqlite3_column_text(stmt, 0);
      if (p != nullptr) out = reinterpret_cast<const char*>(p);
    }
    sqlite3_finalize(stmt);
    return out;
  }
  sqlite3* db = nullptr;
};

unsigned modeOf(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

Grant sampleGrant(std::string id) {
  return Grant{.id = id,
               .evidence_id = "ev-" + id,
               .client_id = "c",
               .subject = "s",
               .scope = "l",
               .authorization_details = "",
               .granted_at = 1,
               .expires_at = 2'000'000'000,
               .data_available_from = 0,
               .token_issued_at = 0,
               .token_expires_at = 0,
               .revoked_at = std::nullopt};
}

TEST(SqliteStore, DatabaseWalAndShmFilesArePrivate) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  const mode_t old_umask = ::umask(0);  // even with a permissive umask
  auto store = openSqlite({.path = path});
  ::umask(old_umask);
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  ASSERT_TRUE((*store)->grants().create(sampleGrant("g1")).has_value());
  EXPECT_EQ(modeOf(path), 0600u);
  EXPECT_EQ(modeOf(path.string() + "-wal"), 0600u);
  EXPECT_EQ(modeOf(path.string() + "-shm"), 0600u);
}

TEST(SqliteStore, UsesWalModeAndRecordsTheSchemaVersion) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  {
    auto store = openSqlite({.path = path});
    ASSERT_TRUE(store.has_value()) << store.error().detail;
  }
  {
    auto again = openSqlite({.path = path});  // migrations are idempotent
    ASSERT_TRUE(again.has_value()) << again.error().detail;
  }
  RawDb raw(path);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  const auto migrations = sqlite::schemaMigrations();
  EXPECT_EQ(raw.text("SELECT max(version) FROM schema_version"),
            std::to_string(migrations.back().version));
  EXPECT_EQ(raw.text("SELECT count(*) FROM schema_version"), std::to_string(migrations.size()));
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.text("PRAGMA foreign_key_check"), "");
}

TEST(SqliteStore, EverySynchronousModeWorks) {
  TempDir dir;
  for (Synchronous sync : {Synchronous::kNormal, Synchronous::kFull, Synchronous::kExtra}) {
    const auto path = dir.path() / ("db-" + std::to_string(static_cast<int>(sync)));
    {
      auto store = openSqlite({.path = path, .synchronous = sync});
      ASSERT_TRUE(store.has_value()) << store.error().detail;
      ASSERT_TRUE((*store)->grants().create(sampleGrant("g1")).has_value());
    }
    auto again = openSqlite({.path = path, .synchronous = sync});
    ASSERT_TRUE(again.has_value()) << again.error().detail;
    EXPECT_TRUE((*again)->grants().find("g1").has_value());
  }
}

TEST(SqliteStore, RefusesASymlinkedPath) {
  TempDir dir;
  const auto target = dir.path() / "elsewhere.db";
  const auto link = dir.path() / "gridgate.db";
  std::filesystem::create_symlink(target, link);
  auto store = openSqlite({.path = link});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::kIo) << store.error().detail;
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST(SqliteStore, RefusesADatabaseFromANewerBuild) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  ASSERT_TRUE(openSqlite({.path = path}).has_value());
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("INSERT INTO schema_version (version, applied_at) VALUES (999, 0)"),
              SQLITE_OK);
  }
  auto store = openSqlite({.path = path});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::kUnsupported) << store.error().detail;
}

TEST(SqliteStore, NotADatabaseIsAnIoError) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  {
    std::ofstream out(path, std::ios::binary);
    out << std::string(8192, 'x');  // not SQLite's header
  }
  auto store = openSqlite({.path = path});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::kIo) << store.error().detail;
}

TEST(SqliteStore, MissingDirectoryIsAnIoError) {
  TempDir dir;
  auto store = openSqlite({.path = dir.path() / "no-such-dir" / "gridgate.db"});
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, Errc::kIo) << store.error().detail;
}

TEST(SqliteStore, LockHeldByAnotherProcessFailsWritesButNotReads) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  auto opened = openSqlite({.path = path, .busy_timeout = std::chrono::milliseconds(50)});
  ASSERT_TRUE(opened.has_value()) << opened.error().detail;
  std::shared_ptr<Store> store = *opened;
  ASSERT_TRUE(store->grants().create(sampleGrant("g1")).has_value());

  RawDb other(path);  // e.g. `gridgate users add` holding the write lock
  ASSERT_EQ(other.exec("BEGIN IMMEDIATE"), SQLITE_OK);

  auto write = store->grants().create(sampleGrant("g2"));
  ASSERT_FALSE(write.has_value());
  EXPECT_EQ(write.error().code, Errc::kUnavailable) << write.error().detail;
  auto revoke = store->grants().revoke("g1", 5);  // a BEGIN IMMEDIATE transaction
  ASSERT_FALSE(revoke.has_value());
  EXPECT_EQ(revoke.error().code, Errc::kUnavailable) << revoke.error().detail;
  auto read = store->grants().find("g1");  // WAL: readers do not wait for the writer
  ASSERT_TRUE(read.has_value()) << read.error().detail;
  EXPECT_FALSE(read->revoked_at.has_value());  // the failed revoke changed nothing
  EXPECT_TRUE(store->healthy());

  ASSERT_EQ(other.exec("COMMIT"), SQLITE_OK);
  EXPECT_TRUE(store->grants().create(sampleGrant("g2")).has_value());
  auto revoked = store->grants().revoke("g1", 5);
  ASSERT_TRUE(revoked.has_value()) << revoked.error().detail;
  EXPECT_TRUE(*revoked);
}

TEST(SqliteStore, ErrorDetailsNameNoStoredValue) {
  auto opened = openSqlite({.path = kSqliteInMemory});
  ASSERT_TRUE(opened.has_value());
  std::shared_ptr<Store> store = *opened;
  const std::string secret_hash =
      "5e2bf57d3f40c4b6df69daf1936cb766f832374b4fc0259a7cbff06e2f70f269";
  ParRecord par;
  par.client_id = "client-secretish";
  par.expires_at = 10;
  ASSERT_TRUE(store->pars().create(secret_hash, par).has_value());
  auto duplicate = store->pars().create(secret_hash, par);
  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, Errc::kConflict);
  EXPECT_EQ(duplicate.error().detail.find(secret_hash), std::string::npos)
      << duplicate.error().detail;
  EXPECT_EQ(duplicate.error().detail.find("client-secretish"), std::string::npos);
  auto missing = store->pars().consume(secret_hash + "0", 0);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().detail.find(secret_hash), std::string::npos);
}

// Two Stores on one file stand for two processes (the server and the CLI): each has its own writer
// connection, and only SQLite's file lock (taken by BEGIN IMMEDIATE, waited for up to the busy
// timeout) keeps single use single; no caller sees SQLITE_BUSY.
TEST(SqliteStore, TwoStoresOnOneFileKeepSingleUse) {
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  auto a = openSqlite({.path = path});
  auto b = openSqlite({.path = path});
  ASSERT_TRUE(a.has_value() && b.has_value());
  std::shared_ptr<Store> stores[] = {*a, *b};
  ASSERT_TRUE(stores[0]->grants().create(sampleGrant("g1")).has_value());
  ParRecord par;
  par.expires_at = 2'000'000'000;
  constexpr int kRounds = 20;
  constexpr int kThreads = 8;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "k" + std::to_string(round);
    ASSERT_TRUE(stores[0]->pars().create(key, par).has_value());
    std::atomic<int> consumed{0};
    std::atomic<int> revoked{0};
    std::atomic<int> errors{0};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Store& store = *stores[t % 2];
        start.arrive_and_wait();
        auto c = store.pars().consume(key, 1);
        if (c) {
          ++consumed;
        } else if (c.error().code != Errc::kAlreadyUsed) {
          ++errors;
        }
        auto r = store.grants().revoke(round % 2 == 0 ? "g1" : "nope", 1);
        if (r && *r) ++revoked;
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(consumed.load(), 1) << "round " << round;
    EXPECT_EQ(errors.load(), 0) << "round " << round;
    EXPECT_EQ(revoked.load(), round == 0 ? 1 : 0) << "round " << round;
  }
}

TEST(SqliteStore, RevokingMarksARecordAnOlderBuildWroteAtIssue) {
  // Builds before access tokens stopped being stored wrote an access_tokens row with revoked = 0
  // when they issued a token; revoking such a token must still take.
  TempDir dir;
  const auto path = dir.path() / "gridgate.db";
  auto store = openSqlite({.path = path});
  ASSERT_TRUE(store.has_value()) << store.error().detail;
  ASSERT_TRUE((*store)->grants().create(sampleGrant("g1")).has_value());
  {
    RawDb raw(path);
    ASSERT_EQ(raw.exec("INSERT INTO access_tokens VALUES ('jti-old', 'g1', 'c', 1, 2000000000, 0)"),
              SQLITE_OK);
  }
  auto before = (*store)->accessTokens().isRevoked("jti-old");
  ASSERT_TRUE(before.has_value());
  EXPECT_FALSE(*before);
  ASSERT_TRUE((*store)
                  ->accessTokens()
                  .revoke(AccessTokenRecord{.jti = "jti-old",
                                            .grant_id = "g1",
                                            .client_id = "c",
                                            .issued_at = 1,
                                            .expires_at = 2'000'000'000,
                                            .revoked = false})
                  .has_value());
  auto after = (*store)->accessTokens().isRevoked("jti-old");
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(*after);
}

TEST(SqliteErrors, MapsResultCodes) {
  using sqlite::errcOf;
  EXPECT_EQ(errcOf(SQLITE_CONSTRAINT_PRIMARYKEY), Errc::kConflict);
  EXPECT_EQ(errcOf(SQLITE_CONSTRAINT_UNIQUE), Errc::kConflict);
  EXPECT_EQ(errcOf(SQLITE_CONSTRAINT_FOREIGNKEY), Errc::kNotFound);
  EXPECT_EQ(errcOf(SQLITE_CONSTRAINT_CHECK), Errc::kInvalidArgument);
  EXPECT_EQ(errcOf(SQLITE_CONSTRAINT_NOTNULL), Errc::kInvalidArgument);
  EXPECT_EQ(errcOf(SQLITE_BUSY), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_BUSY_SNAPSHOT), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_LOCKED), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_IOERR_FSYNC), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_FULL), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_CORRUPT), Errc::kUnavailable);
  EXPECT_EQ(errcOf(SQLITE_MISUSE), Errc::kInternal);
  EXPECT_EQ(errcOf(SQLITE_RANGE), Errc::kInternal);
}

// Migrations with a tiny schema: applied in order, all or nothing, once.
class Migrations : public ::testing::Test {
 protected:
  void SetUp() override {
    auto conn = sqlite::Connection::open((dir_.path() / "m.db").string(),
                                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    ASSERT_TRUE(conn.has_value()) << conn.error().detail;
    conn_ = std::move(*conn);
  }
  int version() {
    auto v = sqlite::schemaVersion(*conn_);
    EXPECT_TRUE(v.has_value());
    return v.value_or(-1);
  }
  bool tableExists(const char* name) {
    auto q = conn_->query("SELECT count(*) FROM sqlite_schema WHERE name = ?1");
    EXPECT_TRUE(q.has_value());
    q->bind(std::string_view(name));
    EXPECT_TRUE(q->step().value_or(false));
    return q->int64(0) == 1;
  }
  TempDir dir_;
  std::unique_ptr<sqlite::Connection> conn_;
};

TEST_F(Migrations, AppliedInOrderOnceEach) {
  EXPECT_EQ(version(), 0);
  const sqlite::Migration v1[] = {{1, "CREATE TABLE a (x INTEGER)"}};
  ASSERT_TRUE(sqlite::migrate(*conn_, v1).has_value());
  EXPECT_EQ(version(), 1);
  ASSERT_TRUE(sqlite::migrate(*conn_, v1).has_value());  // no-op: would fail if re-run
  const sqlite::Migration v3[] = {
      {1, "CREATE TABLE a (x INTEGER)"},
      {2, "CREATE TABLE b (y INTEGER)"},
      {3, "ALTER TABLE b ADD COLUMN z TEXT; INSERT INTO b VALUES (1, 'z')"}};
  ASSERT_TRUE(sqlite::migrate(*conn_, v3).has_value());
  EXPECT_EQ(version(), 3);
  EXPECT_TRUE(tableExists("a"));
  EXPECT_TRUE(tableExists("b"));
}

TEST_F(Migrations, AFailingMigrationAppliesNothing) {
  const sqlite::Migration broken[] = {{1, "CREATE TABLE a (x INTEGER)"},
                                      {2, "CREATE TABLE b (y INTEGER); CREATE TABLE oops ("}};
  auto result = sqlite::migrate(*conn_, broken);
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().detail.find("migration 2"), std::string::npos) << result.error().detail;
  EXPECT_EQ(version(), 0);
  EXPECT_FALSE(tableExists("a"));
  EXPECT_FALSE(tableExists("b"));
}

TEST_F(Migrations, NewerDatabaseIsRefused) {
  const sqlite::Migration v2[] = {{1, "CREATE TABLE a (x INTEGER)"},
                                  {2, "CREATE TABLE b (y INTEGER)"}};
  ASSERT_TRUE(sqlite::migrate(*conn_, v2).has_value());
  auto older = sqlite::migrate(*conn_, std::span(v2, 1));
  ASSERT_FALSE(older.has_value());
  EXPECT_EQ(older.error().code, Errc::kUnsupported);
}

TEST(SqliteStore, StatementsAreCachedPerConnection) {
  TempDir dir;
  auto conn = sqlite::Connection::open((dir.path() / "c.db").string(),
                                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  ASSERT_TRUE(conn.has_value());
  static constexpr std::string_view kSql = "SELECT ?1 + 1";
  sqlite3_stmt* first = nullptr;
  {
    auto q = (*conn)->query(kSql);
    ASSERT_TRUE(q.has_value());
    q->bind(std::int64_t{41});
    ASSERT_TRUE(q->step().value_or(false));
    EXPECT_EQ(q->int64(0), 42);
    first = sqlite3_next_stmt((*conn)->raw(), nullptr);
  }
  {
    auto q = (*conn)->query(kSql);  // reused, reset and unbound
    ASSERT_TRUE(q.has_value());
    ASSERT_TRUE(q->step().value_or(false));
    EXPECT_EQ(q->optInt64(0), std::nullopt);  // NULL + 1: the old binding was cleared
    EXPECT_EQ(sqlite3_next_stmt((*conn)->raw(), nullptr), first);
    EXPECT_EQ(sqlite3_next_stmt((*conn)->raw(), first), nullptr);  // only one statement exists
  }
}

}  // namespace
}  // namespace gridgate::store
