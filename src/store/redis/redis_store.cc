#include "store/redis/redis_store.h"

#include <algorithm>
#include <charconv>
#include <deque>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/log.h"
#include "store/redis/connection.h"
#include "store/redis/pool.h"
#include "store/redis/scripts.h"

namespace gridgate::store {
namespace {

using redis::Pool;
using redis::Reply;
using redis::ReplyView;
using redis::Script;
namespace scripts = redis::scripts;

// Script arguments: views of the caller's strings (alive for the call) and numbers rendered here
// (a deque keeps them at stable addresses).
class Args {
 public:
  explicit Args(std::string_view prefix) { views_.push_back(prefix); }
  Args& add(std::string_view s) {
    views_.push_back(s);
    return *this;
  }
  Args& add(std::int64_t n) {
    views_.push_back(owned_.emplace_back(std::to_string(n)));
    return *this;
  }
  Args& add(bool b) { return add(std::string_view(b ? "1" : "0")); }
  // Without it a string literal would pick add(bool) (pointer-to-bool beats a conversion).
  Args& add(const char* s) { return add(std::string_view(s)); }
  Args& field(std::string_view name, std::string_view value) { return add(name).add(value); }
  Args& field(std::string_view name, std::int64_t value) { return add(name).add(value); }
  Args& field(std::string_view name, bool value) { return add(name).add(value); }
  // An absent optional is an absent field.
  Args& field(std::string_view name, const std::optional<std::int64_t>& value) {
    if (value) field(name, *value);
    return *this;
  }
  std::span<const std::string_view> views() const { return views_; }
  std::size_t size() const { return views_.size(); }
  // Sets argument `i`: a count reserved with add() before the arguments it counts were added.
  Args& set(std::size_t i, std::int64_t n) {
    views_.at(i) = owned_.emplace_back(std::to_string(n));
    return *this;
  }

 private:
  std::deque<std::string> owned_;
  std::vector<std::string_view> views_;
};

Error corrupt(std::string_view what) {
  return Error{Errc::kUnavailable, "redis: malformed " + std::string(what) + " record"};
}

// The fields of one HGETALL reply (a flat name/value array).
class Fields {
 public:
  Fields(ReplyView flat, const char* what) : flat_(flat), what_(what) {}

  std::optional<std::string_view> get(std::string_view name) const {
    for (std::size_t i = 0; i + 1 < flat_.size(); i += 2) {
      if (flat_[i].str() == name) return flat_[i + 1].str();
    }
    return std::nullopt;
  }
  Result<std::string> text(std::string_view name) const {
    auto v = get(name);
    if (!v) return fail(corrupt(what_));
    return std::string(*v);
  }
  Result<std::int64_t> int64(std::string_view name) const {
    auto v = get(name);
    if (!v) return fail(corrupt(what_));
    return parse(*v);
  }
  Result<std::optional<std::int64_t>> optInt64(std::string_view name) const {
    auto v = get(name);
    if (!v) return std::optional<std::int64_t>();
    GG_TRY(std::int64_t n, parse(*v));
    return std::optional<std::int64_t>(n);
  }
  Result<bool> boolean(std::string_view name) const {
    GG_TRY(std::int64_t n, int64(name));
    if (n != 0 && n != 1) return fail(corrupt(what_));
    return n == 1;
  }

 private:
  Result<std::int64_t> parse(std::string_view s) const {
    std::int64_t n = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return fail(corrupt(what_));
    return n;
  }

