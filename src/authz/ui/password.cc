#include "authz/ui/password.h"

#include <argon2.h>

#include <string>

#include "core/bytes.h"
#include "core/log.h"
#include "core/random.h"

namespace gridgate::authz::ui {

namespace {
constexpr std::uint32_t kSaltBytes = 16;
constexpr std::uint32_t kHashBytes = 32;
}  // namespace

Result<std::string> hashPassword(std::string_view password, const PasswordParams& params) {
  if (password.size() < kMinPasswordBytes) {
    return fail(Errc::kInvalidArgument, "password shorter than 8 bytes");
  }
  if (password.size() > kMaxPasswordBytes) {
    return fail(Errc::kInvalidArgument, "password longer than 1024 bytes");
  }
  Bytes salt = randomBytes(kSaltBytes);
  std::size_t encoded_len = argon2_encodedlen(
      params.time_cost, params.memory_kib, params.parallelism, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(encoded_len, '\0');
  int rc = argon2id_hash_encoded(params.time_cost, params.memory_kib, params.parallelism,
                                 password.data(), password.size(), salt.data(), salt.size(),
                                 kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) {
    return fail(Errc::kInvalidArgument, std::string("argon2id: ") + argon2_error_message(rc));
  }
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool verifyPassword(std::string_view encoded, std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return false;
  if (encoded.rfind("$argon2id$", 0) != 0) return false;
  std::string encoded_z(encoded);  // libargon2 wants a NUL-terminated string
  int rc = argon2id_verify(encoded_z.c_str(), password.data(), password.size());
  return rc == ARGON2_OK;
}

PasswordVerifier::PasswordVerifier(const PasswordParams& params) {
  auto dummy = hashPassword(randomToken(24), params);
  if (!dummy) {
    // Parameters libargon2 refuses: every verify of a real hash made with them would fail too.
    log::error("password parameters refused: {}", dummy.error().detail);
    return;
  }
  dummy_hash_ = std::move(*dummy);
}

bool PasswordVerifier::verifyDummy(std::string_view password) const {
  (void)verifyPassword(dummy_hash_, password);
  return false;
}

}  // namespace gridgate::authz::ui
