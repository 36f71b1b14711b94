#include "core/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/base64.h"

namespace gridgate {

namespace {

void fill(std::uint8_t* out, std::size_t n) {
  if (n > 0 && RAND_bytes(out, static_cast<int>(n)) != 1) std::abort();
}

// Bumped in a forked child, so that a buffer filled before the fork is never used after it:
// parent and child would hand out the same bytes.
std::atomic<std::uint64_t> g_fork_generation{0};

// Small requests (tokens, codes, ids: every request takes one or more) are served from a
// per-thread buffer filled by one RAND_bytes call: one DRBG call per 512 bytes instead of one per
// token (RAND_bytes was 2% of the full flow's CPU). Bytes handed out are wiped from the buffer.
struct Buffered {
  static constexpr std::size_t kSize = 512;
  std::array<std::uint8_t, kSize> bytes{};
  std::size_t used = kSize;
  std::uint64_t generation = 0;

  ~Buffered() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  void take(std::uint8_t* out, std::size_t n) {
    const std::uint64_t now = g_fork_generation.load(std::memory_order_relaxed);
    if (generation != now || kSize - used < n) {
      fill(bytes.data(), kSize);
      used = 0;
      generation = now;
    }
    std::memcpy(out, bytes.data() + used, n);
    OPENSSL_cleanse(bytes.data() + used, n);
    used += n;
  }
};

[[maybe_unused]] const int g_atfork = pthread_atfork(
    nullptr, nullptr, [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });

}  // namespace

Bytes randomBytes(std::size_t n) {
  Bytes out(n);
  if (n == 0) return out;
  if (n > Buffered::kSize / 8) {
    fill(out.data(), n);
    return out;
  }
  thread_local Buffered buffered;
  buffered.take(out.data(), n);
  return out;
}

std::string randomToken(std::size_t n_bytes) { return base64urlEncode(randomBytes(n_bytes)); }

std::string uuidV4() {
  Bytes b = randomBytes(16);
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  const std::string hex = hexEncode(b);
  return hex.substr(0, 8) + '-' + hex.substr(8, 4) + '-' + hex.substr(12, 4) + '-' +
         hex.substr(16, 4) + '-' + hex.substr(20, 12);
}

bool isUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace gridgate
