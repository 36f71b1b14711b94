// The embedded SQLite Store: one file, WAL mode, durable when a call returns.
//
//   auto db = store::openSqlite({.path = data_dir / "gridgate.db"});
//   if (!db) return fail(db.error());            // kIo: cannot create/open/migrate the file
//   std::shared_ptr<store::Store> store = *db;   // thread-safe; share it
//
//   auto test_db = store::openSqlite({.path = store::kSqliteInMemory});   // unit tests
//
// The file is created with mode 0600: it holds the signing keys' private PEM (the one secret the
// store keeps raw; every token, code and session is stored as its SHA-256 hash). Keep the
// directory private too, and back it up with `sqlite3 gridgate.db ".backup copy.db"`, never by
// copying the file while the server runs (the WAL holds recent commits).
//
// Schema migrations are applied at open (schema_version table; idempotent). A database written by
// a newer gridgate is refused (kUnsupported) rather than misread.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>

#include "core/result.h"
#include "store/store.h"

namespace gridgate::store {

// A private, non-durable database for unit tests (one connection, gone when the Store is).
inline const std::filesystem::path kSqliteInMemory = ":memory:";

// What a commit waits for (SQLite's `PRAGMA synchronous` in WAL mode).
enum class Synchronous {
  kNormal,  // survives a process crash; a power loss may undo the last commits
  kFull,    // every commit is fsynced before the call returns: survives a power loss
  kExtra,   // kFull, and fsyncs the directory too
};

struct SqliteOptions {
  std::filesystem::path path;                    // the database file, or kSqliteInMemory
  std::chrono::milliseconds busy_timeout{5000};  // waiting for another process's lock
  Synchronous synchronous = Synchronous::kFull;  // an acknowledged consent must survive
  std::size_t readers = 4;                       // read-only connections (WAL readers)
};

[[nodiscard]] Result<std::shared_ptr<Store>> openSqlite(const SqliteOptions& options);

}  // namespace gridgate::store
