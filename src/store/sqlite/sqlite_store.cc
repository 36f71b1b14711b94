#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/database.h"

namespace gridgate::store {
namespace {

using sqlite::Connection;
using sqlite::Database;
using sqlite::Query;

// Column lists, shared by every SELECT ... RETURNING that reads a record; each read* below takes
// them in this order.
#define GG_PAR_COLUMNS                                                                    \
  "client_id, redirect_uri, scope, state, nonce, code_challenge, authorization_details, " \
  "created_at, expires_at, consumed"
#define GG_CODE_COLUMNS                                                                   \
  "client_id, redirect_uri, code_challenge, scope, nonce, subject, grant_id, auth_time, " \
  "created_at, expires_at"
#define GG_GRANT_COLUMNS                                                                        \
  "id, evidence_id, client_id, subject, scope, authorization_details, granted_at, expires_at, " \
  "data_available_from, token_issued_at, token_expires_at, revoked_at"
#define GG_REFRESH_COLUMNS \
  "grant_id, client_id, cert_thumbprint, scope, created_at, expires_at, rotated_at"
#define GG_ACCESS_COLUMNS "jti, grant_id, client_id, issued_at, expires_at, revoked"
#define GG_USER_COLUMNS "username, subject, password_hash, display_name, created_at"
#define GG_OUTBOX_COLUMNS                                                           \
  "id, client_id, url, body, attempts, created_at, next_attempt_at, delivered_at, " \
  "last_error"
#define GG_KEY_COLUMNS "kid, alg, private_pem, created_at, activates_at, retired_at"

ParRecord readPar(const Query& q) {
  return ParRecord{.client_id = q.text(0),
                   .redirect_uri = q.text(1),
                   .scope = q.text(2),
                   .state = q.text(3),
                   .nonce = q.text(4),
                   .code_challenge = q.text(5),
                   .authorization_details = q.text(6),
                   .created_at = q.int64(7),
                   .expires_at = q.int64(8),
                   .consumed = q.boolean(9)};
}

CodeRecord readCode(const Query& q) {
  return CodeRecord{.client_id = q.text(0),
                    .redirect_uri = q.text(1),
                    .code_challenge = q.text(2),
                    .scope = q.text(3),
                    .nonce = q.text(4),
                    .subject = q.text(5),
                    .grant_id = q.text(6),
                    .auth_time = q.int64(7),
                    .created_at = q.int64(8),
                    .expires_at = q.int64(9)};
}

Grant readGrant(const Query& q) {
  return Grant{.id = q.text(0),
               .evidence_id = q.text(1),
               .client_id = q.text(2),
               .subject = q.text(3),
               .scope = q.text(4),
               .authorization_details = q.text(5),
               .granted_at = q.int64(6),
               .expires_at = q.int64(7),
               .data_available_from = q.int64(8),
               .token_issued_at = q.int64(9),
               .token_expires_at = q.int64(10),
               .revoked_at = q.optInt64(11)};
}

RefreshRecord readRefresh(const Query& q) {
  return RefreshRecord{.grant_id = q.text(0),
                       .client_id = q.text(1),
                       .cert_thumbprint = q.text(2),
                       .scope = q.text(3),
                       .created_at = q.int64(4),
                       .expires_at = q.int64(5),
                       .rotated_at = q.optInt64(6)};
}

User readUser(const Query& q) {
  return User{.username = q.text(0),
              .subject = q.text(1),
              .password_hash = q.text(2),
              .display_name = q.text(3),
              .created_at = q.int64(4)};
}

OutboxMessage readOutbox(const Query& q) {
  const std::int64_t attempts = q.int64(4);
  return OutboxMessage{
      .id = q.int64(0),
      .client_id = q.text(1),
      .url = q.text(2),
      .body = q.text(3),
      .attempts = static_cast<int>(std::clamp<std::int64_t>(
          attempts, std::numeric_limits<int>::min(), std::numeric_limits<int>::max())),
      .created_at = q.int64(5),
      .next_attempt_at = q.int64(6),
      .delivered_at = q.optInt64(7),
      .last_error = q.text(8)};
}

SigningKey readKey(const Query& q) {
  return SigningKey{.kid = q.text(0),
                    .alg = q.text(1),
                    .private_pem = q.text(2),
                    .created_at = q.int64(3),
                    .activates_at = q.int64(4),
                    .retired_at = q.optInt64(5)};
}

// One row (kNotFound when none): `what` names the kind of record for the error detail.
template <class T, class Read>
Result<T> single(Query& q, Read read, const char* what) {
  GG_TRY(bool row, q.step());
  if (!row) return fail(Errc::kNotFound, std::string("sqlite: no such ") + what);
  return read(q);
}

template <class T, class Read>
Result<std::vector<T>> all(Query& q, Read read) {
  std::vector<T> out;
  for (;;) {
    GG_TRY(bool row, q.step());
    if (!row) return out;
    out.push_back(read(q));
  }
}

// A statement that writes and returns no rows, stepped to completion; kNotFound (naming `what`)
// when it changed no row.
Status runChanging(Connection& c, Query& q, const char* what) {
  GG_TRY(q.run());
  if (c.changes() == 0) return fail(Errc::kNotFound, std::string("sqlite: no such ") + what);
  return ok();
}

std::int64_t sqlLimit(std::size_t limit) {
  return static_cast<std::int64_t>(std::min<std::size_t>(
      limit, static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())));
}

Status insertOutbox(Connection& c, const OutboxMessage& m, std::int64_t* id) {
  GG_TRY(auto q, c.query("INSERT INTO outbox (client_id, url, body, attempts, created_at, "
                         "next_attempt_at, delivered_at, last_error) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)"));
  q.bind(m.client_id)
      .bind(m.url)
      .bind(m.body)
      .bind(m.attempts)
      .bind(m.created_at)
      .bind(m.next_attempt_at)
      .bind(m.last_error);
  GG_TRY(q.run());
  if (id != nullptr) *id = c.lastInsertId();
  return ok();
}

class SqlitePars final : public ParStore {
 public:
  explicit SqlitePars(Database& db) : db_(db) {}

