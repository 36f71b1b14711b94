// RAII for OpenSSL 3 objects: every object lives in a unique_ptr with its deleter, and errors are
// drained from OpenSSL's thread-local queue into a Result.
//
//   PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
//   if (!ctx) return opensslFailure("EVP_PKEY_CTX_new_from_name");
#pragma once

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::crypto {

template <class T, void (*Free)(T*)>
struct OsslDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};

template <class T, void (*Free)(T*)>
using OsslPtr = std::unique_ptr<T, OsslDeleter<T, Free>>;

using PKeyPtr = OsslPtr<EVP_PKEY, EVP_PKEY_free>;
using PKeyCtxPtr = OsslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OsslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using BioPtr = OsslPtr<BIO, BIO_free_all>;
using BnPtr = OsslPtr<BIGNUM, BN_free>;
using X509Ptr = OsslPtr<X509, X509_free>;
using X509StorePtr = OsslPtr<X509_STORE, X509_STORE_free>;
using X509StoreCtxPtr = OsslPtr<X509_STORE_CTX, X509_STORE_CTX_free>;
using X509CrlPtr = OsslPtr<X509_CRL, X509_CRL_free>;
using EcdsaSigPtr = OsslPtr<ECDSA_SIG, ECDSA_SIG_free>;

// Builds an Errc::kCrypto error naming the failed call and the first queued OpenSSL reason, and
// clears OpenSSL's error queue so that no stale error is reported by a later call.
[[nodiscard]] Error opensslError(std::string_view what, Errc code = Errc::kCrypto);
[[nodiscard]] inline tl::unexpected<Error> opensslFailure(std::string_view what,
                                                          Errc code = Errc::kCrypto) {
  return tl::unexpected<Error>(opensslError(what, code));
}

// A read-only memory BIO over `data` (no copy; `data` must outlive the BIO).
BioPtr memBio(std::string_view data);
// Everything written to a memory BIO.
std::string bioToString(BIO* bio);

}  // namespace gridgate::crypto
