// Storage interfaces of the authorization server. SQLite (embedded, the default) and Redis (several
// instances, one deployment) both implement them; one conformance suite tests both.
//
//   std::shared_ptr<store::Store> db = GG_TRY(store::openSqlite({.path = dir / "gridgate.db"}));
//   GG_TRY(db->pars().create(sha256Hex(request_uri), record));
//   auto par = db->pars().consume(sha256Hex(request_uri), clock.unixSeconds());
//   if (!par && par.error().code == Errc::kAlreadyUsed) ...
//
// Calls block (disk or network): the HTTP layer runs them on its blocking pool. Every method
// returns Errc::kUnavailable when the backend cannot be reached (the caller answers 503), never
// a wrong answer. Single use (codes, request URIs, assertion jtis) is atomic in the store: two
// concurrent consumers never both succeed. Writes are durable when the call returns: a consent
// acknowledged to the user survives a crash.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/records.h"

namespace gridgate::store {

class ParStore {
 public:
  virtual ~ParStore() = default;
  [[nodiscard]] virtual Status create(std::string_view uri_hash, const ParRecord& record) = 0;
  // The record, consumed or not (kNotFound when unknown or swept). Expiry is the caller's check.
  [[nodiscard]] virtual Result<ParRecord> find(std::string_view uri_hash) = 0;
  // Marks the request consumed and returns it; kAlreadyUsed if it was consumed before, kExpired
  // if `now` is past its expiry, kNotFound when unknown.
  [[nodiscard]] virtual Result<ParRecord> consume(std::string_view uri_hash, std::int64_t now) = 0;
};

class CodeStore {
 public:
  virtual ~CodeStore() = default;
  [[nodiscard]] virtual Status create(std::string_view code_hash, const CodeRecord& record) = 0;
  // First call: the record with first_use = true. Later calls: the record with first_use = false.
  // kNotFound when unknown. Expiry is the caller's check (an expired code is still "redeemed").
  [[nodiscard]] virtual Result<CodeRedemption> redeem(std::string_view code_hash) = 0;
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;
  [[nodiscard]] virtual Status create(const Grant& grant) = 0;
  [[nodiscard]] virtual Result<Grant> find(std::string_view grant_id) = 0;
  [[nodiscard]] virtual Result<Grant> findByEvidence(std::string_view evidence_id) = 0;
  [[nodiscard]] virtual Status recordTokenIssued(std::string_view grant_id, std::int64_t issued_at,
                                                 std::int64_t expires_at) = 0;
  // Sets revoked_at if not yet revoked. Returns true if this call revoked it.
  [[nodiscard]] virtual Result<bool> revoke(std::string_view grant_id, std::int64_t at) = 0;
  [[nodiscard]] virtual Result<std::vector<Grant>> listBySubject(std::string_view subject) = 0;
};

class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;
  [[nodiscard]] virtual Status create(std::string_view token_hash, const RefreshRecord& record) = 0;
  [[nodiscard]] virtual Result<RefreshRecord> find(std::string_view token_hash) = 0;
  // Atomically marks `old_hash` rotated at `at` and stores the new token. kAlreadyUsed if the old
  // token was rotated before (the caller decides about the grace period from find()).
  [[nodiscard]] virtual Status rotate(std::string_view old_hash, std::int64_t at,
                                      std::string_view new_hash, const RefreshRecord& record) = 0;
};

class AccessTokenStore {
 public:
  virtual ~AccessTokenStore() = default;
  [[nodiscard]] virtual Status create(const AccessTokenRecord& record) = 0;
  [[nodiscard]] virtual Result<AccessTokenRecord> find(std::string_view jti) = 0;
  [[nodiscard]] virtual Status revoke(std::string_view jti) = 0;
  // Every token of the grant; revocation publishes their jtis to validators.
  [[nodiscard]] virtual Result<std::vector<AccessTokenRecord>> listByGrant(
      std::string_view grant_id) = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  [[nodiscard]] virtual Status create(const User& user) = 0;  // kConflict if username exists
  [[nodiscard]] virtual Result<User> findByUsername(std::string_view username) = 0;
  [[nodiscard]] virtual Result<User> findBySubject(std::string_view subject) = 0;
  [[nodiscard]] virtual Result<std::vector<User>> list() = 0;
  [[nodiscard]] virtual Status remove(std::string_view username) = 0;  // kNotFound if absent
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  [[nodiscard]] virtual Status create(std::string_view session_hash, const Session& session) = 0;
  [[nodiscard]] virtual Result<Session> find(std::string_view session_hash) = 0;
  [[nodiscard]] virtual Status remove(std::string_view session_hash) = 0;
};

// Single-use markers with an expiry: private_key_jwt assertion `jti`s, CSRF nonces.
class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  // True if `key` was not seen before (and is now remembered until `expires_at`); false if seen.
  [[nodiscard]] virtual Result<bool> remember(std::string_view key, std::int64_t expires_at) = 0;
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  [[nodiscard]] virtual Result<std::int64_t> enqueue(const OutboxMessage& message) = 0;
  // Up to `limit` undelivered messages with next_attempt_at <= now, oldest first.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> due(std::int64_t now,
                                                               std::size_t limit) = 0;
  [[nodiscard]] virtual Status markDelivered(std::int64_t id, std::int64_t at) = 0;
  [[nodiscard]] virtual Status reschedule(std::int64_t id, int attempts,
                                          std::int64_t next_attempt_at,
                                          std::string_view last_error) = 0;
  [[nodiscard]] virtual Result<OutboxMessage> find(std::int64_t id) = 0;
};

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  [[nodiscard]] virtual Status add(const SigningKey& key) = 0;  // kConflict if kid exists
  [[nodiscard]] virtual Result<std::vector<SigningKey>> list() = 0;
  [[nodiscard]] virtual Status retire(std::string_view kid, std::int64_t at) = 0;
};

// One backend: every store of the authorization server.
class Store {
 public:
  virtual ~Store() = default;
  virtual ParStore& pars() = 0;
  virtual CodeStore& codes() = 0;
  virtual GrantStore& grants() = 0;
  virtual RefreshTokenStore& refreshTokens() = 0;
  virtual AccessTokenStore& accessTokens() = 0;
  virtual UserStore& users() = 0;
  virtual SessionStore& sessions() = 0;
  virtual ReplayStore& replays() = 0;
  virtual Outbox& outbox() = 0;
  virtual KeyStore& keys() = 0;
  // Deletes expired rows (PAR requests, codes, sessions, replay markers, expired refresh and
  // access-token records). Returns how many were removed.
  [[nodiscard]] virtual Result<std::size_t> sweep(std::int64_t now) = 0;
  // True when the backend answers (readiness probe).
  [[nodiscard]] virtual bool healthy() = 0;
};

}  // namespace gridgate::store
