#include "crypto/pkey.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <array>
#include <cstring>

#include "crypto/context_pool.h"
#include "crypto/ossl.h"
#include "crypto/prepared_signer.h"

namespace gridgate::crypto {
namespace {

Result<KeyType> classify(EVP_PKEY* k) {
  switch (EVP_PKEY_get_base_id(k)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                         &len) != 1) {
        return opensslFailure("EC group", Errc::kUnsupported);
      }
      const std::string_view g(group, len);
      if (g == "prime256v1" || g == "P-256") return KeyType::kEcP256;
      if (g == "secp384r1" || g == "P-384") return KeyType::kEcP384;
      return fail(Errc::kUnsupported, "EC curve not allowed: " + std::string(g));
    }
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      if (EVP_PKEY_get_bits(k) < 2048) return fail(Errc::kUnsupported, "RSA key under 2048 bits");
      return KeyType::kRsa;
    case EVP_PKEY_ED25519:
      return KeyType::kEd25519;
    default:
      return fail(Errc::kUnsupported, "key type not allowed");
  }
}

bool hasPrivatePart(EVP_PKEY* k, KeyType type) {
  switch (type) {
    case KeyType::kEcP256:
    case KeyType::kEcP384: {
      BIGNUM* priv = nullptr;
      const bool has = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1;
      BN_clear_free(priv);
      return has;
    }
    case KeyType::kRsa: {
      BIGNUM* d = nullptr;
      const bool has = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
      BN_clear_free(d);
      return has;
    }
    case KeyType::kEd25519: {
      std::size_t len = 0;
      return EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0, &len) == 1 &&
             len > 0;
    }
  }
  return false;
}

const EVP_MD* schemeDigest(SigScheme scheme) {
  switch (scheme) {
    case SigScheme::kEcdsaSha256:
    case SigScheme::kRsaPssSha256:
    case SigScheme::kRsaPkcs1Sha256:
      return EVP_sha256();
    case SigScheme::kEcdsaSha384:
      return EVP_sha384();
    case SigScheme::kEd25519:
      return nullptr;  // pure EdDSA hashes internally
  }
  return nullptr;
}

Status configurePadding(EVP_PKEY_CTX* pctx, SigScheme scheme) {
  if (scheme == SigScheme::kRsaPssSha256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) <= 0) {
      return opensslFailure("RSA-PSS parameters");
    }
  } else if (scheme == SigScheme::kRsaPkcs1Sha256) {
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0) {
      return opensslFailure("RSA PKCS#1 padding");
    }
  }
  return ok();
}

}  // namespace

bool schemeFitsKey(SigScheme scheme, KeyType type) {
  switch (scheme) {
    case SigScheme::kEcdsaSha256:
      return type == KeyType::kEcP256;
    case SigScheme::kEcdsaSha384:
      return type == KeyType::kEcP384;
    case SigScheme::kRsaPssSha256:
    case SigScheme::kRsaPkcs1Sha256:
      return type == KeyType::kRsa;
    case SigScheme::kEd25519:
      return type == KeyType::kEd25519;
  }
  return false;
}

Result<PKey> PKey::wrap(EVP_PKEY* raw) {
  std::shared_ptr<EVP_PKEY> owned(raw, EVP_PKEY_free);
  GG_TRY(const KeyType type, classify(raw));
  const bool priv = hasPrivatePart(raw, type);
  ERR_clear_error();
  return PKey(std::move(owned), type, priv);
}

PKey PKey::adopt(EVP_PKEY* raw) {
  auto wrapped = wrap(raw);
  if (wrapped) return *wrapped;
  return PKey();
}

