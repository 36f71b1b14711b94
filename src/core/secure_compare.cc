#include "core/secure_compare.h"

#include <openssl/crypto.h>

namespace gridgate {

bool secureEquals(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool secureEquals(std::string_view a, std::string_view b) {
  return secureEquals(asBytes(a), asBytes(b));
}

}  // namespace gridgate