  ReplyView flat_;
  const char* what_;
};

// --- Record codecs: field names are the struct members' names (docs/redis.md).

void encode(Args& a, const ParRecord& r) {
  a.field("client_id", r.client_id)
      .field("redirect_uri", r.redirect_uri)
      .field("scope", r.scope)
      .field("state", r.state)
      .field("nonce", r.nonce)
      .field("code_challenge", r.code_challenge)
      .field("authorization_details", r.authorization_details)
      .field("created_at", r.created_at)
      .field("expires_at", r.expires_at)
      .field("consumed", r.consumed);
}

Result<ParRecord> decodePar(ReplyView flat) {
  Fields f(flat, "request");
  ParRecord r;
  GG_TRY(r.client_id, f.text("client_id"));
  GG_TRY(r.redirect_uri, f.text("redirect_uri"));
  GG_TRY(r.scope, f.text("scope"));
  GG_TRY(r.state, f.text("state"));
  GG_TRY(r.nonce, f.text("nonce"));
  GG_TRY(r.code_challenge, f.text("code_challenge"));
  GG_TRY(r.authorization_details, f.text("authorization_details"));
  GG_TRY(r.created_at, f.int64("created_at"));
  GG_TRY(r.expires_at, f.int64("expires_at"));
  GG_TRY(r.consumed, f.boolean("consumed"));
  return r;
}

void encode(Args& a, const CodeRecord& r) {
  a.field("client_id", r.client_id)
      .field("redirect_uri", r.redirect_uri)
      .field("code_challenge", r.code_challenge)
      .field("scope", r.scope)
      .field("nonce", r.nonce)
      .field("subject", r.subject)
      .field("grant_id", r.grant_id)
      .field("auth_time", r.auth_time)
      .field("created_at", r.created_at)
      .field("expires_at", r.expires_at)
      .field("redemptions", std::int64_t{0});
}

Result<CodeRecord> decodeCode(ReplyView flat) {
  Fields f(flat, "code");
  CodeRecord r;
  GG_TRY(r.client_id, f.text("client_id"));
  GG_TRY(r.redirect_uri, f.text("redirect_uri"));
  GG_TRY(r.code_challenge, f.text("code_challenge"));
  GG_TRY(r.scope, f.text("scope"));
  GG_TRY(r.nonce, f.text("nonce"));
  GG_TRY(r.subject, f.text("subject"));
  GG_TRY(r.grant_id, f.text("grant_id"));
  GG_TRY(r.auth_time, f.int64("auth_time"));
  GG_TRY(r.created_at, f.int64("created_at"));
  GG_TRY(r.expires_at, f.int64("expires_at"));
  return r;
}

void encode(Args& a, const Grant& g) {
  a.field("id", g.id)
      .field("evidence_id", g.evidence_id)
      .field("client_id", g.client_id)
      .field("subject", g.subject)
      .field("scope", g.scope)
      .field("authorization_details", g.authorization_details)
      .field("granted_at", g.granted_at)
      .field("expires_at", g.expires_at)
      .field("data_available_from", g.data_available_from)
      .field("token_issued_at", g.token_issued_at)
      .field("token_expires_at", g.token_expires_at)
      .field("revoked_at", g.revoked_at);
}

Result<Grant> decodeGrant(ReplyView flat) {
  Fields f(flat, "grant");
  Grant g;
  GG_TRY(g.id, f.text("id"));
  GG_TRY(g.evidence_id, f.text("evidence_id"));
  GG_TRY(g.client_id, f.text("client_id"));
  GG_TRY(g.subject, f.text("subject"));
  GG_TRY(g.scope, f.text("scope"));
  GG_TRY(g.authorization_details, f.text("authorization_details"));
  GG_TRY(g.granted_at, f.int64("granted_at"));
  GG_TRY(g.expires_at, f.int64("expires_at"));
  GG_TRY(g.data_available_from, f.int64("data_available_from"));
  GG_TRY(g.token_issued_at, f.int64("token_issued_at"));
  GG_TRY(g.token_expires_at, f.int64("token_expires_at"));
  GG_TRY(g.revoked_at, f.optInt64("revoked_at"));
  return g;
}

void encode(Args& a, const RefreshRecord& r, std::optional<std::int64_t> rotated_at) {
  a.field("grant_id", r.grant_id)
      .field("client_id", r.client_id)
      .field("cert_thumbprint", r.cert_thumbprint)
      .field("scope", r.scope)
      .field("created_at", r.created_at)
      .field("expires_at", r.expires_at)
      .field("rotated_at", rotated_at);
}

Result<RefreshRecord> decodeRefresh(ReplyView flat) {
  Fields f(flat, "refresh token");
  RefreshRecord r;
  GG_TRY(r.grant_id, f.text("grant_id"));
  GG_TRY(r.client_id, f.text("client_id"));
  GG_TRY(r.cert_thumbprint, f.text("cert_thumbprint"));
  GG_TRY(r.scope, f.text("scope"));
  GG_TRY(r.created_at, f.int64("created_at"));
  GG_TRY(r.expires_at, f.int64("expires_at"));
  GG_TRY(r.rotated_at, f.optInt64("rotated_at"));
  return r;
}

void encode(Args& a, const AccessTokenRecord& r) {
  a.field("jti", r.jti)
      .field("grant_id", r.grant_id)
      .field("client_id", r.client_id)
      .field("issued_at", r.issued_at)
      .field("expires_at", r.expires_at)
      .field("revoked", r.revoked);
}

Result<AccessTokenRecord> decodeAccess(ReplyView flat) {
  Fields f(flat, "access token");
  AccessTokenRecord r;
  GG_TRY(r.jti, f.text("jti"));
  GG_TRY(r.grant_id, f.text("grant_id"));
  GG_TRY(r.client_id, f.text("client_id"));
  GG_TRY(r.issued_at, f.int64("issued_at"));
  GG_TRY(r.expires_at, f.int64("expires_at"));
  GG_TRY(r.revoked, f.boolean("revoked"));
  return r;
}

void encode(Args& a, const User& u) {
  a.field("username", u.username)
      .field("subject", u.subject)
      .field("password_hash", u.password_hash)
      .field("display_name", u.display_name)
      .field("created_at", u.created_at);
}

Result<User> decodeUser(ReplyView flat) {
  Fields f(flat, "user");
  User u;
  GG_TRY(u.username, f.text("username"));
  GG_TRY(u.subject, f.text("subject"));
  GG_TRY(u.password_hash, f.text("password_hash"));
  GG_TRY(u.display_name, f.text("display_name"));
  GG_TRY(u.created_at, f.int64("created_at"));
  return u;
}

void encode(Args& a, const Session& s) {
  a.field("subject", s.subject).field("auth_time", s.auth_time).field("expires_at", s.expires_at);
}

Result<Session> decodeSession(ReplyView flat) {
  Fields f(flat, "session");
  Session s;
  GG_TRY(s.subject, f.text("subject"));
  GG_TRY(s.auth_time, f.int64("auth_time"));
  GG_TRY(s.expires_at, f.int64("expires_at"));
  return s;
}

// The id field is written by the script; delivered_at is never written by enqueue.
void encode(Args& a, const OutboxMessage& m) {
  a.field("client_id", m.client_id)
      .field("url", m.url)
      .field("body", m.body)
      .field("attempts", static_cast<std::int64_t>(m.attempts))
      .field("created_at", m.created_at)
      .field("next_attempt_at", m.next_attempt_at)
      .field("last_error", m.last_error);
}

Result<OutboxMessage> decodeOutbox(ReplyView flat) {
  Fields f(flat, "outbox message");
  OutboxMessage m;
  GG_TRY(m.id, f.int64("id"));
  GG_TRY(m.client_id, f.text("client_id"));
  GG_TRY(m.url, f.text("url"));
  GG_TRY(m.body, f.text("body"));
  GG_TRY(std::int64_t attempts, f.int64("attempts"));
  m.attempts = static_cast<int>(std::clamp<std::int64_t>(attempts, std::numeric_limits<int>::min(),
                                                         std::numeric_limits<int>::max()));
  GG_TRY(m.created_at, f.int64("created_at"));
  GG_TRY(m.next_attempt_at, f.int64("next_attempt_at"));
  GG_TRY(m.delivered_at, f.optInt64("delivered_at"));
  GG_TRY(m.last_error, f.text("last_error"));
  return m;
}

void encode(Args& a, const SigningKey& k) {
  a.field("kid", k.kid)
      .field("alg", k.alg)
      .field("private_pem", k.private_pem)
      .field("created_at", k.created_at)
      .field("activates_at", k.activates_at)
      .field("retired_at", k.retired_at);
}

Result<SigningKey> decodeKey(ReplyView flat) {
  Fields f(flat, "signing key");
  SigningKey k;
  GG_TRY(k.kid, f.text("kid"));
  GG_TRY(k.alg, f.text("alg"));
  GG_TRY(k.private_pem, f.text("private_pem"));
  GG_TRY(k.created_at, f.int64("created_at"));
  GG_TRY(k.activates_at, f.int64("activates_at"));
  GG_TRY(k.retired_at, f.optInt64("retired_at"));
  return k;
}

// The status of a script's reply ({status, ...}) as an Errc; `what` names the record kind.
Status scriptStatus(ReplyView r, const char* what) {
  if (!r.isArray() || r.size() == 0 || !r[0].isInteger()) {
    return fail(Errc::kUnavailable, std::string("redis: unexpected script reply for ") + what);
  }
  switch (r[0].integer()) {
    case redis::kScriptOk:
      return ok();
    case redis::kScriptNotFound:
      return fail(Errc::kNotFound, std::string("redis: no such ") + what);
    case redis::kScriptConflict:
      return fail(Errc::kConflict, std::string("redis: ") + what + " exists");
    case redis::kScriptAlreadyUsed:
      return fail(Errc::kAlreadyUsed, std::string(what) + " used before");
    case redis::kScriptExpired:
      return fail(Errc::kExpired, std::string(what) + " expired");
    default:
      return fail(Errc::kUnavailable, std::string("redis: unknown script status for ") + what);
  }
}

// Records listed after the status ({0, rec, rec, ...}).
template <class T, class Decode>
Result<std::vector<T>> listed(ReplyView r, Decode decode) {
  std::vector<T> out;
  out.reserve(r.size() - 1);
  for (std::size_t i = 1; i < r.size(); ++i) {
    GG_TRY(T item, decode(r[i]));
    out.push_back(std::move(item));
  }
  return out;
}

// The shared state of every sub-store: the pool, the prefix and TTL policy.
class Backend {
 public:
  Backend(std::shared_ptr<Pool> pool, const RedisOptions& o)
      : pool_(std::move(pool)),
        prefix_(o.key_prefix),
        clock_(o.clock != nullptr ? *o.clock : SystemClock::instance()),
        retention_ms_(o.expired_retention.count() * 1000) {}