Result<PKey> PKey::generate(KeyType type, int rsa_bits) {
  EVP_PKEY* k = nullptr;
  switch (type) {
    case KeyType::kEcP256:
      k = EVP_EC_gen("P-256");
      break;
    case KeyType::kEcP384:
      k = EVP_EC_gen("P-384");
      break;
    case KeyType::kRsa:
      if (rsa_bits < 2048) return fail(Errc::kInvalidArgument, "RSA key under 2048 bits");
      k = EVP_RSA_gen(static_cast<unsigned int>(rsa_bits));
      break;
    case KeyType::kEd25519:
      k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
      break;
  }
  if (k == nullptr) return opensslFailure("key generation");
  return wrap(k);
}

Result<PKey> PKey::fromPem(std::string_view pem) {
  if (pem.size() > 64 * 1024) return fail(Errc::kLimitExceeded, "PEM key too large");
  BioPtr bio = memBio(pem);
  if (!bio) return opensslFailure("BIO");
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (k == nullptr) {
    ERR_clear_error();
    bio = memBio(pem);
    k = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  }
  if (k == nullptr) return opensslFailure("PEM key", Errc::kMalformed);
  return wrap(k);
}

Result<PKey> PKey::fromPublicDer(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
  if (k == nullptr) return opensslFailure("DER public key", Errc::kMalformed);
  if (p != der.data() + der.size()) {
    EVP_PKEY_free(k);
    return fail(Errc::kMalformed, "trailing bytes after public key");
  }
  return wrap(k);
}

int PKey::bits() const { return key_ ? EVP_PKEY_get_bits(key_.get()) : 0; }

Result<Bytes> PKey::publicDer() const {
  if (!key_) return fail(Errc::kInvalidArgument, "empty key");
  unsigned char* out = nullptr;
  const int len = i2d_PUBKEY(key_.get(), &out);
  if (len <= 0) return opensslFailure("i2d_PUBKEY");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

Result<PKey> PKey::publicOnly() const {
  if (!has_private_) return *this;
  GG_TRY(const Bytes der, publicDer());
  return fromPublicDer(der);
}

Result<std::string> PKey::privatePem() const {
  if (!key_ || !has_private_) return fail(Errc::kInvalidArgument, "no private key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return opensslFailure("PEM_write_bio_PrivateKey");
  }
  return bioToString(bio.get());
}

Result<std::string> PKey::publicPem() const {
  if (!key_) return fail(Errc::kInvalidArgument, "empty key");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) {
    return opensslFailure("PEM_write_bio_PUBKEY");
  }
  return bioToString(bio.get());
}

bool PKey::samePublicKey(const PKey& other) const {
  if (!key_ || !other.key_) return false;
  const int r = EVP_PKEY_eq(key_.get(), other.key_.get());
  ERR_clear_error();
  return r == 1;
}

Result<Bytes> sign(const PKey& key, SigScheme scheme, ByteView data) {
  if (!key.valid() || !key.hasPrivate()) return fail(Errc::kInvalidArgument, "no private key");
  if (!schemeFitsKey(scheme, key.type())) {
    return fail(Errc::kInvalidArgument, "signature scheme does not fit the key");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, schemeDigest(scheme), nullptr, key.raw()) != 1) {
    return opensslFailure("EVP_DigestSignInit");
  }
  GG_TRY(configurePadding(pctx, scheme));
  std::size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return opensslFailure("EVP_DigestSign (size)");
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    return opensslFailure("EVP_DigestSign");
  }
  sig.resize(len);
  return sig;
}

struct PreparedSigner::State {
  OsslPtr<EVP_MD, EVP_MD_free> md;  // fetched once
  PKeyCtxPtr ctx;                   // EVP_PKEY_sign_init, digest and padding done: copied per use
  ContextPool<EVP_PKEY_CTX, EVP_PKEY_CTX_free> pool;
};

