// The authorization server's token-signing keys: which key signs now, which keys the JWKS
// publishes, and rotation (FAPI-CHECKLIST 58-60).
//
//   GG_TRY(auto keys, SigningKeys::open(store->keys(), config->signing, max_token_life, clock));
//   std::shared_ptr<const KeySet> set = keys->current();   // lock-free snapshot for this request
//   GG_TRY(std::string jwt, jose::signJwt(set->signer, claims, "at+jwt"));
//   set->jwks_json;                                         // GET /jwks
//   set->verifier;                                          // introspection of our own tokens
//
//   // `gridgate keys rotate` (another process, same store): published now, signs after the delay
//   GG_TRY(store::SigningKey staged, SigningKeys::stage(store->keys(), Alg::kES256, delay, clock));
//
// Keys live in the store (KeyStore: the private PEM is the one secret the store keeps raw). On
// first start with an empty key store a key is generated (or the configured PKCS#8 file imported,
// kid = its RFC 7638 thumbprint). At any time:
//   - the active key is the one with the latest activates_at <= now that is not retired: it signs;
//   - a staged key (activates_at > now) is published before it signs (FAPI-CHECKLIST 60);
//   - a key that stopped signing at time T (a newer key activated, or it was retired) stays
//     published until T + the longest token lifetime, then disappears from the JWKS.
// reload() re-reads the store (the server calls it periodically so that a rotation made by the
// CLI is picked up); current() recomputes the snapshot when a staged key's time has come.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "authz/config.h"
#include "core/clock.h"
#include "core/result.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "store/store.h"

namespace gridgate::authz {

struct KeySet {
  jose::Signer signer;            // the active key
  jose::Verifier verifier;        // every published key (our own tokens, introspection)
  jose::Jwks published;           // public halves
  std::string jwks_json;          // {"keys":[...]}: the JWKS response body
  std::int64_t recompute_at = 0;  // the next time the set changes (a staged key activates...)
};

class SigningKeys {
 public:
  // Loads the keys; imports `config.key_file` if given and absent; generates a key if the store
  // has none that can sign now.
  [[nodiscard]] static Result<std::shared_ptr<SigningKeys>> open(store::KeyStore& store,
                                                                 const SigningConfig& config,
                                                                 Seconds max_token_lifetime,
                                                                 const Clock& clock);

  // Adds a new key of `alg` that is published at once and signs from now + delay.
  [[nodiscard]] static Result<store::SigningKey> stage(store::KeyStore& store, jose::Alg alg,
                                                       Seconds delay, const Clock& clock);

  // The snapshot for clock.now() (recomputed when its time has passed). Thread-safe.
  std::shared_ptr<const KeySet> current();
  // Re-reads the store. Blocking. Thread-safe.
  [[nodiscard]] Status reload();

 private:
  SigningKeys(store::KeyStore& store, Seconds max_token_lifetime, const Clock& clock)
      : store_(store), max_token_lifetime_(max_token_lifetime), clock_(clock) {}
  struct Loaded {
    store::SigningKey record;
    jose::Jwk jwk;
    jose::Alg alg;
  };
  [[nodiscard]] Result<std::shared_ptr<const KeySet>> build(std::int64_t now) const;

  store::KeyStore& store_;
  Seconds max_token_lifetime_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::vector<Loaded> keys_;           // guarded by mu_
  std::shared_ptr<const KeySet> set_;  // guarded by mu_ (read through current())
};

// Makes a key record (kid = RFC 7638 thumbprint) from a private key.
[[nodiscard]] Result<store::SigningKey> makeSigningKey(const crypto::PKey& key, jose::Alg alg,
                                                       std::int64_t created_at,
                                                       std::int64_t activates_at);

}  // namespace gridgate::authz