  Pool& pool() const { return *pool_; }
  const std::string& prefix() const { return prefix_; }
  std::string key(std::string_view kind, std::string_view id) const {
    std::string k;
    k.reserve(prefix_.size() + kind.size() + 1 + id.size());
    k.append(prefix_).append(kind).append(":").append(id);
    return k;
  }

  // Milliseconds until a record expiring at `expires_at` may go: its remaining life (none when
  // already expired) plus the retention; at least 1 ms, at most ~100 years.
  std::int64_t ttlMs(std::int64_t expires_at) const {
    constexpr std::int64_t kMaxSeconds = 100LL * 366 * 24 * 3600;
    const std::int64_t now = clock_.unixSeconds();
    std::int64_t remaining = 0;
    if (expires_at > now) {
      remaining = expires_at - now > kMaxSeconds ? kMaxSeconds : expires_at - now;
    }
    return std::max<std::int64_t>(1, remaining * 1000 + retention_ms_);
  }

  Result<Reply> eval(const Script& script, const Args& args) {
    return pool_->eval(script, args.views());
  }
  // A script whose reply is only a status.
  Status run(const Script& script, const Args& args, const char* what) {
    GG_TRY(Reply r, eval(script, args));
    return scriptStatus(r.view(), what);
  }
  // HGETALL of one record: kNotFound when absent.
  template <class T, class Decode>
  Result<T> hgetall(std::string_view kind, std::string_view id, Decode decode, const char* what) {
    const std::string k = key(kind, id);
    const std::string_view argv[] = {"HGETALL", k};
    GG_TRY(Reply r, pool_->checked(argv));
    if (r.view().size() == 0) return fail(Errc::kNotFound, std::string("redis: no such ") + what);
    return decode(r.view());
  }