  Status create(std::string_view uri_hash, const ParRecord& r) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("INSERT INTO par_requests (uri_hash, " GG_PAR_COLUMNS
                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
      q.bind(uri_hash)
          .bind(r.client_id)
          .bind(r.redirect_uri)
          .bind(r.scope)
          .bind(r.state)
          .bind(r.nonce)
          .bind(r.code_challenge)
          .bind(r.authorization_details)
          .bind(r.created_at)
          .bind(r.expires_at)
          .bind(r.consumed);
      return q.run();
    });
  }

  Result<ParRecord> find(std::string_view uri_hash) override {
    return db_.read([&](Connection& c) -> Result<ParRecord> {
      GG_TRY(auto q, c.query("SELECT " GG_PAR_COLUMNS " FROM par_requests WHERE uri_hash = ?1"));
      q.bind(uri_hash);
      return single<ParRecord>(q, readPar, "request");
    });
  }

  Result<ParRecord> consume(std::string_view uri_hash, std::int64_t now) override {
    return db_.transaction(
        [&](Connection& c) -> Result<ParRecord> { return consumeIn(c, uri_hash, now); });
  }

  static Result<ParRecord> consumeIn(Connection& c, std::string_view uri_hash, std::int64_t now) {
    {
      GG_TRY(auto q, c.query("UPDATE par_requests SET consumed = 1 WHERE uri_hash = ?1 AND "
                             "consumed = 0 AND expires_at > ?2 RETURNING " GG_PAR_COLUMNS));
      q.bind(uri_hash).bind(now);
      GG_TRY(bool row, q.step());
      if (row) {
        ParRecord record = readPar(q);
        GG_TRY(q.run());
        return record;
      }
    }
    // Why not: unknown, consumed before, or expired (in that order of precedence).
    GG_TRY(auto q, c.query("SELECT consumed FROM par_requests WHERE uri_hash = ?1"));
    q.bind(uri_hash);
    GG_TRY(bool row, q.step());
    if (!row) return fail(Errc::kNotFound, "sqlite: no such request");
    if (q.boolean(0)) return fail(Errc::kAlreadyUsed, "request_uri consumed before");
    return fail(Errc::kExpired, "request_uri expired");
  }

 private:
  Database& db_;
};

