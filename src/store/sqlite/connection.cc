#include "store/sqlite/connection.h"

#include <limits>
#include <utility>

namespace gridgate::store::sqlite {
namespace {

// SQLITE_TRANSIENT without the old-style cast of its macro: SQLite copies bound values, so a
// Query never depends on the lifetime of what was bound.
const sqlite3_destructor_type kTransient =
    reinterpret_cast<sqlite3_destructor_type>(static_cast<std::intptr_t>(-1));

}  // namespace

Errc errcOf(int extended_code) {
  switch (extended_code) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_ROWID:
      return Errc::kConflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Errc::kNotFound;
    case SQLITE_CONSTRAINT_CHECK:
    case SQLITE_CONSTRAINT_NOTNULL:
    case SQLITE_TOOBIG:
      return Errc::kInvalidArgument;
    case SQLITE_MISUSE:
    case SQLITE_RANGE:
      return Errc::kInternal;
    default:
      break;
  }
  if ((extended_code & 0xff) == SQLITE_CONSTRAINT) return Errc::kConflict;
  return Errc::kUnavailable;
}

Error sqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string detail = "sqlite: ";
  detail += what;
  detail += ": ";
  detail += sqlite3_errstr(rc);
  if (db != nullptr) {
    const int db_rc = sqlite3_extended_errcode(db);
    if (db_rc == rc) {
      detail += " (";
      detail += sqlite3_errmsg(db);
      detail += ")";
    }
  }
  return Error{errcOf(rc), std::move(detail)};
}

Query::Query(Query&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {}

Query::~Query() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::bind(std::string_view text) {
  int rc = SQLITE_TOOBIG;
  if (text.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    // A non-null pointer even for an empty string: SQLite binds NULL for a null pointer.
    rc = sqlite3_bind_text(stmt_, next_param_, text.empty() ? "" : text.data(),
                           static_cast<int>(text.size()), kTransient);
  }
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  ++next_param_;
  return *this;
}

Query& Query::bind(std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, next_param_++, value);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::bind(std::optional<std::int64_t> value) {
  if (value) return bind(*value);
  const int rc = sqlite3_bind_null(stmt_, next_param_++);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Query& Query::bind(bool value) { return bind(static_cast<std::int64_t>(value ? 1 : 0)); }

Result<bool> Query::step() {
  if (bind_rc_ != SQLITE_OK) return fail(sqliteError(db_, bind_rc_, "bind"));
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code (extended result codes are on for every connection).
  return fail(sqliteError(db_, rc, "step"));
}

Status Query::run() {
  for (;;) {
    GG_TRY(bool row, step());
    if (!row) return ok();
  }
}

std::string Query::text(int column) const {
  const auto* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::int64_t Query::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Query::optInt64(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_, column);
}

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  DbPtr db(raw);  // sqlite3_open_v2 allocates a handle even on failure; it must be closed
  if (rc != SQLITE_OK) {
    Error error = sqliteError(db.get(), rc, "open");
    // Opening is not a request path: a file that cannot be opened is a local I/O failure.
    error.code = Errc::kIo;
    return fail(std::move(error));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return std::unique_ptr<Connection>(new Connection(std::move(db)));
}

Result<Query> Connection::query(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (rc != SQLITE_OK) return fail(sqliteError(db_.get(), rc, "prepare"));
    it = statements_.emplace(sql, StmtPtr(raw)).first;
  }
  return Query(db_.get(), it->second.get());
}

Status Connection::exec(const char* sql) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(sqliteError(db_.get(), rc, "exec"));
  return ok();
}

}  // namespace gridgate::store::sqlite