  // Arguments of createRecord (scripts.cc): kind, id, ttl, expires_at, grant id, index score.
  Args& recordHeader(Args& a, std::string_view kind, std::string_view id, std::int64_t expires_at,
                     std::string_view grant_id, std::int64_t score) const {
    return a.add(kind).add(id).add(ttlMs(expires_at)).add(expires_at).add(grant_id).add(score);
  }

 private:
  std::shared_ptr<Pool> pool_;
  std::string prefix_;
  const Clock& clock_;
  std::int64_t retention_ms_;
};

class RedisPars final : public ParStore {
 public:
  explicit RedisPars(Backend& b) : b_(b) {}

  Status create(std::string_view uri_hash, const ParRecord& r) override {
    Args a(b_.prefix());
    b_.recordHeader(a, "par", uri_hash, r.expires_at, "", 0);
    encode(a, r);
    return b_.run(scripts::createRecord(), a, "request");
  }

  Result<ParRecord> find(std::string_view uri_hash) override {
    return b_.hgetall<ParRecord>("par", uri_hash, decodePar, "request");
  }

  Result<ParRecord> consume(std::string_view uri_hash, std::int64_t now) override {
    Args a(b_.prefix());
    a.add(uri_hash).add(now);
    GG_TRY(Reply r, b_.eval(scripts::parConsume(), a));
    GG_TRY(scriptStatus(r.view(), "request_uri"));
    return decodePar(r.view()[1]);
  }

 private:
  Backend& b_;
};

class RedisCodes final : public CodeStore {
 public:
  explicit RedisCodes(Backend& b) : b_(b) {}