Result<std::shared_ptr<const PreparedSigner>> PreparedSigner::create(const PKey& key,
                                                                     SigScheme scheme) {
  if (!key.valid() || !key.hasPrivate()) return fail(Errc::kInvalidArgument, "no private key");
  if (!schemeFitsKey(scheme, key.type())) {
    return fail(Errc::kInvalidArgument, "signature scheme does not fit the key");
  }
  std::shared_ptr<PreparedSigner> p(new PreparedSigner());
  p->key_ = key;
  p->scheme_ = scheme;
  if (scheme == SigScheme::kEd25519) return std::shared_ptr<const PreparedSigner>(std::move(p));
  auto state = std::make_shared<State>();
  state->md.reset(EVP_MD_fetch(nullptr, EVP_MD_get0_name(schemeDigest(scheme)), nullptr));
  state->ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key.raw(), nullptr));
  if (!state->md || !state->ctx || EVP_PKEY_sign_init(state->ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(state->ctx.get(), state->md.get()) <= 0) {
    return opensslFailure("EVP_PKEY_sign_init");
  }
  GG_TRY(configurePadding(state->ctx.get(), scheme));
  p->state_ = std::move(state);
  return std::shared_ptr<const PreparedSigner>(std::move(p));
}

Result<Bytes> PreparedSigner::sign(ByteView data) const {
  if (!state_) return crypto::sign(key_, scheme_, data);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &digest_len, state_->md.get(), nullptr) !=
      1) {
    return opensslFailure("EVP_Digest");
  }
  PKeyCtxPtr ctx = state_->pool.take();
  if (!ctx) {
    ctx.reset(EVP_PKEY_CTX_dup(state_->ctx.get()));
    if (!ctx) return opensslFailure("EVP_PKEY_CTX_dup");
  }
  std::size_t len = 0;
  if (EVP_PKEY_sign(ctx.get(), nullptr, &len, digest.data(), digest_len) != 1) {
    return opensslFailure("EVP_PKEY_sign (size)");
  }
  Bytes sig(len);
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest.data(), digest_len) != 1) {
    return opensslFailure("EVP_PKEY_sign");
  }
  state_->pool.give(std::move(ctx));
  sig.resize(len);
  return sig;
}

Status verify(const PKey& key, SigScheme scheme, ByteView data, ByteView signature) {
  if (!key.valid()) return fail(Errc::kInvalidArgument, "empty key");
  if (!schemeFitsKey(scheme, key.type())) {
    return fail(Errc::kInvalidArgument, "signature scheme does not fit the key");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx ||
      EVP_DigestVerifyInit(ctx.get(), &pctx, schemeDigest(scheme), nullptr, key.raw()) != 1) {
    return opensslFailure("EVP_DigestVerifyInit");
  }
  GG_TRY(configurePadding(pctx, scheme));
  const int r =
      EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), data.data(), data.size());
  if (r != 1) {
    ERR_clear_error();
    return fail(Errc::kBadSignature, "signature does not verify");
  }
  return ok();
}

Result<Bytes> ecdsaDerToRaw(ByteView der, std::size_t coord_size) {
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig || p != der.data() + der.size()) {
    ERR_clear_error();
    return fail(Errc::kMalformed, "ECDSA signature is not DER");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  Bytes raw(coord_size * 2);
  if (BN_bn2binpad(r, raw.data(), static_cast<int>(coord_size)) < 0 ||
      BN_bn2binpad(s, raw.data() + coord_size, static_cast<int>(coord_size)) < 0) {
    ERR_clear_error();
    return fail(Errc::kMalformed, "ECDSA signature component too large");
  }
  return raw;
}

Result<Bytes> ecdsaRawToDer(ByteView raw, std::size_t coord_size) {
  if (raw.size() != coord_size * 2) return fail(Errc::kMalformed, "ECDSA signature length");
  BnPtr r(BN_bin2bn(raw.data(), static_cast<int>(coord_size), nullptr));
  BnPtr s(BN_bin2bn(raw.data() + coord_size, static_cast<int>(coord_size), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return opensslFailure("ECDSA_SIG_set0");
  }
  (void)r.release();  // owned by sig now
  (void)s.release();
  unsigned char* out = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &out);
  if (len <= 0) return opensslFailure("i2d_ECDSA_SIG");
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

}  // namespace gridgate::crypto
