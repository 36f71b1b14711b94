// Storage interfaces of the authorization server. SQLite (embedded, the default) and Redis (several
// instances, one deployment) both implement them; one conformance suite tests both
// (tests/store/store_conformance.h).
//
//   std::shared_ptr<store::Store> db = GG_TRY(store::openSqlite({.path = dir / "gridgate.db"}));
//   GG_TRY(db->pars().create(sha256Hex(request_uri), record));
//   auto par = db->pars().consume(sha256Hex(request_uri), clock.unixSeconds());
//   if (!par && par.error().code == Errc::kAlreadyUsed) ...
//
// Calls block (disk or network): the HTTP layer runs them on its blocking pool, from any number of
// threads. Every method returns Errc::kUnavailable when the backend cannot be reached or fails
// (the caller answers 503), never a wrong answer. Single use (codes, request URIs, assertion jtis,
// refresh-token rotation, grant revocation) is atomic in the store: two concurrent callers never
// both succeed. Writes are durable when the call returns: a consent acknowledged to the user
// survives a crash.
//
// Conventions for every store below:
// - create/add of a key that exists -> kConflict (nothing is overwritten);
// - a record naming a grant (codes, refresh tokens, access-token revocations) needs that grant to
//   exist -> kNotFound otherwise;
// - lookups of an unknown key -> kNotFound; lists are empty vectors, never kNotFound;
// - a record is live while now < expires_at: at now == expires_at it has expired;
// - find() returns a record whether or not it has expired, until sweep() removes it; expiry is the
//   caller's check except where a method takes `now`;
// - strings are stored byte for byte (any bytes, including NUL), integers as 64-bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
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
  // Marks the request consumed and returns it (consumed = true); kAlreadyUsed if it was consumed
  // before (checked first: a consumed request stays kAlreadyUsed after it expires), kExpired if
  // now >= expires_at (the request is left unconsumed), kNotFound when unknown.
  [[nodiscard]] virtual Result<ParRecord> consume(std::string_view uri_hash, std::int64_t now) = 0;
};

class CodeStore {
 public:
  virtual ~CodeStore() = default;
  // kNotFound if record.grant_id names no grant.
  [[nodiscard]] virtual Status create(std::string_view code_hash, const CodeRecord& record) = 0;
  // First call: the record with first_use = true. Later calls: the record with first_use = false.
  // kNotFound when unknown. Expiry is the caller's check (an expired code is still "redeemed").
  // Codes are swept at expiry: a replay after the sweep reads kNotFound.
  [[nodiscard]] virtual Result<CodeRedemption> redeem(std::string_view code_hash) = 0;
  // The record without redeeming it: first_use = true while it has never been redeemed (a
  // redeem() or issueTokens() now would be the first). kNotFound when unknown.
  [[nodiscard]] virtual Result<CodeRedemption> find(std::string_view code_hash) = 0;
};

class GrantStore {
 public:
  virtual ~GrantStore() = default;
  // kConflict if the id or the evidence_id exists. revoked_at is stored as given.
  [[nodiscard]] virtual Status create(const Grant& grant) = 0;
  [[nodiscard]] virtual Result<Grant> find(std::string_view grant_id) = 0;
  [[nodiscard]] virtual Result<Grant> findByEvidence(std::string_view evidence_id) = 0;
  // Sets token_issued_at and token_expires_at (of the latest access token). kNotFound if unknown.
  [[nodiscard]] virtual Status recordTokenIssued(std::string_view grant_id, std::int64_t issued_at,
                                                 std::int64_t expires_at) = 0;
  // Sets revoked_at if not yet revoked. Returns true if this call revoked it (the first revocation
  // time is kept), false if it was revoked before; kNotFound if unknown.
  [[nodiscard]] virtual Result<bool> revoke(std::string_view grant_id, std::int64_t at) = 0;
  // revoke(), and when this call revoked the grant, enqueues `notify` (the IB1 revocation message)
  // in the Outbox in the same atomic step: a crash cannot leave a revoked grant whose message was
  // never queued, nor queue a message twice. Returns what revoke() returns; notify.id is ignored.
  [[nodiscard]] virtual Result<bool> revokeAndNotify(std::string_view grant_id, std::int64_t at,
                                                     const OutboxMessage& notify) = 0;
  // The user's grants, oldest first (granted_at, then id); revoked and expired ones included.
  [[nodiscard]] virtual Result<std::vector<Grant>> listBySubject(std::string_view subject) = 0;
};

