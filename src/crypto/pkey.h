// Asymmetric keys (EVP_PKEY) and the signatures gridgate makes and checks with them.
//
//   GG_TRY(PKey key, PKey::generate(KeyType::kEcP256));
//   GG_TRY(Bytes sig, sign(key, SigScheme::kEcdsaSha256, asBytes(input)));   // DER ECDSA
//   GG_TRY(verify(key.publicOnly(), SigScheme::kEcdsaSha256, asBytes(input), sig));
//
// A PKey is immutable and cheap to copy (shared ownership of one EVP_PKEY), so a key is imported
// once and reused by every request (TARGETS.md: re-importing keys is where peers lose time).
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace gridgate::crypto {

enum class KeyType {
  kEcP256,   // ES256
  kEcP384,   // ES384, CA roots of the trust framework
  kRsa,      // PS256 / RS256, >= 2048 bits
  kEd25519,  // EdDSA
};

enum class SigScheme {
  kEcdsaSha256,     // ES256 (P-256)
  kEcdsaSha384,     // ES384 (P-384)
  kRsaPssSha256,    // PS256: MGF1-SHA256, salt length 32
  kRsaPkcs1Sha256,  // RS256 (verification only, where configured)
  kEd25519,         // EdDSA (pure Ed25519)
};

class PKey {
 public:
  PKey() = default;

  [[nodiscard]] static Result<PKey> generate(KeyType type, int rsa_bits = 2048);
  // PEM: PKCS#8 private key (also traditional EC/RSA), or SubjectPublicKeyInfo public key.
  [[nodiscard]] static Result<PKey> fromPem(std::string_view pem);
  // DER SubjectPublicKeyInfo.
  [[nodiscard]] static Result<PKey> fromPublicDer(ByteView der);
  // Takes ownership of an EVP_PKEY (must not be null).
  static PKey adopt(EVP_PKEY* raw);

  bool valid() const { return key_ != nullptr; }
  KeyType type() const { return type_; }
  bool hasPrivate() const { return has_private_; }
  int bits() const;
  EVP_PKEY* raw() const { return key_.get(); }

  // The same key without its private half.
  [[nodiscard]] Result<PKey> publicOnly() const;
  [[nodiscard]] Result<std::string> privatePem() const;  // PKCS#8, unencrypted
  [[nodiscard]] Result<std::string> publicPem() const;   // SubjectPublicKeyInfo
  [[nodiscard]] Result<Bytes> publicDer() const;         // SubjectPublicKeyInfo DER

  // True if both hold the same public key.
  bool samePublicKey(const PKey& other) const;

 private:
  PKey(std::shared_ptr<EVP_PKEY> key, KeyType type, bool has_private)
      : key_(std::move(key)), type_(type), has_private_(has_private) {}
  static Result<PKey> wrap(EVP_PKEY* raw);

  std::shared_ptr<EVP_PKEY> key_;
  KeyType type_ = KeyType::kEcP256;
  bool has_private_ = false;
};

// Which schemes a key type can sign with.
bool schemeFitsKey(SigScheme scheme, KeyType type);

// Signs `data` (hashing it as the scheme says). ECDSA signatures are DER encoded.
[[nodiscard]] Result<Bytes> sign(const PKey& key, SigScheme scheme, ByteView data);
// Verifies a signature; kBadSignature when it does not verify.
[[nodiscard]] Status verify(const PKey& key, SigScheme scheme, ByteView data, ByteView signature);

// ECDSA signature conversions between DER (X.509, provenance) and JOSE's fixed-size r||s.
// `coord_size` is 32 for P-256, 48 for P-384.
[[nodiscard]] Result<Bytes> ecdsaDerToRaw(ByteView der, std::size_t coord_size);
[[nodiscard]] Result<Bytes> ecdsaRawToDer(ByteView raw, std::size_t coord_size);

}  // namespace gridgate::crypto