  Status create(std::string_view code_hash, const CodeRecord& r) override {
    Args a(b_.prefix());
    b_.recordHeader(a, "code", code_hash, r.expires_at, r.grant_id, 0);
    encode(a, r);
    return b_.run(scripts::createRecord(), a, "code");
  }

  Result<CodeRedemption> redeem(std::string_view code_hash) override {
    Args a(b_.prefix());
    a.add(code_hash);
    GG_TRY(Reply r, b_.eval(scripts::codeRedeem(), a));
    GG_TRY(scriptStatus(r.view(), "code"));
    GG_TRY(CodeRecord record, decodeCode(r.view()[2]));
    return CodeRedemption{.record = std::move(record), .first_use = r.view()[1].integer() == 1};
  }

  Result<CodeRedemption> find(std::string_view code_hash) override {
    const auto decode = [](ReplyView flat) -> Result<CodeRedemption> {
      GG_TRY(CodeRecord record, decodeCode(flat));
      GG_TRY(std::int64_t redemptions, Fields(flat, "code").int64("redemptions"));
      return CodeRedemption{.record = std::move(record), .first_use = redemptions == 0};
    };
    return b_.hgetall<CodeRedemption>("code", code_hash, decode, "code");
  }

 private:
  Backend& b_;
};

class RedisGrants final : public GrantStore {
 public:
  explicit RedisGrants(Backend& b) : b_(b) {}

  Status create(const Grant& g) override {
    Args a(b_.prefix());
    a.add(g.id).add(g.evidence_id).add(g.subject).add(g.granted_at).add(g.expires_at);
    encode(a, g);
    return b_.run(scripts::grantCreate(), a, "grant");
  }

  Result<Grant> find(std::string_view grant_id) override {
    return b_.hgetall<Grant>("grant", grant_id, decodeGrant, "grant");
  }

  Result<Grant> findByEvidence(std::string_view evidence_id) override {
    Args a(b_.prefix());
    a.add(evidence_id);
    GG_TRY(Reply r, b_.eval(scripts::grantByEvidence(), a));
    GG_TRY(scriptStatus(r.view(), "grant"));
    return decodeGrant(r.view()[1]);
  }

  Status recordTokenIssued(std::string_view grant_id, std::int64_t issued_at,
                           std::int64_t expires_at) override {
    Args a(b_.prefix());
    a.add(grant_id).add(issued_at).add(expires_at);
    return b_.run(scripts::grantTokenIssued(), a, "grant");
  }

  Result<bool> revoke(std::string_view grant_id, std::int64_t at) override {
    Args a(b_.prefix());
    a.add(grant_id).add(at).add(false);
    return revokeWith(a);
  }

  Result<bool> revokeAndNotify(std::string_view grant_id, std::int64_t at,
                               const OutboxMessage& notify) override {
    Args a(b_.prefix());
    a.add(grant_id).add(at).add(true).add(notify.next_attempt_at);
    encode(a, notify);
    return revokeWith(a);
  }

  Result<std::vector<Grant>> listBySubject(std::string_view subject) override {
    Args a(b_.prefix());
    a.add(subject);
    GG_TRY(Reply r, b_.eval(scripts::grantsBySubject(), a));
    GG_TRY(scriptStatus(r.view(), "grant"));
    return listed<Grant>(r.view(), decodeGrant);
  }

 private:
  Result<bool> revokeWith(const Args& a) {
    GG_TRY(Reply r, b_.eval(scripts::grantRevoke(), a));
    GG_TRY(scriptStatus(r.view(), "grant"));
    return r.view()[1].integer() == 1;
  }

  Backend& b_;
};

class RedisRefreshTokens final : public RefreshTokenStore {
 public:
  explicit RedisRefreshTokens(Backend& b) : b_(b) {}

  Status create(std::string_view token_hash, const RefreshRecord& r) override {
    Args a(b_.prefix());
    b_.recordHeader(a, "refresh", token_hash, r.expires_at, r.grant_id, 0);
    encode(a, r, r.rotated_at);
    return b_.run(scripts::createRecord(), a, "refresh token");
  }

  Result<RefreshRecord> find(std::string_view token_hash) override {
    return b_.hgetall<RefreshRecord>("refresh", token_hash, decodeRefresh, "refresh token");
  }