class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;
  // kNotFound if record.grant_id names no grant. rotated_at is stored as given.
  [[nodiscard]] virtual Status create(std::string_view token_hash, const RefreshRecord& record) = 0;
  [[nodiscard]] virtual Result<RefreshRecord> find(std::string_view token_hash) = 0;
  // Atomically marks `old_hash` rotated at `at` and stores the new token (record.rotated_at is
  // ignored: a new token is not rotated). kAlreadyUsed if the old token was rotated before (the
  // caller decides about the grace period from find()); kNotFound if the old token is unknown;
  // kConflict if `new_hash` exists. On any error nothing changes.
  [[nodiscard]] virtual Status rotate(std::string_view old_hash, std::int64_t at,
                                      std::string_view new_hash, const RefreshRecord& record) = 0;
};

// Revoked access tokens. An access token is a signed JWT that names its grant: introspection and
// the token endpoint's callers check the signature, the grant and this list, so issuing a token
// writes no record of it (one write less per token request: bench/authz token scenario). A
// revocation is kept until the token's expires_at (sweep()), after which the JWT is refused anyway.
class AccessTokenStore {
 public:
  virtual ~AccessTokenStore() = default;
  // Records `token` as revoked (token.revoked is ignored); revoking twice is not an error, the
  // token is marked revoked also when a build that stored issued tokens left a record of it.
  // kNotFound if token.grant_id names no grant.
  [[nodiscard]] virtual Status revoke(const AccessTokenRecord& token) = 0;
  // True if the token with this jti was revoked (and not yet swept); false for any other jti.
  [[nodiscard]] virtual Result<bool> isRevoked(std::string_view jti) = 0;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // kConflict if the username or the subject exists.
  [[nodiscard]] virtual Status create(const User& user) = 0;
  [[nodiscard]] virtual Result<User> findByUsername(std::string_view username) = 0;
  [[nodiscard]] virtual Result<User> findBySubject(std::string_view subject) = 0;
  // Every user, by username.
  [[nodiscard]] virtual Result<std::vector<User>> list() = 0;
  [[nodiscard]] virtual Status remove(std::string_view username) = 0;  // kNotFound if absent
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  [[nodiscard]] virtual Status create(std::string_view session_hash, const Session& session) = 0;
  // The session, expired or not (until swept): the caller checks expires_at.
  [[nodiscard]] virtual Result<Session> find(std::string_view session_hash) = 0;
  // Ends the session; absent is not an error (logging out twice is fine).
  [[nodiscard]] virtual Status remove(std::string_view session_hash) = 0;
};

