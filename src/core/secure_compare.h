// Constant-time comparison for secrets (hashes of tokens, CSRF tokens, PKCE verifiers).
//
//   if (!secureEquals(stored_hash, sha256Hex(presented))) return fail(Errc::kUnauthenticated);
#pragma once

#include <string_view>

#include "core/bytes.h"

namespace gridgate {

// True when a and b are equal. Time depends only on the lengths, never on the contents.
bool secureEquals(ByteView a, ByteView b);
bool secureEquals(std::string_view a, std::string_view b);

}  // namespace gridgate
