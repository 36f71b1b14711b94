#include "validator/revocation_list.h"

#include <algorithm>

#include "core/bytes.h"

namespace gridgate::validator {

namespace {

std::string prefixed(RevocationList::Kind kind, std::string_view key) {
  switch (kind) {
    case RevocationList::Kind::kTokenHash:
      return "h:" + std::string(key);
    case RevocationList::Kind::kJti:
      return "j:" + std::string(key);
    case RevocationList::Kind::kGrant:
      return "g:" + std::string(key);
  }
  return std::string(key);
}

}  // namespace

std::string RevocationList::hashKey(const TokenHash& hash) { return hexEncode(hash); }

void RevocationList::add(Kind kind, std::string_view key, std::int64_t now, std::int64_t until) {
  std::lock_guard lock(mu_);
  auto& slot = entries_[prefixed(kind, key)];
  slot = std::max(slot, until);
  pruneLocked(now);
  count_.store(entries_.size(), std::memory_order_release);
}

void RevocationList::addHash(const TokenHash& hash, std::int64_t now, std::int64_t until) {
  add(Kind::kTokenHash, hashKey(hash), now, until);
}

void RevocationList::pruneLocked(std::int64_t now) {
  // Amortised: at most once a minute, and only once the list has grown.
  if (entries_.size() < 1024 || now < next_prune_) return;
  for (auto it = entries_.begin(); it != entries_.end();) {
    it = it->second <= now ? entries_.erase(it) : std::next(it);
  }
  next_prune_ = now + 60;
}

bool RevocationList::matchesHash(const TokenHash& hash, std::int64_t now) const {
  if (count_.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard lock(mu_);
  const auto it = entries_.find(prefixed(Kind::kTokenHash, hashKey(hash)));
  return it != entries_.end() && now < it->second;
}

bool RevocationList::matches(const TokenRecord& record, std::int64_t now) const {
  if (count_.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard lock(mu_);
  auto listed = [&](Kind kind, std::string_view key) {
    if (key.empty()) return false;
    const auto it = entries_.find(prefixed(kind, key));
    return it != entries_.end() && now < it->second;
  };
  return listed(Kind::kTokenHash, hashKey(record.token_hash)) || listed(Kind::kJti, record.jti) ||
         listed(Kind::kGrant, record.grant_id);
}

std::size_t RevocationList::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace gridgate::validator