class SqliteCodes final : public CodeStore {
 public:
  explicit SqliteCodes(Database& db) : db_(db) {}

  Status create(std::string_view code_hash, const CodeRecord& r) override {
    return db_.write([&](Connection& c) -> Status { return insert(c, code_hash, r); });
  }

  static Status insert(Connection& c, std::string_view code_hash, const CodeRecord& r) {
    GG_TRY(auto q, c.query("INSERT INTO codes (code_hash, " GG_CODE_COLUMNS
                           ", redemptions) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                           "?11, 0)"));
    q.bind(code_hash)
        .bind(r.client_id)
        .bind(r.redirect_uri)
        .bind(r.code_challenge)
        .bind(r.scope)
        .bind(r.nonce)
        .bind(r.subject)
        .bind(r.grant_id)
        .bind(r.auth_time)
        .bind(r.created_at)
        .bind(r.expires_at);
    return q.run();
  }

  Result<CodeRedemption> redeem(std::string_view code_hash) override {
    // One statement: the increment and the read of its result are one atomic step.
    return db_.write([&](Connection& c) -> Result<CodeRedemption> {
      GG_TRY(auto q, c.query("UPDATE codes SET redemptions = redemptions + 1 WHERE code_hash = ?1 "
                             "RETURNING " GG_CODE_COLUMNS ", redemptions"));
      q.bind(code_hash);
      GG_TRY(bool row, q.step());
      if (!row) return fail(Errc::kNotFound, "sqlite: no such code");
      CodeRedemption redemption{.record = readCode(q), .first_use = q.int64(10) == 1};
      GG_TRY(q.run());  // the autocommit (and its fsync) completes with the statement
      return redemption;
    });
  }

  Result<CodeRedemption> find(std::string_view code_hash) override {
    return db_.read([&](Connection& c) -> Result<CodeRedemption> {
      GG_TRY(auto q, c.query("SELECT " GG_CODE_COLUMNS ", redemptions FROM codes WHERE "
                             "code_hash = ?1"));
      q.bind(code_hash);
      GG_TRY(bool row, q.step());
      if (!row) return fail(Errc::kNotFound, "sqlite: no such code");
      return CodeRedemption{.record = readCode(q), .first_use = q.int64(10) == 0};
    });
  }

  // issueTokens' first step, inside its transaction.
  static Status redeemFirst(Connection& c, std::string_view code_hash) {
    GG_TRY(auto q, c.query("UPDATE codes SET redemptions = redemptions + 1 WHERE code_hash = ?1 "
                           "RETURNING redemptions"));
    q.bind(code_hash);
    GG_TRY(bool row, q.step());
    if (!row) return fail(Errc::kNotFound, "sqlite: no such code");
    if (q.int64(0) != 1) return fail(Errc::kAlreadyUsed, "code redeemed before");
    return q.run();
  }

 private:
  Database& db_;
};

class SqliteGrants final : public GrantStore {
 public:
  explicit SqliteGrants(Database& db) : db_(db) {}

  Status create(const Grant& g) override {
    return db_.write([&](Connection& c) -> Status { return insert(c, g); });
  }

