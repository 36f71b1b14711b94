// Argon2id password hashing (libargon2) for the users of the built-in login page.
//
//   GG_TRY(std::string encoded, hashPassword(password, PasswordParams{}));   // $argon2id$v=19$...
//   if (!verifyPassword(user.password_hash, typed)) ...                      // constant time
//   PasswordVerifier verifier(params);
//   bool ok = user ? verifier.verify(user->password_hash, typed)
//                  : verifier.verifyDummy(typed);   // unknown user: same work, always false
//
// Defaults follow OWASP's Password Storage Cheat Sheet for Argon2id: m = 19 MiB, t = 2, p = 1.
// Passwords are limited to 1024 bytes so that a huge form field cannot buy extra hashing time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::authz::ui {

struct PasswordParams {
  std::uint32_t time_cost = 2;           // iterations
  std::uint32_t memory_kib = 19 * 1024;  // 19 MiB
  std::uint32_t parallelism = 1;
};

inline constexpr std::size_t kMaxPasswordBytes = 1024;
inline constexpr std::size_t kMinPasswordBytes = 8;

// A new salted Argon2id hash in the PHC string format. kInvalidArgument for a password shorter
// than kMinPasswordBytes or longer than kMaxPasswordBytes, kInvalidArgument for parameters
// libargon2 refuses.
[[nodiscard]] Result<std::string> hashPassword(std::string_view password,
                                               const PasswordParams& params);

// True when `password` matches the encoded Argon2id hash. False for a malformed hash, another
// Argon2 variant, or a password over kMaxPasswordBytes. libargon2 compares in constant time.
bool verifyPassword(std::string_view encoded, std::string_view password);

// Verifies passwords with equal cost whether or not the user exists, so that response time does
// not tell which usernames are registered.
class PasswordVerifier {
 public:
  explicit PasswordVerifier(const PasswordParams& params);
  bool verify(std::string_view encoded, std::string_view password) const {
    return verifyPassword(encoded, password);
  }
  // The same work as verify() against a hash of a random password: always false.
  bool verifyDummy(std::string_view password) const;

 private:
  std::string dummy_hash_;
};

}  // namespace gridgate::authz::ui
