// Cryptographically secure randomness (OpenSSL RAND_bytes) for tokens, codes, ids and nonces.
//
//   std::string code = randomToken(32);   // 256 bits, base64url, 43 characters
//   std::string id = uuidV4();            // x-fapi-interaction-id
#pragma once

#include <cstddef>
#include <string>

#include "core/bytes.h"

namespace gridgate {

// n random bytes. Aborts the process if the CSPRNG fails: there is no safe fallback.
Bytes randomBytes(std::size_t n);

// n random bytes as unpadded base64url.
std::string randomToken(std::size_t n_bytes);

// RFC 9562 version 4 UUID, lowercase.
std::string uuidV4();

// True if `s` is a canonical lowercase-or-uppercase UUID (8-4-4-4-12 hex).
bool isUuid(std::string_view s);

}  // namespace gridgate
