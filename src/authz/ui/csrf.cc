#include "authz/ui/csrf.h"

#include "core/base64.h"
#include "core/random.h"
#include "core/secure_compare.h"
#include "crypto/digest.h"

namespace gridgate::authz::ui {

CsrfKey CsrfKey::generate() { return CsrfKey(randomBytes(32)); }

CsrfKey::CsrfKey(Bytes key) : key_(std::move(key)) {}

std::string CsrfKey::token(std::string_view purpose, std::string_view binding) const {
  std::string input;
  input.reserve(purpose.size() + 1 + binding.size());
  input.append(purpose);
  input.push_back('\0');
  input.append(binding);
  crypto::Sha256 mac = crypto::hmacSha256(key_, asBytes(input));
  return base64urlEncode(mac);
}

bool CsrfKey::check(std::string_view presented, std::string_view purpose,
                    std::string_view binding) const {
  if (presented.empty()) return false;
  return secureEquals(presented, token(purpose, binding));
}

}  // namespace gridgate::authz::ui
