#include "x509/trust_store.h"

#include <openssl/x509_vfy.h>

#include <ctime>

#include "crypto/ossl.h"
#include "x509/pem.h"

namespace gridgate::x509 {
namespace {

void freeStackOnly(STACK_OF(X509) * s) { sk_X509_free(s); }
using X509StackPtr = crypto::OsslPtr<STACK_OF(X509), freeStackOnly>;

constexpr std::size_t kMaxAnchors = 64;
constexpr std::size_t kMaxCrls = 64;

Error verifyError(int code, int depth, X509* cert) {
  std::string detail = "certificate verification failed at depth " + std::to_string(depth) + ": " +
                       X509_verify_cert_error_string(code);
  if (cert != nullptr) {
    char subject[256] = {};
    X509_NAME_oneline(X509_get_subject_name(cert), subject, sizeof(subject));
    detail += " (";
    detail += subject;
    detail += ")";
  }
  switch (code) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return Error{Errc::kExpired, std::move(detail)};
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return Error{Errc::kNotYetValid, std::move(detail)};
    case X509_V_ERR_CERT_REVOKED:
      return Error{Errc::kRevoked, std::move(detail)};
    default:
      // Everything else, including a missing, stale or badly signed CRL when CRLs are checked,
      // means "not trusted": verification fails closed.
      return Error{Errc::kUntrustedCertificate, std::move(detail)};
  }
}

}  // namespace

struct TrustStore::Data {
  crypto::X509StorePtr store;
  std::vector<Certificate> anchors;
  std::size_t crls = 0;
};

TrustStore::Builder::Builder() = default;

Status TrustStore::Builder::addAnchorsPem(std::string_view pem) {
  GG_TRY(auto certs, parsePemBundle(pem, kMaxAnchors));
  for (const Certificate& c : certs) GG_TRY(addAnchor(c));
  return ok();
}

Status TrustStore::Builder::addAnchor(const Certificate& anchor) {
  if (anchors_.size() == kMaxAnchors) return fail(Errc::kLimitExceeded, "too many trust anchors");
  if (!anchor.isCa()) {
    return fail(Errc::kInvalidArgument, "trust anchor is not a CA: " + anchor.subjectDn());
  }
  anchors_.push_back(anchor);
  return ok();
}

Status TrustStore::Builder::addCrlPem(std::string_view pem) {
  GG_TRY(auto blocks, scanPem(pem, PemOptions{.max_blocks = kMaxCrls, .max_der = 1024 * 1024}));
  for (PemBlock& block : blocks) {
    if (block.label != "X509 CRL") {
      return fail(Errc::kMalformed, "PEM block is " + block.label + ", not X509 CRL");
    }
    if (crls_der_.size() == kMaxCrls) return fail(Errc::kLimitExceeded, "too many CRLs");
    const unsigned char* p = block.der.data();
    crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(block.der.size())));
    if (!crl) return crypto::opensslFailure("CRL DER", Errc::kMalformed);
    if (p != block.der.data() + block.der.size()) {
      return fail(Errc::kMalformed, "bytes after CRL DER");
    }
    crls_der_.push_back(std::move(block.der));
  }
  return ok();
}

Result<TrustStore> TrustStore::Builder::build() && {
  if (anchors_.empty()) return fail(Errc::kInvalidArgument, "no trust anchors");
  auto data = std::make_shared<Data>();
  data->store.reset(X509_STORE_new());
  if (!data->store) return crypto::opensslFailure("X509_STORE_new");
  for (const Certificate& c : anchors_) {
    if (X509_STORE_add_cert(data->store.get(), c.raw()) != 1) {
      return crypto::opensslFailure("X509_STORE_add_cert");
    }
  }
  for (const Bytes& der : crls_der_) {
    const unsigned char* p = der.data();
    crypto::X509CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(der.size())));
    if (!crl) return crypto::opensslFailure("CRL DER", Errc::kMalformed);
    if (X509_STORE_add_crl(data->store.get(), crl.get()) != 1) {
      return crypto::opensslFailure("X509_STORE_add_crl");
    }
  }
  data->anchors = std::move(anchors_);
  data->crls = crls_der_.size();
  return TrustStore(std::move(data));
}

Result<TrustStore> TrustStore::fromPem(std::string_view anchors_pem, std::string_view crls_pem) {
  Builder builder;
  GG_TRY(builder.addAnchorsPem(anchors_pem));
  if (!crls_pem.empty()) GG_TRY(builder.addCrlPem(crls_pem));
  return std::move(builder).build();
}

const std::vector<Certificate>& TrustStore::anchors() const { return data_->anchors; }
std::size_t TrustStore::crlCount() const { return data_->crls; }
X509_STORE* TrustStore::raw() const { return data_->store.get(); }

Status verifyChain(const Certificate& leaf, std::span<const Certificate> untrusted,
                   const TrustStore& trust, const VerifyOptions& options) {
  if (options.at_time <= 0) return fail(Errc::kInvalidArgument, "verification time not set");
  if (untrusted.size() > options.max_untrusted) {
    return fail(Errc::kLimitExceeded, "too many intermediate certificates");
  }
  if (!options.allow_ca_leaf && leaf.isCa()) {
    return fail(Errc::kUntrustedCertificate, "a CA certificate was presented as the leaf");
  }
  X509StackPtr chain(sk_X509_new_null());
  if (!chain) return crypto::opensslFailure("sk_X509_new_null");
  for (const Certificate& c : untrusted) {
    // The stack does not own its elements here (sk_X509_free, not pop_free): `untrusted` does.
    if (sk_X509_push(chain.get(), c.raw()) <= 0) return crypto::opensslFailure("sk_X509_push");
  }
  crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust.raw(), leaf.raw(), chain.get()) != 1) {
    return crypto::opensslFailure("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // set_time also sets X509_V_FLAG_USE_CHECK_TIME: the caller's clock, never the system's.
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(options.at_time));
  X509_VERIFY_PARAM_set_depth(param, options.max_depth);
  X509_VERIFY_PARAM_clear_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  unsigned long flags = 0;
  if (options.check_crl) flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  if (options.x509_strict) flags |= X509_V_FLAG_X509_STRICT;
  if (flags != 0) X509_VERIFY_PARAM_set_flags(param, flags);
  switch (options.purpose) {
    case Purpose::kAny:
      break;
    case Purpose::kClientAuth:
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
      break;
    case Purpose::kServerAuth:
      X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
      break;
  }
  const int rc = X509_verify_cert(ctx.get());
  if (rc == 1) {
    ERR_clear_error();
    return ok();
  }
  const int code = X509_STORE_CTX_get_error(ctx.get());
  Error error = verifyError(code, X509_STORE_CTX_get_error_depth(ctx.get()),
                            X509_STORE_CTX_get_current_cert(ctx.get()));
  ERR_clear_error();
  if (code == X509_V_OK) error = Error{Errc::kUntrustedCertificate, "verification failed"};
  return fail(std::move(error));
}

}  // namespace gridgate::x509