  static Status insert(Connection& c, const Grant& g) {
    GG_TRY(auto q, c.query("INSERT INTO grants (" GG_GRANT_COLUMNS
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
    q.bind(g.id)
        .bind(g.evidence_id)
        .bind(g.client_id)
        .bind(g.subject)
        .bind(g.scope)
        .bind(g.authorization_details)
        .bind(g.granted_at)
        .bind(g.expires_at)
        .bind(g.data_available_from)
        .bind(g.token_issued_at)
        .bind(g.token_expires_at)
        .bind(g.revoked_at);
    return q.run();
  }

  Result<Grant> find(std::string_view grant_id) override {
    return db_.read([&](Connection& c) -> Result<Grant> {
      GG_TRY(auto q, c.query("SELECT " GG_GRANT_COLUMNS " FROM grants WHERE id = ?1"));
      q.bind(grant_id);
      return single<Grant>(q, readGrant, "grant");
    });
  }

  Result<Grant> findByEvidence(std::string_view evidence_id) override {
    return db_.read([&](Connection& c) -> Result<Grant> {
      GG_TRY(auto q, c.query("SELECT " GG_GRANT_COLUMNS " FROM grants WHERE evidence_id = ?1"));
      q.bind(evidence_id);
      return single<Grant>(q, readGrant, "grant");
    });
  }

  Status recordTokenIssued(std::string_view grant_id, std::int64_t issued_at,
                           std::int64_t expires_at) override {
    return db_.write([&](Connection& c) -> Status {
      return recordTokenIssuedIn(c, grant_id, issued_at, expires_at);
    });
  }

  static Status recordTokenIssuedIn(Connection& c, std::string_view grant_id,
                                    std::int64_t issued_at, std::int64_t expires_at) {
    GG_TRY(auto q, c.query("UPDATE grants SET token_issued_at = ?2, token_expires_at = ?3 "
                           "WHERE id = ?1"));
    q.bind(grant_id).bind(issued_at).bind(expires_at);
    return runChanging(c, q, "grant");
  }

  Result<bool> revoke(std::string_view grant_id, std::int64_t at) override {
    return db_.transaction(
        [&](Connection& c) -> Result<bool> { return revokeIn(c, grant_id, at); });
  }

  Result<bool> revokeAndNotify(std::string_view grant_id, std::int64_t at,
                               const OutboxMessage& notify) override {
    return db_.transaction([&](Connection& c) -> Result<bool> {
      GG_TRY(bool revoked, revokeIn(c, grant_id, at));
      if (revoked) GG_TRY(insertOutbox(c, notify, nullptr));
      return revoked;
    });
  }

  Result<std::vector<Grant>> listBySubject(std::string_view subject) override {
    return db_.read([&](Connection& c) -> Result<std::vector<Grant>> {
      GG_TRY(auto q, c.query("SELECT " GG_GRANT_COLUMNS
                             " FROM grants WHERE subject = ?1 ORDER BY granted_at, id"));
      q.bind(subject);
      return all<Grant>(q, readGrant);
    });
  }

 private:
  static Result<bool> revokeIn(Connection& c, std::string_view grant_id, std::int64_t at) {
    {
      GG_TRY(auto q,
             c.query("UPDATE grants SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL"));
      q.bind(grant_id).bind(at);
      GG_TRY(q.run());
    }
    if (c.changes() == 1) return true;
    GG_TRY(auto q, c.query("SELECT 1 FROM grants WHERE id = ?1"));
    q.bind(grant_id);
    GG_TRY(bool exists, q.step());
    if (!exists) return fail(Errc::kNotFound, "sqlite: no such grant");
    return false;
  }

  Database& db_;
};

class SqliteRefreshTokens final : public RefreshTokenStore {
 public:
  explicit SqliteRefreshTokens(Database& db) : db_(db) {}

  Status create(std::string_view token_hash, const RefreshRecord& r) override {
    return db_.write(
        [&](Connection& c) -> Status { return insert(c, token_hash, r, r.rotated_at); });
  }

  Result<RefreshRecord> find(std::string_view token_hash) override {
    return db_.read([&](Connection& c) -> Result<RefreshRecord> {
      GG_TRY(auto q,
             c.query("SELECT " GG_REFRESH_COLUMNS " FROM refresh_tokens WHERE token_hash = ?1"));
      q.bind(token_hash);
      return single<RefreshRecord>(q, readRefresh, "refresh token");
    });
  }

  Status rotate(std::string_view old_hash, std::int64_t at, std::string_view new_hash,
                const RefreshRecord& r) override {
    return db_.transaction([&](Connection& c) -> Status {
      {
        GG_TRY(auto q, c.query("UPDATE refresh_tokens SET rotated_at = ?2 WHERE token_hash = ?1 "
                               "AND rotated_at IS NULL"));
        q.bind(old_hash).bind(at);
        GG_TRY(q.run());
      }
      if (c.changes() == 0) {
        GG_TRY(auto q, c.query("SELECT 1 FROM refresh_tokens WHERE token_hash = ?1"));
        q.bind(old_hash);
        GG_TRY(bool exists, q.step());
        if (!exists) return fail(Errc::kNotFound, "sqlite: no such refresh token");
        return fail(Errc::kAlreadyUsed, "refresh token rotated before");
      }
      return insert(c, new_hash, r, std::nullopt);
    });
  }

  static Status insert(Connection& c, std::string_view token_hash, const RefreshRecord& r,
                       std::optional<std::int64_t> rotated_at) {
    GG_TRY(auto q, c.query("INSERT INTO refresh_tokens (token_hash, " GG_REFRESH_COLUMNS
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    q.bind(token_hash)
        .bind(r.grant_id)
        .bind(r.client_id)
        .bind(r.cert_thumbprint)
        .bind(r.scope)
        .bind(r.created_at)
        .bind(r.expires_at)
        .bind(rotated_at);
    return q.run();
  }

 private:
  Database& db_;
};

// The access_tokens table holds revoked tokens only (revoked = 1). Files written before access
// tokens stopped being recorded at issue may still hold records with revoked = 0 until they
// expire and are swept: they mean nothing.
class SqliteAccessTokens final : public AccessTokenStore {
 public:
  explicit SqliteAccessTokens(Database& db) : db_(db) {}

  Status revoke(const AccessTokenRecord& r) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("INSERT INTO access_tokens (" GG_ACCESS_COLUMNS
                             ") VALUES (?1, ?2, ?3, ?4, ?5, 1) "
                             "ON CONFLICT (jti) DO UPDATE SET revoked = 1"));
      q.bind(r.jti).bind(r.grant_id).bind(r.client_id).bind(r.issued_at).bind(r.expires_at);
      return q.run();
    });
  }

