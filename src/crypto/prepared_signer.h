// A private key made ready once for one signature scheme: the digest is fetched and the OpenSSL
// sign context is set up (padding, salt length) at construction, so that each signature costs a
// hash, a pooled context and the private-key operation, not OpenSSL 3's per-call fetches and
// set-up (about a fifth of an ES256 signature: bench/jose BM_Sign). For keys that sign on every
// request: access tokens, provenance records.
//
//   GG_TRY(auto signer, crypto::PreparedSigner::create(key, crypto::SigScheme::kEcdsaSha256));
//   GG_TRY(Bytes der, signer->sign(asBytes(input)));   // same bytes as crypto::sign: DER ECDSA
//
// Thread-safe: sign() may run on many threads at once (crypto/context_pool.h).
#pragma once

#include <memory>

#include "core/bytes.h"
#include "core/result.h"
#include "crypto/pkey.h"

namespace gridgate::crypto {

class PreparedSigner {
 public:
  // The key must hold its private half and fit the scheme (schemeFitsKey). Ed25519 has no digest
  // step to prepare: its signatures go through crypto::sign.
  [[nodiscard]] static Result<std::shared_ptr<const PreparedSigner>> create(const PKey& key,
                                                                            SigScheme scheme);

  // The signature over `data`, hashed as the scheme says (ECDSA: DER encoded).
  [[nodiscard]] Result<Bytes> sign(ByteView data) const;

  SigScheme scheme() const { return scheme_; }

 private:
  struct State;  // the digest, the template context and the pool (pkey.cc)
  PreparedSigner() = default;
  PKey key_;
  SigScheme scheme_ = SigScheme::kEcdsaSha256;
  std::shared_ptr<State> state_;  // null for Ed25519
};

}  // namespace gridgate::crypto
