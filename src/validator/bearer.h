// Step 2 of the pipeline: the bearer token from the Authorization header (RFC 6750 section 2.1).
//
//   tl::expected<std::string_view, AuthError> token = extractBearer(view);
//   // kTokenInQuery/kTokenInBody (400), kDuplicateAuthorization (400),
//   // kMalformedAuthorization (400), kNoToken (401, no error attribute)
//
// Exactly one Authorization header; scheme "Bearer" matched case-insensitively (FAPI-CHECKLIST
// 67), one or more spaces, then a b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" /
// "/" ) *"=", nothing after it. A token in the query or the body is refused even when a header
// is present too (RFC 6750: one method per request). Another scheme (Basic, DPoP) carries no
// bearer token: 401 without an error attribute.
#pragma once

#include <cstddef>
#include <string_view>
#include <tl/expected.hpp>

#include "validator/auth_error.h"
#include "validator/request_view.h"

namespace gridgate::validator {

// Longer tokens are refused as malformed before any hashing or parsing.
inline constexpr std::size_t kMaxTokenBytes = 16 * 1024;

[[nodiscard]] tl::expected<std::string_view, AuthError> extractBearer(const RequestView& view);

// The b64token grammar above.
bool isB64Token(std::string_view token);

}  // namespace gridgate::validator
