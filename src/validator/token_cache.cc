#include "validator/token_cache.h"

#include <algorithm>

namespace gridgate::validator {

TokenCache::TokenCache(std::size_t max_entries, std::size_t shards) {
  const std::size_t n = std::clamp<std::size_t>(shards, 1, 256);
  per_shard_ = std::max<std::size_t>(1, (max_entries + n - 1) / n);
  shards_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) shards_.push_back(std::make_unique<Shard>());
}

TokenCache::Shard& TokenCache::shardFor(const TokenHash& key) {
  // Bytes other than those KeyHash uses, so that shard and bucket choices are independent.
  std::uint32_t s;
  std::memcpy(&s, key.data() + 8, sizeof s);
  return *shards_[s % shards_.size()];
}

std::optional<CacheEntry> TokenCache::get(const TokenHash& key, std::int64_t now_us) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mu);
  const auto it = shard.index.find(key);
  if (it == shard.index.end()) return std::nullopt;
  if (now_us >= it->second->entry.until_us) {
    shard.lru.erase(it->second);
    shard.index.erase(it);
    return std::nullopt;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  return it->second->entry;
}

void TokenCache::put(const TokenHash& key, CacheEntry entry) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mu);
  if (const auto it = shard.index.find(key); it != shard.index.end()) {
    it->second->entry = std::move(entry);
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    return;
  }
  while (shard.lru.size() >= per_shard_) {
    shard.index.erase(shard.lru.back().key);
    shard.lru.pop_back();
  }
  shard.lru.push_front(Item{key, std::move(entry)});
  shard.index.emplace(key, shard.lru.begin());
}

bool TokenCache::erase(const TokenHash& key) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mu);
  const auto it = shard.index.find(key);
  if (it == shard.index.end()) return false;
  shard.lru.erase(it->second);
  shard.index.erase(it);
  return true;
}

std::size_t TokenCache::eraseIf(const std::function<bool(const TokenRecord&)>& match) {
  std::size_t removed = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    for (auto it = shard->lru.begin(); it != shard->lru.end();) {
      if (it->entry.record && match(*it->entry.record)) {
        shard->index.erase(it->key);
        it = shard->lru.erase(it);
        ++removed;
      } else {
        ++it;
      }
    }
  }
  return removed;
}

std::size_t TokenCache::size() const {
  std::size_t n = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    n += shard->lru.size();
  }
  return n;
}

void TokenCache::clear() {
  for (auto& shard : shards_) {
    std::lock_guard lock(shard->mu);
    shard->index.clear();
    shard->lru.clear();
  }
}

}  // namespace gridgate::validator
