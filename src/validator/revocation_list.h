// Tokens, jtis and grants purged from the validator, remembered until any token they cover has
// expired (CacheConfig::revocation_retention). A JWT stays verifiable after its grant is revoked;
// only this list stops it before exp (FAPI-CHECKLIST 76: a purge takes effect immediately).
//
//   list.add(RevocationList::Kind::kGrant, grant_id, now, now + retention);
//   if (list.matches(record, now)) deny(Reason::kRevoked);
//
// matches() is lock-free while the list is empty (the common case).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "validator/token_info.h"

namespace gridgate::validator {

class RevocationList {
 public:
  enum class Kind { kTokenHash, kJti, kGrant };

  // Listed until `until`; `now` lets the list drop entries whose retention is over.
  void add(Kind kind, std::string_view key, std::int64_t now, std::int64_t until);
  void addHash(const TokenHash& hash, std::int64_t now, std::int64_t until);
  // True when the record's hash, jti or grant id is listed and not yet past its retention.
  bool matches(const TokenRecord& record, std::int64_t now) const;
  bool matchesHash(const TokenHash& hash, std::int64_t now) const;
  std::size_t size() const;

 private:
  void pruneLocked(std::int64_t now);
  static std::string hashKey(const TokenHash& hash);

  mutable std::mutex mu_;
  // key: kind prefix + value ("h:<hex>", "j:<jti>", "g:<grant>") -> until (unix seconds)
  std::unordered_map<std::string, std::int64_t> entries_;
  std::atomic<std::size_t> count_{0};
  std::int64_t next_prune_ = 0;
};

}  // namespace gridgate::validator