  Result<bool> isRevoked(std::string_view jti) override {
    return db_.read([&](Connection& c) -> Result<bool> {
      GG_TRY(auto q, c.query("SELECT 1 FROM access_tokens WHERE jti = ?1 AND revoked = 1"));
      q.bind(jti);
      return q.step();
    });
  }

 private:
  Database& db_;
};

class SqliteUsers final : public UserStore {
 public:
  explicit SqliteUsers(Database& db) : db_(db) {}

  Status create(const User& u) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q,
             c.query("INSERT INTO users (" GG_USER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)"));
      q.bind(u.username)
          .bind(u.subject)
          .bind(u.password_hash)
          .bind(u.display_name)
          .bind(u.created_at);
      return q.run();
    });
  }

  Result<User> findByUsername(std::string_view username) override {
    return db_.read([&](Connection& c) -> Result<User> {
      GG_TRY(auto q, c.query("SELECT " GG_USER_COLUMNS " FROM users WHERE username = ?1"));
      q.bind(username);
      return single<User>(q, readUser, "user");
    });
  }

  Result<User> findBySubject(std::string_view subject) override {
    return db_.read([&](Connection& c) -> Result<User> {
      GG_TRY(auto q, c.query("SELECT " GG_USER_COLUMNS " FROM users WHERE subject = ?1"));
      q.bind(subject);
      return single<User>(q, readUser, "user");
    });
  }

  Result<std::vector<User>> list() override {
    return db_.read([&](Connection& c) -> Result<std::vector<User>> {
      GG_TRY(auto q, c.query("SELECT " GG_USER_COLUMNS " FROM users ORDER BY username"));
      return all<User>(q, readUser);
    });
  }

  Status remove(std::string_view username) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("DELETE FROM users WHERE username = ?1"));
      q.bind(username);
      return runChanging(c, q, "user");
    });
  }

 private:
  Database& db_;
};

