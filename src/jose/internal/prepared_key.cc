#include "jose/internal/prepared_key.h"

#include <openssl/rsa.h>

#include <array>

namespace gridgate::jose::internal {

using crypto::opensslFailure;

Result<PreparedKey> PreparedKey::create(const crypto::PKey& key, Alg alg) {
  if (!key.valid() || !algFitsKey(alg, key.type())) {
    return fail(Errc::kInvalidArgument, "prepared key: key does not fit the alg");
  }
  PreparedKey p;
  p.alg_ = alg;
  p.key_ = key;
  switch (alg) {
    case Alg::kEdDSA: {
      std::shared_ptr<EVP_MD_CTX> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
      if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key.raw(),
                                          nullptr) != 1) {
        return opensslFailure("EVP_DigestVerifyInit_ex (Ed25519)");
      }
      p.md_ctx_ = std::move(ctx);
      p.md_pool_ = std::make_shared<crypto::ContextPool<EVP_MD_CTX, EVP_MD_CTX_free>>();
      return p;
    }
    case Alg::kES256:
    case Alg::kES384:
    case Alg::kPS256:
    case Alg::kRS256:
      break;
  }
  const char* md_name = alg == Alg::kES384 ? "SHA384" : "SHA256";
  p.md_ = std::shared_ptr<EVP_MD>(EVP_MD_fetch(nullptr, md_name, nullptr), EVP_MD_free);
  std::shared_ptr<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key.raw(), nullptr),
                                    EVP_PKEY_CTX_free);
  if (!p.md_ || !ctx || EVP_PKEY_verify_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), p.md_.get()) <= 0) {
    return opensslFailure("EVP_PKEY_verify_init");
  }
  if (alg == Alg::kPS256) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PSS_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), 32) <= 0 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), p.md_.get()) <= 0) {
      return opensslFailure("RSA-PSS parameters");
    }
  } else if (alg == Alg::kRS256) {
    if (EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) <= 0) {
      return opensslFailure("RSA PKCS#1 padding");
    }
  }
  p.pkey_ctx_ = std::move(ctx);
  p.pkey_pool_ = std::make_shared<crypto::ContextPool<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>();
  return p;
}

Status PreparedKey::verify(std::string_view signing_input, ByteView signature) const {
  const ByteView input = asBytes(signing_input);
  if (md_ctx_) {  // Ed25519: one-shot over the message (pure EdDSA hashes internally)
    crypto::MdCtxPtr ctx = md_pool_->take();
    if (!ctx) {
      ctx.reset(EVP_MD_CTX_new());
      if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), md_ctx_.get()) != 1) {
        return opensslFailure("EVP_MD_CTX_copy_ex");
      }
    }
    const int r =
        EVP_DigestVerify(ctx.get(), signature.data(), signature.size(), input.data(), input.size());
    md_pool_->give(std::move(ctx));
    if (r != 1) {
      ERR_clear_error();
      return fail(Errc::kBadSignature, "signature does not verify");
    }
    return ok();
  }

  Bytes der;
  ByteView sig = signature;
  if (const std::size_t coord = ecdsaCoordSize(alg_); coord != 0) {
    // JOSE carries ECDSA signatures as fixed-size r||s (RFC 7518 section 3.4); any other length
    // is refused before touching OpenSSL.
    if (signature.size() != 2 * coord) {
      return fail(Errc::kBadSignature, "ECDSA signature length");
    }
    GG_TRY(der, crypto::ecdsaRawToDer(signature, coord));
    sig = der;
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_len, md_.get(), nullptr) != 1) {
    return opensslFailure("EVP_Digest");
  }
  crypto::PKeyCtxPtr ctx = pkey_pool_->take();
  if (!ctx) {
    ctx.reset(EVP_PKEY_CTX_dup(pkey_ctx_.get()));
    if (!ctx) return opensslFailure("EVP_PKEY_CTX_dup");
  }
  const int r = EVP_PKEY_verify(ctx.get(), sig.data(), sig.size(), digest.data(), digest_len);
  pkey_pool_->give(std::move(ctx));
  if (r != 1) {
    ERR_clear_error();
    return fail(Errc::kBadSignature, "signature does not verify");
  }
  return ok();
}

}  // namespace gridgate::jose::internal