  Status rotate(std::string_view old_hash, std::int64_t at, std::string_view new_hash,
                const RefreshRecord& r) override {
    Args a(b_.prefix());
    a.add(old_hash).add(at);
    b_.recordHeader(a, "refresh", new_hash, r.expires_at, r.grant_id, 0);
    encode(a, r, std::nullopt);
    return b_.run(scripts::refreshRotate(), a, "refresh token");
  }

 private:
  Backend& b_;
};

// access:<jti> records exist for revoked tokens only (AccessTokenStore), with a TTL to the
// token's expiry like every expiring record.
class RedisAccessTokens final : public AccessTokenStore {
 public:
  explicit RedisAccessTokens(Backend& b) : b_(b) {}

  Status revoke(const AccessTokenRecord& r) override {
    AccessTokenRecord revoked = r;
    revoked.revoked = true;
    Args a(b_.prefix());
    b_.recordHeader(a, "access", r.jti, r.expires_at, r.grant_id, r.issued_at);
    encode(a, revoked);
    return b_.run(scripts::accessRevoke(), a, "access token");
  }

  Result<bool> isRevoked(std::string_view jti) override {
    auto found = b_.hgetall<AccessTokenRecord>("access", jti, decodeAccess, "access token");
    if (!found) {
      if (found.error().code == Errc::kNotFound) return false;
      return fail(found.error());
    }
    return found->revoked;
  }

 private:
  Backend& b_;
};

class RedisUsers final : public UserStore {
 public:
  explicit RedisUsers(Backend& b) : b_(b) {}

  Status create(const User& u) override {
    Args a(b_.prefix());
    a.add(u.username).add(u.subject);
    encode(a, u);
    return b_.run(scripts::userCreate(), a, "user");
  }

  Result<User> findByUsername(std::string_view username) override {
    return b_.hgetall<User>("user", username, decodeUser, "user");
  }

  Result<User> findBySubject(std::string_view subject) override {
    Args a(b_.prefix());
    a.add(subject);
    GG_TRY(Reply r, b_.eval(scripts::userBySubject(), a));
    GG_TRY(scriptStatus(r.view(), "user"));
    return decodeUser(r.view()[1]);
  }

  Result<std::vector<User>> list() override {
    Args a(b_.prefix());
    GG_TRY(Reply r, b_.eval(scripts::userList(), a));
    GG_TRY(scriptStatus(r.view(), "user"));
    return listed<User>(r.view(), decodeUser);
  }

  Status remove(std::string_view username) override {
    Args a(b_.prefix());
    a.add(username);
    return b_.run(scripts::userRemove(), a, "user");
  }

 private:
  Backend& b_;
};

class RedisSessions final : public SessionStore {
 public:
  explicit RedisSessions(Backend& b) : b_(b) {}

  Status create(std::string_view session_hash, const Session& s) override {
    Args a(b_.prefix());
    b_.recordHeader(a, "session", session_hash, s.expires_at, "", 0);
    encode(a, s);
    return b_.run(scripts::createRecord(), a, "session");
  }

  Result<Session> find(std::string_view session_hash) override {
    return b_.hgetall<Session>("session", session_hash, decodeSession, "session");
  }

  Status remove(std::string_view session_hash) override {
    Args a(b_.prefix());
    a.add(session_hash);
    return b_.run(scripts::sessionRemove(), a, "session");
  }

 private:
  Backend& b_;
};

class RedisReplays final : public ReplayStore {
 public:
  explicit RedisReplays(Backend& b) : b_(b) {}

  Result<bool> remember(std::string_view key, std::int64_t expires_at) override {
    Args a(b_.prefix());
    a.add(key).add(expires_at).add(b_.ttlMs(expires_at));
    GG_TRY(Reply r, b_.eval(scripts::replayRemember(), a));
    GG_TRY(scriptStatus(r.view(), "replay marker"));
    return r.view()[1].integer() == 1;
  }

 private:
  Backend& b_;
};

class RedisOutbox final : public Outbox {
 public:
  explicit RedisOutbox(Backend& b) : b_(b) {}

  Result<std::int64_t> enqueue(const OutboxMessage& m) override {
    Args a(b_.prefix());
    a.add(m.next_attempt_at);
    encode(a, m);
    GG_TRY(Reply r, b_.eval(scripts::outboxEnqueue(), a));
    GG_TRY(scriptStatus(r.view(), "outbox message"));
    std::int64_t id = 0;
    const std::string_view text = r.view()[1].str();
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || ptr != text.data() + text.size() || id <= 0) {
      return fail(corrupt("outbox id"));
    }
    return id;
  }

