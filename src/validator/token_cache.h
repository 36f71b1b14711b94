// The validation cache: token hash -> what a validation learned, with an expiry, bounded in size.
//
//   TokenCache cache(100'000, 16);
//   cache.put(hash, {.record = record, .until_us = until});           // positive
//   cache.put(hash, {.record = nullptr, .until_us = now + 10 s});     // negative (inactive)
//   if (auto e = cache.get(hash, now_us)) ...                         // expired entries vanish
//   cache.eraseIf([&](const TokenRecord& r) { return r.grant_id == revoked; });
//
// Keys are SHA-256 of the token: the raw token is never stored. Sharded by key (a lock per shard,
// no global lock), each shard an LRU list with its share of the size bound. get() copies one
// shared_ptr and allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "validator/token_info.h"

namespace gridgate::validator {

struct CacheEntry {
  std::shared_ptr<const TokenRecord> record;  // null: a negative entry (known inactive/refused)
  std::int64_t until_us = 0;                  // served while now < until_us (unix µs)
};

class TokenCache {
 public:
  TokenCache(std::size_t max_entries, std::size_t shards);
  TokenCache(const TokenCache&) = delete;
  TokenCache& operator=(const TokenCache&) = delete;

  std::optional<CacheEntry> get(const TokenHash& key, std::int64_t now_us);
  void put(const TokenHash& key, CacheEntry entry);
  bool erase(const TokenHash& key);
  // Removes every positive entry whose record matches; returns how many.
  std::size_t eraseIf(const std::function<bool(const TokenRecord&)>& match);
  std::size_t size() const;
  std::size_t capacity() const { return per_shard_ * shards_.size(); }
  void clear();

 private:
  struct Item {
    TokenHash key;
    CacheEntry entry;
  };
  struct Shard {
    mutable std::mutex mu;
    std::list<Item> lru;  // front: most recently used
    std::unordered_map<TokenHash, std::list<Item>::iterator, TokenHashHash> index;
  };
  Shard& shardFor(const TokenHash& key);

  std::size_t per_shard_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace gridgate::validator
