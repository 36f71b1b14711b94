#include "crypto/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "core/base64.h"

namespace gridgate::crypto {
namespace {

const EVP_MD* md(DigestAlg alg) {
  switch (alg) {
    case DigestAlg::kSha256:
      return EVP_sha256();
    case DigestAlg::kSha384:
      return EVP_sha384();
    case DigestAlg::kSha512:
      return EVP_sha512();
  }
  std::abort();
}

}  // namespace

Sha256 sha256(ByteView data) {
  Sha256 out{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr) != 1) {
    std::abort();  // digests of in-memory data cannot fail short of memory exhaustion
  }
  return out;
}

Bytes digest(DigestAlg alg, ByteView data) {
  Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md(alg))));
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, md(alg), nullptr) != 1) {
    std::abort();
  }
  out.resize(len);
  return out;
}

std::string sha256Hex(std::string_view data) { return hexEncode(sha256(data)); }

std::string sha256B64url(ByteView data) { return base64urlEncode(sha256(data)); }

Sha256 hmacSha256(ByteView key, ByteView data) {
  Sha256 out{};
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(),
           out.data(), &len) == nullptr) {
    std::abort();
  }
  return out;
}

}  // namespace gridgate::crypto
