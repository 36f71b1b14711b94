// SHA-2 digests through EVP.
//
//   Sha256 h = sha256(asBytes(der));
//   std::string thumb = base64urlEncode(h);         // x5t#S256
//   std::string stored = sha256Hex(refresh_token);   // how secrets are kept in the store
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"

namespace gridgate::crypto {

enum class DigestAlg { kSha256, kSha384, kSha512 };

using Sha256 = std::array<std::uint8_t, 32>;

Sha256 sha256(ByteView data);
inline Sha256 sha256(std::string_view data) { return sha256(asBytes(data)); }
Bytes digest(DigestAlg alg, ByteView data);

// Lowercase hex of SHA-256: the form in which tokens, codes and secrets are stored.
std::string sha256Hex(std::string_view data);
// Unpadded base64url of SHA-256 (PKCE S256 challenge, x5t#S256, RFC 7638 thumbprints).
std::string sha256B64url(ByteView data);

// HMAC-SHA256 (CSRF tokens, cookie signatures), never JWS.
Sha256 hmacSha256(ByteView key, ByteView data);

}  // namespace gridgate::crypto
