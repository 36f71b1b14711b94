// Result<T>: the value-or-error type of every request path in gridgate.
//
//   Result<Jws> parse(std::string_view s) {
//     if (s.empty()) return fail(Errc::kMalformed, "empty token");
//     GG_TRY(auto parts, split(s));      // returns the error to the caller on failure
//     return Jws{...};
//   }
//
// Errors carry a closed code (what kind of failure, for mapping to the wire) and a detail string
// for logs. The detail never reaches a response: each protocol renders the code in one place.
#pragma once

#include <string>
#include <string_view>
#include <tl/expected.hpp>
#include <utility>

namespace gridgate {

enum class Errc {
  kMalformed,             // input does not parse (bad syntax, bad encoding, wrong type)
  kLimitExceeded,         // input larger, deeper or longer than a configured bound
  kInvalidArgument,       // well-formed but not acceptable (bad parameter value, wrong key type)
  kUnsupported,           // a recognised feature or algorithm that gridgate does not allow
  kCrypto,                // an OpenSSL operation failed unexpectedly
  kBadSignature,          // a signature did not verify
  kKeyNotFound,           // no key matches the selection (kid, kty, alg, use, crv)
  kExpired,               // past `exp` / notAfter / a stored lifetime
  kNotYetValid,           // before `nbf` / notBefore, or `iat` too far in the future
  kInvalidClaim,          // a claim has the wrong value (iss, aud, typ, cnf...)
  kUntrustedCertificate,  // a certificate does not chain to a trust anchor
  kRevoked,               // a certificate, token or grant has been revoked
  kUnauthenticated,       // credentials missing or wrong (client, user)
  kForbidden,             // authenticated but not allowed (role, scope, owner)
  kNotFound,              // the referenced object does not exist
  kAlreadyUsed,           // a single-use artefact (code, request URI, jti) was used before
  kConflict,              // the object exists already or changed concurrently
  kUnavailable,           // an upstream dependency is down (issuer, store); retry later
  kTimeout,               // an operation ran out of time
  kIo,                    // a local file or socket operation failed
  kInternal,              // a bug: an invariant did not hold
};

// Stable lowercase name of a code, for logs and metrics labels.
std::string_view errcName(Errc code);

struct Error {
  Errc code = Errc::kInternal;
  std::string detail;  // for logs only; never sent to a peer
};

template <class T>
using Result = tl::expected<T, Error>;

using Status = Result<void>;

// fail(code, detail): an unexpected value convertible to any Result<T>.
[[nodiscard]] inline tl::unexpected<Error> fail(Errc code, std::string detail = {}) {
  return tl::unexpected<Error>(Error{code, std::move(detail)});
}
[[nodiscard]] inline tl::unexpected<Error> fail(Error error) {
  return tl::unexpected<Error>(std::move(error));
}

[[nodiscard]] inline Status ok() { return {}; }

}  // namespace gridgate

#define GG_CONCAT_INNER(a, b) a##b
#define GG_CONCAT(a, b) GG_CONCAT_INNER(a, b)

// GG_TRY(lhs, expr): evaluate a Result; on error return it from the enclosing function, else
// move its value into `lhs` (a declaration such as `auto x` or an existing variable).
// GG_TRY(expr) with one argument checks a Status.
#define GG_TRY_2(lhs, expr)                                                   \
  auto GG_CONCAT(gg_try_, __LINE__) = (expr);                                 \
  if (!GG_CONCAT(gg_try_, __LINE__)) [[unlikely]]                             \
    return ::tl::unexpected(std::move(GG_CONCAT(gg_try_, __LINE__).error())); \
  lhs = std::move(*GG_CONCAT(gg_try_, __LINE__))
#define GG_TRY_1(expr)                                           \
  do {                                                           \
    auto gg_try_status = (expr);                                 \
    if (!gg_try_status) [[unlikely]]                             \
      return ::tl::unexpected(std::move(gg_try_status.error())); \
  } while (false)
#define GG_TRY_PICK(_1, _2, name, ...) name
#define GG_TRY(...) GG_TRY_PICK(__VA_ARGS__, GG_TRY_2, GG_TRY_1, unused)(__VA_ARGS__)
