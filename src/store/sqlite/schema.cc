#include "store/sqlite/schema.h"

#include <string>

namespace gridgate::store::sqlite {
namespace {

// Version 1. Every secret-derived key (uri_hash, code_hash, token_hash, session_hash) is the
// SHA-256 hex of the secret: the raw value never reaches the file. signing_keys.private_pem is the
// one secret kept raw, which is why the file is created 0600. STRICT tables reject a value of the
// wrong type; each table has an index on what sweep() deletes by. access_tokens holds revoked
// access tokens only (AccessTokenStore): tokens are not recorded when issued.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE grants (
  id TEXT PRIMARY KEY NOT NULL,
  evidence_id TEXT NOT NULL UNIQUE,
  client_id TEXT NOT NULL,
  subject TEXT NOT NULL,
  scope TEXT NOT NULL,
  authorization_details TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  data_available_from INTEGER NOT NULL,
  token_issued_at INTEGER NOT NULL,
  token_expires_at INTEGER NOT NULL,
  revoked_at INTEGER
) WITHOUT ROWID, STRICT;
CREATE INDEX grants_by_subject ON grants(subject, granted_at, id);
CREATE INDEX grants_by_expiry ON grants(expires_at);

CREATE TABLE par_requests (
  uri_hash TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  state TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  authorization_details TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  consumed INTEGER NOT NULL CHECK (consumed IN (0, 1))
) WITHOUT ROWID, STRICT;
CREATE INDEX par_requests_by_expiry ON par_requests(expires_at);

CREATE TABLE codes (
  code_hash TEXT PRIMARY KEY NOT NULL,
  client_id TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  code_challenge TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT NOT NULL,
  subject TEXT NOT NULL,
  grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
  auth_time INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  redemptions INTEGER NOT NULL CHECK (redemptions >= 0)
) WITHOUT ROWID, STRICT;
CREATE INDEX codes_by_expiry ON codes(expires_at);
CREATE INDEX codes_by_grant ON codes(grant_id);

CREATE TABLE refresh_tokens (
  token_hash TEXT PRIMARY KEY NOT NULL,
  grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  cert_thumbprint TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  rotated_at INTEGER
) WITHOUT ROWID, STRICT;
CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens(expires_at);
CREATE INDEX refresh_tokens_by_grant ON refresh_tokens(grant_id);

CREATE TABLE access_tokens (
  jti TEXT PRIMARY KEY NOT NULL,
  grant_id TEXT NOT NULL REFERENCES grants(id) ON DELETE CASCADE,
  client_id TEXT NOT NULL,
  issued_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL CHECK (revoked IN (0, 1))
) WITHOUT ROWID, STRICT;
CREATE INDEX access_tokens_by_expiry ON access_tokens(expires_at);
CREATE INDEX access_tokens_by_grant ON access_tokens(grant_id, issued_at, jti);

CREATE TABLE users (
  username TEXT PRIMARY KEY NOT NULL,
  subject TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID, STRICT;

CREATE TABLE sessions (
  session_hash TEXT PRIMARY KEY NOT NULL,
  subject TEXT NOT NULL,
  auth_time INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

CREATE TABLE replay_markers (
  marker TEXT PRIMARY KEY NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID, STRICT;
CREATE INDEX replay_markers_by_expiry ON replay_markers(expires_at);

-- AUTOINCREMENT: an id is never reused, so a receiver may use it to drop duplicates.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  client_id TEXT NOT NULL,
  url TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  delivered_at INTEGER,
  last_error TEXT NOT NULL
) STRICT;
CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE delivered_at IS NULL;

CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY NOT NULL,
  alg TEXT NOT NULL,
  private_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  activates_at INTEGER NOT NULL,
  retired_at INTEGER
) WITHOUT ROWID, STRICT;
)sql";

constexpr Migration kMigrations[] = {
    {1, kSchemaV1},
};

}  // namespace

std::span<const Migration> schemaMigrations() { return kMigrations; }

Result<int> schemaVersion(Connection& conn) {
  GG_TRY(auto exists, conn.query("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                 "name = 'schema_version'"));
  GG_TRY(exists.step());
  if (exists.int64(0) == 0) return 0;
  GG_TRY(auto q, conn.query("SELECT coalesce(max(version), 0) FROM schema_version"));
  GG_TRY(q.step());
  return static_cast<int>(q.int64(0));
}

Status migrate(Connection& writer, std::span<const Migration> migrations) {
  GG_TRY(writer.exec("BEGIN IMMEDIATE"));
  auto applied = [&]() -> Status {
    GG_TRY(
        writer.exec("CREATE TABLE IF NOT EXISTS schema_version ("
                    "version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL) STRICT"));
    GG_TRY(int current, schemaVersion(writer));
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    if (current > newest) {
      return fail(Errc::kUnsupported, "sqlite: database schema version " + std::to_string(current) +
                                          " is newer than this build's " + std::to_string(newest));
    }
    for (const Migration& m : migrations) {
      if (m.version <= current) continue;
      if (auto s = writer.exec(m.sql); !s) {
        s.error().detail += " (migration " + std::to_string(m.version) + ")";
        return s;
      }
      GG_TRY(auto q, writer.query("INSERT INTO schema_version (version, applied_at) "
                                  "VALUES (?1, unixepoch())"));
      q.bind(m.version);
      GG_TRY(q.run());
    }
    return ok();
  }();
  if (!applied) {
    (void)writer.exec("ROLLBACK");
    return applied;
  }
  if (auto committed = writer.exec("COMMIT"); !committed) {
    (void)writer.exec("ROLLBACK");
    return committed;
  }
  return ok();
}

}  // namespace gridgate::store::sqlite