  Result<std::vector<OutboxMessage>> due(std::int64_t now, std::size_t limit) override {
    return select(now, limit, std::nullopt);
  }

  Result<std::vector<OutboxMessage>> claim(std::int64_t now, std::size_t limit,
                                           std::int64_t lease_until) override {
    return select(now, limit, lease_until);
  }

  Status markDelivered(std::int64_t id, std::int64_t at) override {
    Args a(b_.prefix());
    a.add(id).add(at);
    return b_.run(scripts::outboxDelivered(), a, "outbox message");
  }

  Status reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_at,
                    std::string_view last_error) override {
    Args a(b_.prefix());
    a.add(id).add(static_cast<std::int64_t>(attempts)).add(next_attempt_at).add(last_error);
    return b_.run(scripts::outboxReschedule(), a, "outbox message");
  }

  Result<OutboxMessage> find(std::int64_t id) override {
    return b_.hgetall<OutboxMessage>("outbox", std::to_string(id), decodeOutbox, "outbox message");
  }

 private:
  Result<std::vector<OutboxMessage>> select(std::int64_t now, std::size_t limit,
                                            std::optional<std::int64_t> lease_until) {
    if (limit == 0) return std::vector<OutboxMessage>();
    constexpr std::size_t kMaxBatch = 100000;  // one script call must stay short
    Args a(b_.prefix());
    a.add(now).add(static_cast<std::int64_t>(std::min(limit, kMaxBatch)));
    if (lease_until) {
      a.add(*lease_until);
    } else {
      a.add(std::string_view());
    }
    GG_TRY(Reply r, b_.eval(scripts::outboxDue(), a));
    GG_TRY(scriptStatus(r.view(), "outbox message"));
    return listed<OutboxMessage>(r.view(), decodeOutbox);
  }

  Backend& b_;
};

class RedisKeys final : public KeyStore {
 public:
  explicit RedisKeys(Backend& b) : b_(b) {}

  Status add(const SigningKey& k) override {
    Args a(b_.prefix());
    a.add(k.kid).add(k.created_at);
    encode(a, k);
    return b_.run(scripts::keyAdd(), a, "signing key");
  }

  Result<std::vector<SigningKey>> list() override {
    Args a(b_.prefix());
    GG_TRY(Reply r, b_.eval(scripts::keyList(), a));
    GG_TRY(scriptStatus(r.view(), "signing key"));
    return listed<SigningKey>(r.view(), decodeKey);
  }

  Status retire(std::string_view kid, std::int64_t at) override {
    Args a(b_.prefix());
    a.add(kid).add(at);
    return b_.run(scripts::keyRetire(), a, "signing key");
  }

 private:
  Backend& b_;
};

class RedisStoreImpl final : public RedisStore {
 public:
  RedisStoreImpl(std::shared_ptr<Pool> pool, const RedisOptions& options)
      : backend_(std::move(pool), options),
        pars_(backend_),
        codes_(backend_),
        grants_(backend_),
        refresh_(backend_),
        access_(backend_),
        users_(backend_),
        sessions_(backend_),
        replays_(backend_),
        outbox_(backend_),
        keys_(backend_) {}

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

  Result<ParRecord> approve(const Approval& ap) override {
    Args a(backend_.prefix());
    a.add(ap.uri_hash).add(ap.now);
    const std::size_t count_at = a.size();
    a.add(std::int64_t{0});  // how many arguments the grant takes (set below)
    const Grant& g = ap.grant;
    a.add(g.id).add(g.evidence_id).add(g.subject).add(g.granted_at).add(g.expires_at);
    encode(a, g);
    a.set(count_at, static_cast<std::int64_t>(a.size() - count_at - 1));
    backend_.recordHeader(a, "code", ap.code_hash, ap.code.expires_at, ap.code.grant_id, 0);
    encode(a, ap.code);
    GG_TRY(Reply r, backend_.eval(scripts::approve(), a));
    GG_TRY(scriptStatus(r.view(), "approval"));
    return decodePar(r.view()[1]);
  }

  Status issueTokens(const TokenIssue& t) override {
    Args a(backend_.prefix());
    const AccessTokenRecord& at = t.access_token;
    a.add(t.code_hash).add(at.grant_id).add(at.issued_at).add(at.expires_at);
    if (!t.refresh_hash.empty()) {
      const RefreshRecord& r = t.refresh;
      backend_.recordHeader(a, "refresh", t.refresh_hash, r.expires_at, r.grant_id, 0);
      encode(a, r, r.rotated_at);
    }
    return backend_.run(scripts::issueTokens(), a, "token");
  }

