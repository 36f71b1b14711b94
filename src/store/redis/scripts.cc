#include "store/redis/scripts.h"

#include <string>

namespace gridgate::store::redis::scripts {
namespace {

// Helpers every script starts with. P: the key prefix. Status codes as in scripts.h.
//
// extend(key, ttl): an index's TTL grows to cover its longest-lived member, so that an index of
// expiring records expires too once all of them have.
//
// createRecord(a, last): ARGV[a..a+5] = kind, id, ttl_ms, expires_at, grant_id ('' for none),
// grant_index_score, then field/value pairs to ARGV[last] (nil: to the end of ARGV). A record
// naming a grant needs the grant (kNotFound), and is listed in the grant's index of its kind
// (grant-<kind>:<grant>) so that sweeping the grant can remove it; every kind is listed in
// expiry:<kind> for sweep().
//
// enqueue(a): ARGV[a] = next_attempt_at, then outbox field/value pairs to the end of ARGV. Ids
// come from INCR on a durable counter: positive, increasing, never reused.
constexpr const char* kPrelude = R"lua(
local P = ARGV[1]
local function extend(key, ttl)
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
local function createRecord(a, last)
  local kind, id, ttl = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local exp, gid, score = ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
  local key = P .. kind .. ':' .. id
  if redis.call('EXISTS', key) == 1 then return 2 end
  if gid ~= '' and redis.call('EXISTS', P .. 'grant:' .. gid) == 0 then return 1 end
  redis.call('HSET', key, unpack(ARGV, a + 6, last))
  redis.call('PEXPIRE', key, ttl)
  local idx = P .. 'expiry:' .. kind
  redis.call('ZADD', idx, exp, id)
  extend(idx, ttl)
  if gid ~= '' then
    local gk = P .. 'grant-' .. kind .. ':' .. gid
    redis.call('ZADD', gk, score, id)
    extend(gk, ttl)
  end
  return 0
end
local function enqueue(a)
  local id = string.format('%d', redis.call('INCR', P .. 'outbox-seq'))
  redis.call('HSET', P .. 'outbox:' .. id, 'id', id, unpack(ARGV, a + 1))
  redis.call('ZADD', P .. 'outbox-pending', ARGV[a], id)
  return id
end
-- Whether the pushed request at key k may be consumed at `now`: nil if so, else the status
-- (unknown, consumed before even once expired, expired).
local function parRefusal(k, now)
  local v = redis.call('HMGET', k, 'consumed', 'expires_at')
  if not v[1] then return 1 end
  if v[1] == '1' then return 3 end
  if tonumber(v[2]) <= tonumber(now) then return 4 end
  return nil
end
-- The records named in index `idx` (ZRANGE order), skipping (and unlisting) any that is gone.
local function listed(idx, prefix)
  local out = {0}
  for _, id in ipairs(redis.call('ZRANGE', idx, 0, -1)) do
    local rec = redis.call('HGETALL', prefix .. id)
    if #rec > 0 then out[#out + 1] = rec else redis.call('ZREM', idx, id) end
  end
  return out
end
)lua";

Script build(const char* body) { return Script(std::string(kPrelude) + body); }

}  // namespace

// ARGV: P, then createRecord's arguments.
const Script& createRecord() {
  static const Script s = build("return {createRecord(2)}");
  return s;
}

// ARGV: P, uri_hash, now. Consumed before -> kAlreadyUsed (even once expired); now >= expires_at
// -> kExpired (left unconsumed); else consumed = 1 and the record.
const Script& parConsume() {
  static const Script s = build(R"lua(
local k = P .. 'par:' .. ARGV[2]
local refused = parRefusal(k, ARGV[3])
if refused then return {refused} end
redis.call('HSET', k, 'consumed', '1')
return {0, redis.call('HGETALL', k)}
)lua");
  return s;
}

// ARGV: P, code_hash. -> {0, redemptions after this one, record}.
const Script& codeRedeem() {
  static const Script s = build(R"lua(
local k = P .. 'code:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
local n = redis.call('HINCRBY', k, 'redemptions', 1)
return {0, n, redis.call('HGETALL', k)}
)lua");
  return s;
}

