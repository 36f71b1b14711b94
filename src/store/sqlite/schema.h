// The SQLite schema as a list of versioned migrations, applied at open. Internal to the SQLite
// store.
//
//   GG_TRY(migrate(writer, schemaMigrations()));   // idempotent: applies only what is missing
//
// `schema_version` records one row per applied migration. A migration is never edited once
// released: a change to the schema is a new migration with the next version.
#pragma once

#include <span>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace gridgate::store::sqlite {

struct Migration {
  int version;      // 1, 2, 3... in order
  const char* sql;  // one or more statements
};

// The migrations of this build, in order.
std::span<const Migration> schemaMigrations();

// Applies, in one BEGIN IMMEDIATE transaction, every migration whose version is above the
// database's: all of them or none. kUnsupported if the database is newer than `migrations` (a
// newer gridgate wrote it).
[[nodiscard]] Status migrate(Connection& writer, std::span<const Migration> migrations);

// The highest applied version (0 for a new database).
[[nodiscard]] Result<int> schemaVersion(Connection& conn);

}  // namespace gridgate::store::sqlite