// Single-use markers with an expiry: private_key_jwt assertion `jti`s, CSRF nonces.
class ReplayStore {
 public:
  virtual ~ReplayStore() = default;
  // True if `key` was not seen before (and is now remembered until `expires_at`); false if seen.
  // A marker is forgotten only when sweep() removes it after its expiry.
  [[nodiscard]] virtual Result<bool> remember(std::string_view key, std::int64_t expires_at) = 0;
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Stores the message and returns its id: positive, increasing in enqueue order, never reused.
  // message.id and message.delivered_at are ignored.
  [[nodiscard]] virtual Result<std::int64_t> enqueue(const OutboxMessage& message) = 0;
  // Up to `limit` undelivered messages with next_attempt_at <= now, oldest (lowest id) first.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> due(std::int64_t now,
                                                               std::size_t limit) = 0;
  // due(), and in the same atomic step moves each returned message's next_attempt_at to
  // `lease_until` (the returned records show it): two workers (two instances sharing Redis)
  // never claim the same message, and a message whose worker died becomes due again at
  // lease_until. The worker then calls markDelivered or reschedule.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> claim(std::int64_t now,
                                                                 std::size_t limit,
                                                                 std::int64_t lease_until) = 0;
  // Sets delivered_at (the first delivery time is kept). kNotFound if unknown.
  [[nodiscard]] virtual Status markDelivered(std::int64_t id, std::int64_t at) = 0;
  // Records a failed attempt. kNotFound if unknown.
  [[nodiscard]] virtual Status reschedule(std::int64_t id, int attempts,
                                          std::int64_t next_attempt_at,
                                          std::string_view last_error) = 0;
  [[nodiscard]] virtual Result<OutboxMessage> find(std::int64_t id) = 0;
};

// Signing keys. SigningKey.private_pem is the one secret a store keeps raw: the SQLite file is
// created 0600, and a Redis deployment must protect its instance accordingly.
class KeyStore {
 public:
  virtual ~KeyStore() = default;
  [[nodiscard]] virtual Status add(const SigningKey& key) = 0;  // kConflict if kid exists
  // Every key, oldest first (created_at, then kid).
  [[nodiscard]] virtual Result<std::vector<SigningKey>> list() = 0;
  // Sets retired_at if not yet retired (the first retirement time is kept). kNotFound if unknown.
  [[nodiscard]] virtual Status retire(std::string_view kid, std::int64_t at) = 0;
};

// One backend: every store of the authorization server. Thread-safe.
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
  // Deletes expired rows (expires_at <= now: PAR requests, codes, sessions, replay markers,
  // refresh tokens, access-token revocations) and grants kept their retention after expiry
  // (expires_at + kGrantRetention <= now; PERSEUS.md: records are kept 12 months), with the
  // codes and tokens that name them. Users, keys and the outbox are never swept. Returns how many
  // rows were removed.
  [[nodiscard]] virtual Result<std::size_t> sweep(std::int64_t now) = 0;
  // The consent's writes in one atomic, durable step: consumes the pushed request (errors as
  // ParStore::consume: kNotFound, kAlreadyUsed, kExpired), creates the grant (kConflict if its id
  // or evidence_id exists) and the code (kConflict if it exists; kNotFound if code.grant_id names
  // no grant). Returns the consumed request. On any error nothing is written: a consent is
  // acknowledged (the redirect with the code) only once all three are durable.
  [[nodiscard]] virtual Result<ParRecord> approve(const Approval& approval) = 0;
  // The token endpoint's writes in one atomic, durable step: redeems issue.code_hash when given
  // (kNotFound if unknown; kAlreadyUsed if redeemed before: the caller treats it as a replay),
  // sets token_issued_at and token_expires_at of issue.access_token's grant from it (the token
  // itself is not stored: AccessTokenStore), and stores issue.refresh under issue.refresh_hash
  // when given (kConflict if it exists). A grant named that does not exist -> kNotFound. On any
  // error nothing is written.
  [[nodiscard]] virtual Status issueTokens(const TokenIssue& issue) = 0;
  // True when the backend answers (readiness probe).
  [[nodiscard]] virtual bool healthy() = 0;
};

// How long sweep() keeps a grant after its expires_at: 365 days.
inline constexpr std::int64_t kGrantRetention = 365LL * 24 * 60 * 60;

// The expires_at before which sweep(now) removes a grant: now - kGrantRetention, clamped instead
// of overflowing for a `now` near the smallest int64.
constexpr std::int64_t grantSweepCutoff(std::int64_t now) {
  return now < std::numeric_limits<std::int64_t>::min() + kGrantRetention
             ? std::numeric_limits<std::int64_t>::min()
             : now - kGrantRetention;
}

}  // namespace gridgate::store