// ARGV: P, id, evidence_id, subject, granted_at, expires_at, field/value pairs. Durable: no TTL.
const Script& grantCreate() {
  static const Script s = build(R"lua(
local k = P .. 'grant:' .. ARGV[2]
local ek = P .. 'grant-evidence:' .. ARGV[3]
if redis.call('EXISTS', k) == 1 or redis.call('EXISTS', ek) == 1 then return {2} end
redis.call('HSET', k, unpack(ARGV, 7))
redis.call('SET', ek, ARGV[2])
redis.call('ZADD', P .. 'grants-by-subject:' .. ARGV[4], ARGV[5], ARGV[2])
redis.call('ZADD', P .. 'grants-by-expiry', ARGV[6], ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P, evidence_id.
const Script& grantByEvidence() {
  static const Script s = build(R"lua(
local id = redis.call('GET', P .. 'grant-evidence:' .. ARGV[2])
if not id then return {1} end
local g = redis.call('HGETALL', P .. 'grant:' .. id)
if #g == 0 then return {1} end
return {0, g}
)lua");
  return s;
}

// ARGV: P, uri_hash, now, n, the grant's arguments (n of them: id, evidence_id, subject,
// granted_at, expires_at, then field/value pairs), then the code's createRecord arguments.
// The checks of parConsume, grantCreate and createRecord come first; then everything is written.
// -> {0, the consumed request}.
const Script& approve() {
  static const Script s = build(R"lua(
local pk = P .. 'par:' .. ARGV[2]
local refused = parRefusal(pk, ARGV[3])
if refused then return {refused} end
local g, glast = 5, 4 + tonumber(ARGV[4])
local c = glast + 1
local gk = P .. 'grant:' .. ARGV[g]
local ek = P .. 'grant-evidence:' .. ARGV[g + 1]
if redis.call('EXISTS', gk) == 1 or redis.call('EXISTS', ek) == 1 then return {2} end
if redis.call('EXISTS', P .. ARGV[c] .. ':' .. ARGV[c + 1]) == 1 then return {2} end
if ARGV[c + 4] ~= ARGV[g] and redis.call('EXISTS', P .. 'grant:' .. ARGV[c + 4]) == 0 then
  return {1}
end
redis.call('HSET', pk, 'consumed', '1')
redis.call('HSET', gk, unpack(ARGV, g + 5, glast))
redis.call('SET', ek, ARGV[g])
redis.call('ZADD', P .. 'grants-by-subject:' .. ARGV[g + 2], ARGV[g + 3], ARGV[g])
redis.call('ZADD', P .. 'grants-by-expiry', ARGV[g + 4], ARGV[g])
createRecord(c)
return {0, redis.call('HGETALL', pk)}
)lua");
  return s;
}

// ARGV: P, code_hash ('' for none), grant_id, token_issued_at, token_expires_at, then the refresh
// token's createRecord arguments (none when no refresh token). The access token itself is not
// stored (AccessTokenStore). Everything is checked before anything is written: nothing changes
// on an error.
const Script& issueTokens() {
  static const Script s = build(R"lua(
local ck = nil
if ARGV[2] ~= '' then
  ck = P .. 'code:' .. ARGV[2]
  local n = redis.call('HGET', ck, 'redemptions')
  if not n then return {1} end
  if tonumber(n) ~= 0 then return {3} end
end
local r = 6
local gk = P .. 'grant:' .. ARGV[3]
if redis.call('EXISTS', gk) == 0 then return {1} end
if r <= #ARGV then
  if redis.call('EXISTS', P .. ARGV[r] .. ':' .. ARGV[r + 1]) == 1 then return {2} end
  if ARGV[r + 4] ~= '' and redis.call('EXISTS', P .. 'grant:' .. ARGV[r + 4]) == 0 then
    return {1}
  end
end
if ck then redis.call('HINCRBY', ck, 'redemptions', 1) end
if r <= #ARGV then createRecord(r) end
redis.call('HSET', gk, 'token_issued_at', ARGV[4], 'token_expires_at', ARGV[5])
return {0}
)lua");
  return s;
}

// ARGV: P, id, token_issued_at, token_expires_at.
const Script& grantTokenIssued() {
  static const Script s = build(R"lua(
local k = P .. 'grant:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
redis.call('HSET', k, 'token_issued_at', ARGV[3], 'token_expires_at', ARGV[4])
return {0}
)lua");
  return s;
}

// ARGV: P, id, at, notify ('1' or '0'), then enqueue's arguments when notify. -> {0, 1} if this
// call revoked the grant (and queued the message), {0, 0} if it was revoked before.
const Script& grantRevoke() {
  static const Script s = build(R"lua(
local k = P .. 'grant:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
if redis.call('HSETNX', k, 'revoked_at', ARGV[3]) == 0 then return {0, 0} end
if ARGV[4] == '1' then enqueue(5) end
return {0, 1}
)lua");
  return s;
}

// ARGV: P, subject. -> {0, grant...} by (granted_at, id).
const Script& grantsBySubject() {
  static const Script s =
      build("return listed(P .. 'grants-by-subject:' .. ARGV[2], P .. 'grant:')");
  return s;
}

// ARGV: P, old_hash, at, then createRecord's arguments for the new token (kind 'refresh').
// Every check comes before the first write: on any error nothing changes.
const Script& refreshRotate() {
  static const Script s = build(R"lua(
local k = P .. 'refresh:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
if redis.call('HEXISTS', k, 'rotated_at') == 1 then return {3} end
if redis.call('EXISTS', P .. 'refresh:' .. ARGV[5]) == 1 then return {2} end
if redis.call('EXISTS', P .. 'grant:' .. ARGV[8]) == 0 then return {1} end
redis.call('HSET', k, 'rotated_at', ARGV[3])
return {createRecord(4)}
)lua");
  return s;
}

// ARGV: P, then createRecord's arguments (kind 'access', revoked = 1). Creates the revocation; a
// record already there (revoked before, or written at issue by a build that still stored access
// tokens, with revoked = 0) is marked revoked instead.
const Script& accessRevoke() {
  static const Script s = build(R"lua(
local k = P .. 'access:' .. ARGV[3]
if redis.call('EXISTS', k) == 1 then
  redis.call('HSET', k, 'revoked', '1')
  return {0}
end
return {createRecord(2)}
)lua");
  return s;
}

// ARGV: P, username, subject, field/value pairs. Durable.
const Script& userCreate() {
  static const Script s = build(R"lua(
local k = P .. 'user:' .. ARGV[2]
local sk = P .. 'user-subject:' .. ARGV[3]
if redis.call('EXISTS', k) == 1 or redis.call('EXISTS', sk) == 1 then return {2} end
redis.call('HSET', k, unpack(ARGV, 4))
redis.call('SET', sk, ARGV[2])
redis.call('ZADD', P .. 'users', 0, ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P, subject.
const Script& userBySubject() {
  static const Script s = build(R"lua(
local name = redis.call('GET', P .. 'user-subject:' .. ARGV[2])
if not name then return {1} end
local u = redis.call('HGETALL', P .. 'user:' .. name)
if #u == 0 then return {1} end
return {0, u}
)lua");
  return s;
}

// ARGV: P. -> {0, user...} by username (equal scores: byte order).
const Script& userList() {
  static const Script s = build("return listed(P .. 'users', P .. 'user:')");
  return s;
}

// ARGV: P, username.
const Script& userRemove() {
  static const Script s = build(R"lua(
local k = P .. 'user:' .. ARGV[2]
local sub = redis.call('HGET', k, 'subject')
if not sub then return {1} end
redis.call('DEL', k)
local sk = P .. 'user-subject:' .. sub
if redis.call('GET', sk) == ARGV[2] then redis.call('DEL', sk) end
redis.call('ZREM', P .. 'users', ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P, session_hash. Absent is not an error.
const Script& sessionRemove() {
  static const Script s = build(R"lua(
redis.call('DEL', P .. 'session:' .. ARGV[2])
redis.call('ZREM', P .. 'expiry:session', ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P, key, expires_at, ttl_ms. -> {0, 1} if new, {0, 0} if seen.
const Script& replayRemember() {
  static const Script s = build(R"lua(
local k = P .. 'replay:' .. ARGV[2]
if not redis.call('SET', k, ARGV[3], 'NX', 'PX', ARGV[4]) then return {0, 0} end
local idx = P .. 'expiry:replay'
redis.call('ZADD', idx, ARGV[3], ARGV[2])
extend(idx, tonumber(ARGV[4]))
return {0, 1}
)lua");
  return s;
}

// ARGV: P, then enqueue's arguments. -> {0, id}.
const Script& outboxEnqueue() {
  static const Script s = build("return {0, enqueue(2)}");
  return s;
}

// ARGV: P, now, limit, lease_until ('' for due()). Undelivered messages with next_attempt_at <=
// now, lowest id first, at most `limit`; with a lease, each is moved to lease_until in the same
// step (two workers never claim one message). -> {0, message...}.
const Script& outboxDue() {
  static const Script s = build(R"lua(
local pending = P .. 'outbox-pending'
local ids = redis.call('ZRANGEBYSCORE', pending, '-inf', ARGV[2])
table.sort(ids, function(a, b) return tonumber(a) < tonumber(b) end)
local limit, lease = tonumber(ARGV[3]), ARGV[4]
local out = {0}
for i = 1, math.min(#ids, limit) do
  local k = P .. 'outbox:' .. ids[i]
  if lease ~= '' then
    redis.call('HSET', k, 'next_attempt_at', lease)
    redis.call('ZADD', pending, lease, ids[i])
  end
  out[#out + 1] = redis.call('HGETALL', k)
end
return out
)lua");
  return s;
}

// ARGV: P, id, at. The first delivery time is kept; a delivered message is never due again.
const Script& outboxDelivered() {
  static const Script s = build(R"lua(
local k = P .. 'outbox:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
redis.call('HSETNX', k, 'delivered_at', ARGV[3])
redis.call('ZREM', P .. 'outbox-pending', ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P, id, attempts, next_attempt_at, last_error.
const Script& outboxReschedule() {
  static const Script s = build(R"lua(
local k = P .. 'outbox:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
redis.call('HSET', k, 'attempts', ARGV[3], 'next_attempt_at', ARGV[4], 'last_error', ARGV[5])
if redis.call('HEXISTS', k, 'delivered_at') == 0 then
  redis.call('ZADD', P .. 'outbox-pending', ARGV[4], ARGV[2])
end
return {0}
)lua");
  return s;
}

// ARGV: P, kid, created_at, field/value pairs. Durable.
const Script& keyAdd() {
  static const Script s = build(R"lua(
local k = P .. 'key:' .. ARGV[2]
if redis.call('EXISTS', k) == 1 then return {2} end
redis.call('HSET', k, unpack(ARGV, 4))
redis.call('ZADD', P .. 'keys', ARGV[3], ARGV[2])
return {0}
)lua");
  return s;
}

// ARGV: P. -> {0, key...} by (created_at, kid).
const Script& keyList() {
  static const Script s = build("return listed(P .. 'keys', P .. 'key:')");
  return s;
}

// ARGV: P, kid, at. The first retirement time is kept.
const Script& keyRetire() {
  static const Script s = build(R"lua(
local k = P .. 'key:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return {1} end
redis.call('HSETNX', k, 'retired_at', ARGV[3])
return {0}
)lua");
  return s;
}

// ARGV: P, now, grant_cutoff, batch. Removes expired records (expires_at <= now) through the
// expiry:<kind> indexes, then grants with expires_at <= grant_cutoff with every code and token
// that names them; at most about `batch` index entries per call. -> {removed, more (1/0)}.
// Records that Redis already dropped by TTL are unlisted but not counted (nothing was removed).
const Script& sweep() {
  static const Script s = build(R"lua(
local now, cutoff, budget = ARGV[2], ARGV[3], tonumber(ARGV[4])
local removed = 0
local ofGrant = {code = true, refresh = true, access = true}
for _, kind in ipairs({'par', 'code', 'refresh', 'access', 'session', 'replay'}) do
  local idx = P .. 'expiry:' .. kind
  local ids = redis.call('ZRANGEBYSCORE', idx, '-inf', now, 'LIMIT', 0, budget)
  for _, id in ipairs(ids) do
    local key = P .. kind .. ':' .. id
    if ofGrant[kind] then
      local gid = redis.call('HGET', key, 'grant_id')
      if gid then redis.call('ZREM', P .. 'grant-' .. kind .. ':' .. gid, id) end
    end
    removed = removed + redis.call('DEL', key)
    redis.call('ZREM', idx, id)
  end
  budget = budget - #ids
  if budget <= 0 then return {removed, 1} end
end
local byExpiry = P .. 'grants-by-expiry'
local gids = redis.call('ZRANGEBYSCORE', byExpiry, '-inf', cutoff, 'LIMIT', 0, budget)
for _, gid in ipairs(gids) do
  local gk = P .. 'grant:' .. gid
  local g = redis.call('HMGET', gk, 'subject', 'evidence_id')
  for _, kind in ipairs({'code', 'refresh', 'access'}) do
    local ck = P .. 'grant-' .. kind .. ':' .. gid
    for _, id in ipairs(redis.call('ZRANGE', ck, 0, -1)) do
      removed = removed + redis.call('DEL', P .. kind .. ':' .. id)
      redis.call('ZREM', P .. 'expiry:' .. kind, id)
    end
    redis.call('DEL', ck)
  end
  if g[1] then redis.call('ZREM', P .. 'grants-by-subject:' .. g[1], gid) end
  if g[2] then
    local ek = P .. 'grant-evidence:' .. g[2]
    if redis.call('GET', ek) == gid then redis.call('DEL', ek) end
  end
  removed = removed + redis.call('DEL', gk)
  redis.call('ZREM', byExpiry, gid)
end
budget = budget - #gids
if budget <= 0 then return {removed, 1} end
return {removed, 0}
)lua");
  return s;
}

// ARGV: P, event, retention_ms. Appends the event to the revocation log (a stream trimmed to the
// retention, by the server's clock) and publishes "<stream id>\n<event>" on the channel, in one
// step. -> {0, stream id, subscribers reached}.
const Script& revocationPublish() {
  static const Script s = build(R"lua(
local key = P .. 'revocations'
local retention = tonumber(ARGV[3])
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local min_id = string.format('%d', math.max(now_ms - retention, 0))
local id = redis.call('XADD', key, 'MINID', '~', min_id, '*', 'event', ARGV[2])
redis.call('PEXPIRE', key, retention)
local reached = redis.call('PUBLISH', key, id .. '\n' .. ARGV[2])
return {0, id, reached}
)lua");
  return s;
}

}  // namespace gridgate::store::redis::scripts