class SqliteSessions final : public SessionStore {
 public:
  explicit SqliteSessions(Database& db) : db_(db) {}

  Status create(std::string_view session_hash, const Session& s) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("INSERT INTO sessions (session_hash, subject, auth_time, expires_at) "
                             "VALUES (?1, ?2, ?3, ?4)"));
      q.bind(session_hash).bind(s.subject).bind(s.auth_time).bind(s.expires_at);
      return q.run();
    });
  }

  Result<Session> find(std::string_view session_hash) override {
    return db_.read([&](Connection& c) -> Result<Session> {
      GG_TRY(auto q, c.query("SELECT subject, auth_time, expires_at FROM sessions "
                             "WHERE session_hash = ?1"));
      q.bind(session_hash);
      return single<Session>(
          q,
          [](const Query& row) {
            return Session{
                .subject = row.text(0), .auth_time = row.int64(1), .expires_at = row.int64(2)};
          },
          "session");
    });
  }

  Status remove(std::string_view session_hash) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("DELETE FROM sessions WHERE session_hash = ?1"));
      q.bind(session_hash);
      return q.run();
    });
  }

 private:
  Database& db_;
};

class SqliteReplays final : public ReplayStore {
 public:
  explicit SqliteReplays(Database& db) : db_(db) {}

  Result<bool> remember(std::string_view key, std::int64_t expires_at) override {
    return db_.write([&](Connection& c) -> Result<bool> {
      GG_TRY(auto q, c.query("INSERT INTO replay_markers (marker, expires_at) VALUES (?1, ?2) "
                             "ON CONFLICT (marker) DO NOTHING"));
      q.bind(key).bind(expires_at);
      GG_TRY(q.run());
      return c.changes() == 1;
    });
  }

 private:
  Database& db_;
};

class SqliteOutbox final : public Outbox {
 public:
  explicit SqliteOutbox(Database& db) : db_(db) {}

  Result<std::int64_t> enqueue(const OutboxMessage& message) override {
    return db_.write([&](Connection& c) -> Result<std::int64_t> {
      std::int64_t id = 0;
      GG_TRY(insertOutbox(c, message, &id));
      return id;
    });
  }

  Result<std::vector<OutboxMessage>> due(std::int64_t now, std::size_t limit) override {
    return db_.read([&](Connection& c) -> Result<std::vector<OutboxMessage>> {
      GG_TRY(auto q, c.query("SELECT " GG_OUTBOX_COLUMNS " FROM outbox WHERE delivered_at IS NULL "
                             "AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2"));
      q.bind(now).bind(sqlLimit(limit));
      return all<OutboxMessage>(q, readOutbox);
    });
  }

