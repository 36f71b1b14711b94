// Ready OpenSSL contexts kept for reuse. OpenSSL 3 spends as much on fetching an algorithm and
// setting a context up as on a P-256 signature's arithmetic; a context set up once can serve any
// number of operations, one thread at a time. Callers take one (nullptr when none is free: make a
// copy of their template) and give it back afterwards.
//
//   crypto::ContextPool<EVP_PKEY_CTX, EVP_PKEY_CTX_free> pool;
//   crypto::PKeyCtxPtr ctx = pool.take();
//   if (!ctx) ctx.reset(EVP_PKEY_CTX_dup(template_ctx));
//   ... EVP_PKEY_sign(ctx.get(), ...) ...
//   pool.give(std::move(ctx));
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "crypto/ossl.h"

namespace gridgate::crypto {

// At most kMax contexts are kept (about one per worker thread); more are freed when given back.
template <class T, void (*Free)(T*)>
class ContextPool {
 public:
  static constexpr std::size_t kMax = 64;
  ContextPool() = default;
  ContextPool(const ContextPool&) = delete;
  ContextPool& operator=(const ContextPool&) = delete;
  ~ContextPool() {
    for (T* p : free_) Free(p);
  }
  OsslPtr<T, Free> take() {
    const std::lock_guard lock(mu_);
    if (free_.empty()) return nullptr;
    T* p = free_.back();
    free_.pop_back();
    return OsslPtr<T, Free>(p);
  }
  void give(OsslPtr<T, Free> p) {
    const std::lock_guard lock(mu_);
    if (free_.size() < kMax) free_.push_back(p.release());
  }

 private:
  std::mutex mu_;
  std::vector<T*> free_;
};

}  // namespace gridgate::crypto
