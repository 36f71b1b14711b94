// A verification key made ready once for one algorithm: the digest is fetched and the OpenSSL
// verify context is initialised (padding, salt length) at construction, so that a verification
// costs a hash, a context copy and the public-key operation, not OpenSSL 3's per-call algorithm
// fetches and parameter setup (which cost as much as an RSA verify itself).
//
//   GG_TRY(auto prepared, internal::PreparedKey::create(jwk.key(), Alg::kES256));
//   GG_TRY(prepared.verify(jws.signingInput(), jws.signature()));   // JOSE r||s for ECDSA
//
// Thread-safe: verify() may run on many threads at once. Each call borrows a ready context from a
// small pool (crypto/context_pool.h; or copies the template when all are busy) and gives it back.
#pragma once

#include <memory>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/context_pool.h"
#include "crypto/ossl.h"
#include "crypto/pkey.h"
#include "jose/alg.h"

namespace gridgate::jose::internal {

class PreparedKey {
 public:
  [[nodiscard]] static Result<PreparedKey> create(const crypto::PKey& key, Alg alg);

  // kBadSignature when the signature does not verify (including a wrong length).
  [[nodiscard]] Status verify(std::string_view signing_input, ByteView signature) const;

 private:
  PreparedKey() = default;

  Alg alg_ = Alg::kES256;
  crypto::PKey key_;
  std::shared_ptr<EVP_MD> md_;              // ECDSA and RSA: the fetched digest
  std::shared_ptr<EVP_PKEY_CTX> pkey_ctx_;  // ECDSA and RSA: EVP_PKEY_verify_init done
  std::shared_ptr<EVP_MD_CTX> md_ctx_;      // Ed25519: EVP_DigestVerifyInit done
  // Copies of the template above, ready for reuse (shared by copies of this PreparedKey).
  std::shared_ptr<crypto::ContextPool<EVP_PKEY_CTX, EVP_PKEY_CTX_free>> pkey_pool_;
  std::shared_ptr<crypto::ContextPool<EVP_MD_CTX, EVP_MD_CTX_free>> md_pool_;
};

}  // namespace gridgate::jose::internal