  Result<std::vector<OutboxMessage>> claim(std::int64_t now, std::size_t limit,
                                           std::int64_t lease_until) override {
    return db_.write([&](Connection& c) -> Result<std::vector<OutboxMessage>> {
      GG_TRY(auto q, c.query("UPDATE outbox SET next_attempt_at = ?3 WHERE id IN (SELECT id FROM "
                             "outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?1 ORDER "
                             "BY id LIMIT ?2) RETURNING " GG_OUTBOX_COLUMNS));
      q.bind(now).bind(sqlLimit(limit)).bind(lease_until);
      GG_TRY(auto claimed, all<OutboxMessage>(q, readOutbox));
      // RETURNING has no order of its own.
      std::sort(claimed.begin(), claimed.end(),
                [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
      return claimed;
    });
  }

  Status markDelivered(std::int64_t id, std::int64_t at) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("UPDATE outbox SET delivered_at = coalesce(delivered_at, ?2) "
                             "WHERE id = ?1"));
      q.bind(id).bind(at);
      return runChanging(c, q, "outbox message");
    });
  }

  Status reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_at,
                    std::string_view last_error) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, "
                             "last_error = ?4 WHERE id = ?1"));
      q.bind(id).bind(attempts).bind(next_attempt_at).bind(last_error);
      return runChanging(c, q, "outbox message");
    });
  }

  Result<OutboxMessage> find(std::int64_t id) override {
    return db_.read([&](Connection& c) -> Result<OutboxMessage> {
      GG_TRY(auto q, c.query("SELECT " GG_OUTBOX_COLUMNS " FROM outbox WHERE id = ?1"));
      q.bind(id);
      return single<OutboxMessage>(q, readOutbox, "outbox message");
    });
  }

 private:
  Database& db_;
};

class SqliteKeys final : public KeyStore {
 public:
  explicit SqliteKeys(Database& db) : db_(db) {}

  Status add(const SigningKey& k) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("INSERT INTO signing_keys (" GG_KEY_COLUMNS
                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
      q.bind(k.kid)
          .bind(k.alg)
          .bind(k.private_pem)
          .bind(k.created_at)
          .bind(k.activates_at)
          .bind(k.retired_at);
      return q.run();
    });
  }

  Result<std::vector<SigningKey>> list() override {
    return db_.read([&](Connection& c) -> Result<std::vector<SigningKey>> {
      GG_TRY(auto q,
             c.query("SELECT " GG_KEY_COLUMNS " FROM signing_keys ORDER BY created_at, kid"));
      return all<SigningKey>(q, readKey);
    });
  }

  Status retire(std::string_view kid, std::int64_t at) override {
    return db_.write([&](Connection& c) -> Status {
      GG_TRY(auto q, c.query("UPDATE signing_keys SET retired_at = coalesce(retired_at, ?2) "
                             "WHERE kid = ?1"));
      q.bind(kid).bind(at);
      return runChanging(c, q, "signing key");
    });
  }

 private:
  Database& db_;
};

