// One SQLite connection with its cache of prepared statements, a Query that binds, steps and
// resets one of them, and the mapping of SQLite result codes to Errc. Internal to the SQLite store.
//
//   Query q = GG_TRY(conn.query("SELECT scope FROM grants WHERE id = ?1"));
//   q.bind(grant_id);
//   GG_TRY(bool row, q.step());
//   if (!row) return fail(Errc::kNotFound, "grant");
//   std::string scope = q.text(0);
//
// A Connection is not thread-safe: Database (database.h) hands each one to one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace gridgate::store::sqlite {

// The Errc for a failed SQLite call on a request path: constraint violations are the caller's
// (UNIQUE/PRIMARY KEY -> kConflict, FOREIGN KEY -> kNotFound: the referenced grant is unknown,
// CHECK/NOT NULL -> kInvalidArgument); misuse is a bug (kInternal); everything else (busy after
// the timeout, I/O, full disk, corruption) is the backend failing (kUnavailable).
Errc errcOf(int extended_code);

// An Error for `what` failing with SQLite's code and message (detail for logs only: it names the
// operation and SQLite's reason, never a bound value).
Error sqliteError(sqlite3* db, int rc, std::string_view what);

struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

struct DbDeleter {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DbPtr = std::unique_ptr<sqlite3, DbDeleter>;

// A bound, steppable use of a cached statement. Resets and clears the statement when destroyed so
// that it can be reused and holds no read snapshot open.
class Query {
 public:
  Query(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Parameters bind in order (?1, ?2, ...). A bind error is reported by the next step().
  Query& bind(std::string_view text);
  // A string literal binds as text (without this it would convert to bool).
  Query& bind(const char* text) { return bind(std::string_view(text)); }
  Query& bind(std::int64_t value);
  Query& bind(std::optional<std::int64_t> value);  // NULL when empty
  Query& bind(bool value);
  Query& bind(int value) { return bind(static_cast<std::int64_t>(value)); }

  // The largest parameter index of the statement.
  int parameterCount() const { return sqlite3_bind_parameter_count(stmt_); }

  // True with a row, false when done.
  [[nodiscard]] Result<bool> step();
  // Steps to completion (a statement that returns no rows).
  [[nodiscard]] Status run();

  std::string text(int column) const;
  std::int64_t int64(int column) const;
  std::optional<std::int64_t> optInt64(int column) const;  // empty when NULL
  bool boolean(int column) const { return int64(column) != 0; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*; NOMUTEX is added: the caller serialises use).
  [[nodiscard]] static Result<std::unique_ptr<Connection>> open(const std::string& path, int flags);

  // The cached statement for `sql` (a string literal: the cache keys on its text), prepared on
  // first use.
  [[nodiscard]] Result<Query> query(std::string_view sql);
  // Runs one or more statements without parameters (pragmas, DDL, BEGIN/COMMIT).
  [[nodiscard]] Status exec(const char* sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const { return sqlite3_changes64(db_.get()); }
  std::int64_t lastInsertId() const { return sqlite3_last_insert_rowid(db_.get()); }
  sqlite3* raw() const { return db_.get(); }

 private:
  explicit Connection(DbPtr db) : db_(std::move(db)) {}

  // Statements are finalized before the connection closes: members are destroyed in reverse order.
  DbPtr db_;
  std::unordered_map<std::string_view, StmtPtr> statements_;
};

}  // namespace gridgate::store::sqlite