  Result<std::size_t> sweep(std::int64_t now) override {
    const std::int64_t grant_cutoff = grantSweepCutoff(now);
    // Batches keep each script short (Redis runs nothing else meanwhile); atomic per batch, which
    // is all sweep needs: what it removes has expired and nobody may use it any more.
    constexpr std::int64_t kBatch = 500;
    std::size_t removed = 0;
    for (;;) {
      Args a(backend_.prefix());
      a.add(now).add(grant_cutoff).add(kBatch);
      GG_TRY(Reply r, backend_.eval(redis::scripts::sweep(), a));
      const ReplyView v = r.view();
      if (!v.isArray() || v.size() != 2 || !v[0].isInteger() || !v[1].isInteger()) {
        return fail(Errc::kUnavailable, "redis: unexpected sweep reply");
      }
      removed += static_cast<std::size_t>(std::max<std::int64_t>(0, v[0].integer()));
      if (v[1].integer() == 0) return removed;
    }
  }

  bool healthy() override {
    const std::string_view ping[] = {"PING"};
    auto r = backend_.pool().command(ping);
    return r && r->view().isString() && r->view().str() == "PONG";
  }

  RedisStats stats() const override {
    const redis::PoolStats p = backend_.pool().stats();
    return RedisStats{.commands = p.commands,
                      .io_failures = p.io_failures,
                      .connects = p.connects,
                      .connect_failures = p.connect_failures,
                      .fast_failures = p.fast_failures,
                      .up = p.up};
  }

 private:
  Backend backend_;
  RedisPars pars_;
  RedisCodes codes_;
  RedisGrants grants_;
  RedisRefreshTokens refresh_;
  RedisAccessTokens access_;
  RedisUsers users_;
  RedisSessions sessions_;
  RedisReplays replays_;
  RedisOutbox outbox_;
  RedisKeys keys_;
};

// "name:value" of an INFO reply (sections of "\r\n"-separated lines).
std::string_view infoField(std::string_view info, std::string_view name) {
  std::size_t pos = 0;
  while (pos < info.size()) {
    std::size_t end = info.find("\r\n", pos);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(pos, end - pos);
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ':') {
      return line.substr(name.size() + 1);
    }
    pos = end + 2;
  }
  return {};
}

// True for "6.2.x" and later.
bool versionAtLeast62(std::string_view v) {
  int major = 0;
  int minor = 0;
  auto [p1, e1] = std::from_chars(v.data(), v.data() + v.size(), major);
  if (e1 != std::errc() || p1 == v.data() + v.size() || *p1 != '.') return false;
  auto [p2, e2] = std::from_chars(p1 + 1, v.data() + v.size(), minor);
  if (e2 != std::errc()) return false;
  return major > 6 || (major == 6 && minor >= 2);
}

Status checkServer(Pool& pool, const RedisOptions& options) {
  const std::string_view info_server[] = {"INFO", "server"};
  GG_TRY(Reply server, pool.checked(info_server));
  const std::string_view version = infoField(server.view().str(), "redis_version");
  if (!versionAtLeast62(version)) {
    return fail(Errc::kUnsupported,
                "redis: server version " + std::string(version) + " is older than 6.2");
  }
  if (!options.require_noeviction) return ok();
  const std::string_view info_memory[] = {"INFO", "memory"};
  GG_TRY(Reply memory, pool.checked(info_memory));
  const std::string_view policy = infoField(memory.view().str(), "maxmemory_policy");
  if (policy != "noeviction") {
    return fail(Errc::kUnsupported, "redis: maxmemory-policy is " + std::string(policy) +
                                        "; the store needs noeviction (docs/deployment.md)");
  }
  return ok();
}

}  // namespace

Result<std::shared_ptr<RedisStore>> openRedis(const RedisOptions& options) {
  if (options.expired_retention.count() < 0) {
    return fail(Errc::kInvalidArgument, "redis: expired_retention must not be negative");
  }
  GG_TRY(std::shared_ptr<Pool> pool, Pool::create(options, options.pool_size));
  GG_TRY(checkServer(*pool, options));
  log::info("redis store at {} (prefix {})", redactRedisUrl(options.url), options.key_prefix);
  return std::shared_ptr<RedisStore>(std::make_shared<RedisStoreImpl>(std::move(pool), options));
}

}  // namespace gridgate::store