// Deletes by `sql` (parameters ?1 = now and, where used, ?2 = the grant cut-off) and adds the
// count to `removed`.
Status sweepOne(Connection& c, std::string_view sql, std::int64_t now, std::int64_t grant_cutoff,
                std::size_t& removed) {
  GG_TRY(auto q, c.query(sql));
  q.bind(now);
  if (q.parameterCount() >= 2) q.bind(grant_cutoff);
  GG_TRY(q.run());
  removed += static_cast<std::size_t>(c.changes());
  return ok();
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Database> db)
      : db_(std::move(db)),
        pars_(*db_),
        codes_(*db_),
        grants_(*db_),
        refresh_(*db_),
        access_(*db_),
        users_(*db_),
        sessions_(*db_),
        replays_(*db_),
        outbox_(*db_),
        keys_(*db_) {}

  ParStore& pars() override { return pars_; }
  CodeStore& codes() override { return codes_; }
  GrantStore& grants() override { return grants_; }
  RefreshTokenStore& refreshTokens() override { return refresh_; }
  AccessTokenStore& accessTokens() override { return access_; }
  UserStore& users() override { return users_; }
  SessionStore& sessions() override { return sessions_; }
  ReplayStore& replays() override { return replays_; }
  Outbox& outbox() override { return outbox_; }
  KeyStore& keys() override { return keys_; }

  Result<std::size_t> sweep(std::int64_t now) override {
    const std::int64_t grant_cutoff = grantSweepCutoff(now);
    // The codes and tokens of a swept grant are deleted explicitly (not left to ON DELETE
    // CASCADE) so that they are counted.
    static constexpr std::string_view kSweeps[] = {
        "DELETE FROM par_requests WHERE expires_at <= ?1",
        "DELETE FROM codes WHERE expires_at <= ?1 OR grant_id IN "
        "(SELECT id FROM grants WHERE expires_at <= ?2)",
        "DELETE FROM refresh_tokens WHERE expires_at <= ?1 OR grant_id IN "
        "(SELECT id FROM grants WHERE expires_at <= ?2)",
        "DELETE FROM access_tokens WHERE expires_at <= ?1 OR grant_id IN "
        "(SELECT id FROM grants WHERE expires_at <= ?2)",
        "DELETE FROM sessions WHERE expires_at <= ?1",
        "DELETE FROM replay_markers WHERE expires_at <= ?1",
        "DELETE FROM grants WHERE expires_at <= ?2",
    };
    return db_->transaction([&](Connection& c) -> Result<std::size_t> {
      std::size_t removed = 0;
      for (std::string_view sql : kSweeps) GG_TRY(sweepOne(c, sql, now, grant_cutoff, removed));
      return removed;
    });
  }

  Result<ParRecord> approve(const Approval& a) override {
    return db_->transaction([&](Connection& c) -> Result<ParRecord> {
      GG_TRY(ParRecord par, SqlitePars::consumeIn(c, a.uri_hash, a.now));
      GG_TRY(SqliteGrants::insert(c, a.grant));
      GG_TRY(SqliteCodes::insert(c, a.code_hash, a.code));
      return par;
    });
  }

  Status issueTokens(const TokenIssue& t) override {
    return db_->transaction([&](Connection& c) -> Status {
      if (!t.code_hash.empty()) GG_TRY(SqliteCodes::redeemFirst(c, t.code_hash));
      const AccessTokenRecord& at = t.access_token;
      GG_TRY(SqliteGrants::recordTokenIssuedIn(c, at.grant_id, at.issued_at, at.expires_at));
      if (!t.refresh_hash.empty()) {
        GG_TRY(SqliteRefreshTokens::insert(c, t.refresh_hash, t.refresh, t.refresh.rotated_at));
      }
      return ok();
    });
  }

  bool healthy() override {
    auto answered = db_->read([](Connection& c) -> Result<bool> {
      GG_TRY(auto q, c.query("SELECT 1"));
      return q.step();
    });
    return answered && *answered;
  }

 private:
  std::unique_ptr<Database> db_;
  SqlitePars pars_;
  SqliteCodes codes_;
  SqliteGrants grants_;
  SqliteRefreshTokens refresh_;
  SqliteAccessTokens access_;
  SqliteUsers users_;
  SqliteSessions sessions_;
  SqliteReplays replays_;
  SqliteOutbox outbox_;
  SqliteKeys keys_;
};

const char* synchronousPragma(Synchronous s) {
  switch (s) {
    case Synchronous::kNormal:
      return "NORMAL";
    case Synchronous::kFull:
      return "FULL";
    case Synchronous::kExtra:
      return "EXTRA";
  }
  return "FULL";
}

#undef GG_PAR_COLUMNS
#undef GG_CODE_COLUMNS
#undef GG_GRANT_COLUMNS
#undef GG_REFRESH_COLUMNS
#undef GG_ACCESS_COLUMNS
#undef GG_USER_COLUMNS
#undef GG_OUTBOX_COLUMNS
#undef GG_KEY_COLUMNS

}  // namespace

Result<std::shared_ptr<Store>> openSqlite(const SqliteOptions& options) {
  sqlite::DatabaseConfig config{.path = options.path.string(),
                                .busy_timeout = options.busy_timeout,
                                .synchronous = synchronousPragma(options.synchronous),
                                .readers = options.readers};
  GG_TRY(auto db, Database::open(config));
  return std::shared_ptr<Store>(std::make_shared<SqliteStore>(std::move(db)));
}

}  // namespace gridgate::store
