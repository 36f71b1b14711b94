// The Lua scripts of the Redis store: every operation that reads and writes, or writes several
// keys, runs as one script, which Redis executes atomically (no other command interleaves). That
// is what makes single use, uniqueness, the grant check of child records and the secondary
// indexes exact under any number of instances. Internal; the key layout is in docs/redis.md.
//
// Calling convention: ARGV[1] is the key prefix; the rest is per script (documented beside each
// body in scripts.cc). Every script returns an array whose first element is a status:
#pragma once

#include <cstdint>

#include "store/redis/pool.h"

namespace gridgate::store::redis {

enum ScriptStatus : std::int64_t {
  kScriptOk = 0,
  kScriptNotFound = 1,
  kScriptConflict = 2,
  kScriptAlreadyUsed = 3,
  kScriptExpired = 4,
};

namespace scripts {

const Script& createRecord();  // PAR requests, codes, refresh tokens, revocations, sessions
const Script& parConsume();
const Script& codeRedeem();
const Script& grantCreate();
const Script& grantByEvidence();
const Script& grantTokenIssued();
const Script& approve();      // request consumed + grant + code, one step
const Script& issueTokens();  // code redemption (+ refresh token) + grant's token times, one step
const Script& grantRevoke();  // with the optional outbox message
const Script& grantsBySubject();
const Script& refreshRotate();
const Script& accessRevoke();  // a revocation, or an older build's record marked revoked
const Script& userCreate();
const Script& userBySubject();
const Script& userList();
const Script& userRemove();
const Script& sessionRemove();
const Script& replayRemember();
const Script& outboxEnqueue();
const Script& outboxDue();  // due() and claim()
const Script& outboxDelivered();
const Script& outboxReschedule();
const Script& keyAdd();
const Script& keyList();
const Script& keyRetire();
const Script& sweep();
const Script& revocationPublish();

}  // namespace scripts
}  // namespace gridgate::store::redis
