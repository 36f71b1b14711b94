#include "store/sqlite/database.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/log.h"
#include "store/sqlite/schema.h"

namespace gridgate::store::sqlite {
namespace {

constexpr const char* kMemoryPath = ":memory:";

// The file holds signing keys (SigningKey.private_pem): only its owner may read it. SQLite creates
// the -wal and -shm files with the database file's permissions, so creating the database 0600
// before SQLite opens it covers all three. O_NOFOLLOW: a symlink planted at the path is refused
// rather than followed.
Status createPrivateFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return fail(Errc::kIo, "sqlite: cannot create " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  const bool stat_ok = ::fstat(fd, &st) == 0;
  ::close(fd);
  if (stat_ok && (st.st_mode & 077) != 0) {
    log::warn(
        "sqlite: {} is accessible to group or others (mode {:o}); it holds signing keys "
        "and should be 0600",
        path, st.st_mode & 0777);
  }
  return ok();
}

Status setPragma(Connection& conn, const std::string& pragma) { return conn.exec(pragma.c_str()); }

// One statement without parameters, through the connection's statement cache.
Status run(Connection& conn, const char* sql) {
  GG_TRY(auto q, conn.query(sql));
  return q.run();
}

Status configure(Connection& conn, const DatabaseConfig& config) {
  sqlite3_busy_timeout(conn.raw(), static_cast<int>(config.busy_timeout.count()));
  // Schema code is ours alone: do not let the schema run SQL functions with side effects.
  GG_TRY(setPragma(conn, "PRAGMA trusted_schema = OFF"));
  GG_TRY(setPragma(conn, "PRAGMA foreign_keys = ON"));
  GG_TRY(setPragma(conn, std::string("PRAGMA synchronous = ") + config.synchronous));
  return ok();
}

}  // namespace

Result<std::unique_ptr<Database>> Database::open(const DatabaseConfig& config) {
  auto opened = openConnections(config);
  // Opening is not a request path: whatever fails here (not a database, corrupt, cannot create,
  // cannot lock) is reported as the local file's failure.
  if (!opened && opened.error().code == Errc::kUnavailable) opened.error().code = Errc::kIo;
  return opened;
}

Result<std::unique_ptr<Database>> Database::openConnections(const DatabaseConfig& config) {
  const bool memory = config.path == kMemoryPath;
  if (!memory) GG_TRY(createPrivateFile(config.path));

  std::unique_ptr<Database> db(new Database());
  GG_TRY(db->writer_,
         Connection::open(config.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                           SQLITE_OPEN_PRIVATECACHE | SQLITE_OPEN_EXRESCODE));
  Connection& writer = *db->writer_;
  if (!memory) {
    // WAL: readers do not block the writer nor each other; with synchronous = FULL every commit is
    // on disk when it returns. The mode is persistent, but it is checked at every open.
    GG_TRY(auto mode, writer.query("PRAGMA journal_mode = WAL"));
    GG_TRY(bool row, mode.step());
    if (!row || mode.text(0) != "wal") {
      return fail(Errc::kIo, "sqlite: " + config.path + " cannot use WAL mode");
    }
  }
  GG_TRY(configure(writer, config));
  GG_TRY(migrate(writer, schemaMigrations()));

  if (!memory) {
    for (std::size_t i = 0; i < config.readers; ++i) {
      GG_TRY(auto reader,
             Connection::open(config.path, SQLITE_OPEN_READONLY | SQLITE_OPEN_PRIVATECACHE |
                                               SQLITE_OPEN_EXRESCODE));
      GG_TRY(configure(*reader, config));
      db->free_readers_.push_back(reader.get());
      db->readers_.push_back(std::move(reader));
    }
  }
  return db;
}

Database::~Database() = default;

Status Database::begin() { return run(*writer_, "BEGIN IMMEDIATE"); }

Status Database::commit() { return run(*writer_, "COMMIT"); }

Status Database::joinBatch() {
  if (batch_ == nullptr) {
    GG_TRY(begin());
    batch_ = std::make_shared<Batch>();
  }
  ++batch_->members;
  Status st = run(*writer_, "SAVEPOINT gg_member");
  if (!st) {
    // The batch cannot take this member; end it for everyone rather than commit half a state.
    rollback();
    settle(st);
  }
  return st;
}

void Database::leaveBatch(bool kept) {
  if (sqlite3_get_autocommit(writer_->raw()) != 0) {
    // SQLite rolled the whole transaction back (I/O error, disk full, ...): every member's work
    // is gone, so every member fails.
    settle(fail(Errc::kUnavailable, "sqlite: the transaction was rolled back"));
    return;
  }
  Status st = kept ? ok() : run(*writer_, "ROLLBACK TO gg_member");
  if (st) st = run(*writer_, "RELEASE gg_member");
  if (!st) {
    rollback();
    settle(st);
  }
}

void Database::commitBatch() {
  Status st = commit();
  if (!st) rollback();
  settle(st);
}

void Database::settle(Status outcome) {
  batch_->settled = true;
  batch_->outcome = std::move(outcome);
  batch_.reset();
  settled_.notify_all();
}

void Database::rollback() {
  if (sqlite3_get_autocommit(writer_->raw()) != 0) return;  // SQLite rolled back already
  if (auto q = writer_->query("ROLLBACK"); q) {
    if (auto s = q->run(); !s) log::error("{}", s.error().detail);
  }
}

Connection* Database::acquireReader() {
  std::unique_lock lock(readers_mutex_);
  reader_free_.wait(lock, [&] { return !free_readers_.empty(); });
  Connection* conn = free_readers_.back();
  free_readers_.pop_back();
  return conn;
}

void Database::releaseReader(Connection* conn) {
  {
    std::lock_guard lock(readers_mutex_);
    free_readers_.push_back(conn);
  }
  reader_free_.notify_one();
}

}  // namespace gridgate::store::sqlite
