#include "jose/jwk.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <bit>
#include <span>

#include "core/base64.h"
#include "crypto/digest.h"
#include "crypto/ossl.h"

namespace gridgate::jose {
namespace {

using crypto::KeyType;
using crypto::opensslFailure;
using crypto::PKey;
using ParamBldPtr = crypto::OsslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamsPtr =
    crypto::OsslPtr<OSSL_PARAM, OSSL_PARAM_free>;  // clear-frees the secure (private) part
using SecretBnPtr = crypto::OsslPtr<BIGNUM, BN_clear_free>;

// Decoded private key material, wiped when it goes out of scope.
struct SecretBytes {
  Bytes data;
  SecretBytes() = default;
  explicit SecretBytes(Bytes b) : data(std::move(b)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes(SecretBytes&&) = default;
  SecretBytes& operator=(SecretBytes&&) = default;
  ~SecretBytes() {
    if (!data.empty()) OPENSSL_cleanse(data.data(), data.size());
  }
};

constexpr std::array<std::string_view, 6> kRsaPrivateMembers = {"d", "p", "q", "dp", "dq", "qi"};

std::size_t coordSize(KeyType type) { return type == KeyType::kEcP384 ? 48 : 32; }

Result<std::string_view> requiredString(const Json& obj, std::string_view name) {
  const Json* m = jsonMember(obj, name);
  if (m == nullptr) return fail(Errc::kMalformed, "jwk: missing \"" + std::string(name) + "\"");
  if (!m->is_string()) {
    return fail(Errc::kMalformed, "jwk: \"" + std::string(name) + "\" is not a string");
  }
  return std::string_view(m->get_ref<const std::string&>());
}

// A base64url member that must decode to exactly `size` bytes (EC coordinates, Ed25519 keys).
Result<Bytes> fixedMember(const Json& obj, std::string_view name, std::size_t size) {
  GG_TRY(const std::string_view text, requiredString(obj, name));
  auto bytes = base64urlDecode(text);
  if (!bytes) return fail(Errc::kMalformed, "jwk: \"" + std::string(name) + "\" is not base64url");
  if (bytes->size() != size) {
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return fail(Errc::kMalformed, "jwk: \"" + std::string(name) + "\" has " +
                                      std::to_string(bytes->size()) + " bytes, expected " +
                                      std::to_string(size));
  }
  return std::move(*bytes);
}

// A Base64urlUInt member (RFC 7518 section 2). `minimal`: no leading zero octet, as RFC 7518
// requires and as RFC 7638 thumbprints depend on (enforced for the public n and e).
Result<Bytes> uintMember(const Json& obj, std::string_view name, bool minimal) {
  GG_TRY(const std::string_view text, requiredString(obj, name));
  auto bytes = base64urlDecode(text);
  if (!bytes || bytes->empty()) {
    return fail(Errc::kMalformed, "jwk: \"" + std::string(name) + "\" is not a base64url integer");
  }
  if (minimal && (*bytes)[0] == 0) {
    return fail(Errc::kMalformed, "jwk: \"" + std::string(name) + "\" has a leading zero octet");
  }
  return std::move(*bytes);
}

bool hasAny(const Json& obj, std::span<const std::string_view> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](std::string_view n) { return jsonMember(obj, n) != nullptr; });
}

Result<BIGNUM*> toBn(ByteView b, bool secret, std::vector<SecretBnPtr>& keep) {
  BIGNUM* bn = secret ? BN_secure_new() : BN_new();
  if (bn == nullptr) return opensslFailure("BN_new");
  keep.emplace_back(bn);
  if (BN_bin2bn(b.data(), static_cast<int>(b.size()), bn) == nullptr) {
    return opensslFailure("BN_bin2bn");
  }
  return bn;
}

// EVP_PKEY_fromdata, then OpenSSL's own consistency checks: a public key must be valid for its
// type (EC: the point is on the curve and not at infinity; RSA: SP 800-56B public checks) and a
// private key must match its public half.
Result<PKey> fromParams(const char* type_name, OSSL_PARAM_BLD* bld, bool has_private) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  crypto::PKeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type_name, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return opensslFailure("EVP_PKEY_fromdata_init");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, has_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return opensslFailure("jwk: key import", Errc::kInvalidArgument);
  }
  crypto::PKeyPtr owned(raw);
  crypto::PKeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check) return opensslFailure("EVP_PKEY_CTX_new_from_pkey");
  const int valid = has_private ? EVP_PKEY_check(check.get()) : EVP_PKEY_public_check(check.get());
  if (valid != 1) return opensslFailure("jwk: key fails validation", Errc::kInvalidArgument);
  PKey key = PKey::adopt(owned.release());
  if (!key.valid()) return fail(Errc::kUnsupported, "jwk: key type not allowed");
  if (has_private != key.hasPrivate()) return fail(Errc::kInternal, "jwk: private part lost");
  return key;
}

Result<PKey> importEc(const Json& obj, bool with_private) {
  GG_TRY(const std::string_view crv, requiredString(obj, "crv"));
  const char* group = nullptr;
  KeyType type = KeyType::kEcP256;
  if (crv == "P-256") {
    type = KeyType::kEcP256;
    group = "P-256";
  } else if (crv == "P-384") {
    type = KeyType::kEcP384;
    group = "P-384";
  } else {
    return fail(Errc::kUnsupported,
                "jwk: EC curve not supported: " + std::string(crv.substr(0, 16)));
  }
  const std::size_t size = coordSize(type);
  GG_TRY(const Bytes x, fixedMember(obj, "x", size));
  GG_TRY(const Bytes y, fixedMember(obj, "y", size));
  Bytes point;
  point.reserve(1 + 2 * size);
  point.push_back(0x04);  // uncompressed SEC1 point
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::vector<SecretBnPtr> keep;
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return opensslFailure("OSSL_PARAM_BLD (EC)");
  }
  if (with_private) {
    GG_TRY(Bytes d_bytes, fixedMember(obj, "d", size));
    const SecretBytes d(std::move(d_bytes));
    GG_TRY(BIGNUM * bn, toBn(d.data, true, keep));
    if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, bn) != 1) {
      return opensslFailure("OSSL_PARAM_BLD (EC d)");
    }
  }
  return fromParams("EC", bld.get(), with_private);
}

Result<PKey> importRsa(const Json& obj, bool with_private) {
  GG_TRY(const Bytes n, uintMember(obj, "n", true));
  GG_TRY(const Bytes e, uintMember(obj, "e", true));
  const int bits = static_cast<int>(n.size() * 8) - (std::countl_zero(n[0]));
  if (bits < 2048) return fail(Errc::kUnsupported, "jwk: RSA key under 2048 bits");
  if (bits > Jwk::kMaxRsaBits) return fail(Errc::kUnsupported, "jwk: RSA key over 8192 bits");
  // SP 800-56B: e odd and at least 65537; nothing real goes beyond 64 bits.
  if (e.size() > 8) return fail(Errc::kUnsupported, "jwk: RSA public exponent too large");
  std::uint64_t e_value = 0;
  for (const std::uint8_t b : e) e_value = (e_value << 8) | b;
  if (e_value < 65537 || (e_value & 1) == 0) {
    return fail(Errc::kUnsupported, "jwk: RSA public exponent not allowed");
  }
  if (jsonMember(obj, "oth") != nullptr) {
    return fail(Errc::kUnsupported, "jwk: multi-prime RSA (oth) not supported");
  }

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld) return opensslFailure("OSSL_PARAM_BLD_new");
  std::vector<SecretBnPtr> keep;
  GG_TRY(BIGNUM * n_bn, toBn(n, false, keep));
  GG_TRY(BIGNUM * e_bn, toBn(e, false, keep));
  if (OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n_bn) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e_bn) != 1) {
    return opensslFailure("OSSL_PARAM_BLD (RSA)");
  }
  if (with_private) {
    // The CRT members are required: every JWK producer emits them, and OpenSSL's key-pair
    // consistency check needs the primes.
    static constexpr std::array<const char*, 6> kParams = {
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    for (std::size_t i = 0; i < kRsaPrivateMembers.size(); ++i) {
      GG_TRY(Bytes raw, uintMember(obj, kRsaPrivateMembers[i], false));
      const SecretBytes secret(std::move(raw));
      GG_TRY(BIGNUM * bn, toBn(secret.data, true, keep));
      if (OSSL_PARAM_BLD_push_BN(bld.get(), kParams[i], bn) != 1) {
        return opensslFailure("OSSL_PARAM_BLD (RSA private)");
      }
    }
  }
  return fromParams("RSA", bld.get(), with_private);
}

Result<PKey> importOkp(const Json& obj, bool with_private) {
  GG_TRY(const std::string_view crv, requiredString(obj, "crv"));
  if (crv != "Ed25519") {
    return fail(Errc::kUnsupported,
                "jwk: OKP curve not supported: " + std::string(crv.substr(0, 16)));
  }
  GG_TRY(const Bytes x, fixedMember(obj, "x", 32));
  if (!with_private) {
    EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, x.data(), x.size());
    if (raw == nullptr) return opensslFailure("jwk: Ed25519 public key", Errc::kInvalidArgument);
    return PKey::adopt(raw);
  }
  GG_TRY(Bytes d_bytes, fixedMember(obj, "d", 32));
  const SecretBytes d(std::move(d_bytes));
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, d.data.data(), 32);
  if (raw == nullptr) return opensslFailure("jwk: Ed25519 private key", Errc::kInvalidArgument);
  PKey key = PKey::adopt(raw);
  // The public key is derived from d; the given x must be that key, not another one.
  std::array<std::uint8_t, 32> derived{};
  std::size_t len = derived.size();
  if (EVP_PKEY_get_raw_public_key(key.raw(), derived.data(), &len) != 1 || len != 32) {
    return opensslFailure("EVP_PKEY_get_raw_public_key");
  }
  if (CRYPTO_memcmp(derived.data(), x.data(), 32) != 0) {
    return fail(Errc::kInvalidArgument, "jwk: Ed25519 x does not match d");
  }
  return key;
}

// RFC 7517 section 4.7: the first certificate's key must be this key.
Status checkX5c(const Json& obj, const PKey& key, std::vector<std::string>& out) {
  const Json* x5c = jsonMember(obj, "x5c");
  if (x5c == nullptr) return ok();
  if (!x5c->is_array() || x5c->empty() || x5c->size() > 10) {
    return fail(Errc::kMalformed, "jwk: x5c is not a non-empty array (at most 10)");
  }
  for (const Json& cert : *x5c) {
    if (!cert.is_string()) return fail(Errc::kMalformed, "jwk: x5c entry is not a string");
    out.push_back(cert.get<std::string>());
  }
  auto der = base64Decode(out.front());  // standard base64, padded (not base64url)
  if (!der) return fail(Errc::kMalformed, "jwk: x5c[0] is not base64");
  const unsigned char* p = der->data();
  crypto::X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
  if (!x509 || p != der->data() + der->size()) {
    return opensslFailure("jwk: x5c[0] is not a DER certificate", Errc::kMalformed);
  }
  EVP_PKEY* cert_key = X509_get0_pubkey(x509.get());
  if (cert_key == nullptr || EVP_PKEY_eq(cert_key, key.raw()) != 1) {
    ERR_clear_error();
    return fail(Errc::kInvalidArgument, "jwk: x5c[0] holds a different key");
  }
  return ok();
}

Result<std::string> bnParamB64(const EVP_PKEY* k, const char* name, std::size_t pad) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &raw) != 1) return opensslFailure(name);
  SecretBnPtr bn(raw);
  const int bytes = BN_num_bytes(bn.get());
  SecretBytes out(Bytes(std::max<std::size_t>(pad, static_cast<std::size_t>(bytes))));
  if (BN_bn2binpad(bn.get(), out.data.data(), static_cast<int>(out.data.size())) < 0) {
    return opensslFailure("BN_bn2binpad");
  }
  return base64urlEncode(out.data);
}

Result<KeyUse> parseUse(const Json& obj, std::string& text) {
  const Json* m = jsonMember(obj, "use");
  if (m == nullptr) return KeyUse::kUnspecified;
  if (!m->is_string()) return fail(Errc::kMalformed, "jwk: \"use\" is not a string");
  text = m->get<std::string>();
  if (text == "sig") return KeyUse::kSignature;
  if (text == "enc") return KeyUse::kEncryption;
  return KeyUse::kOther;
}

std::string_view useText(KeyUse use) {
  switch (use) {
    case KeyUse::kUnspecified:
    case KeyUse::kOther:
      return {};
    case KeyUse::kSignature:
      return "sig";
    case KeyUse::kEncryption:
      return "enc";
  }
  return {};
}

}  // namespace

Result<Jwk> Jwk::parseText(std::string_view json, const JwkParseOptions& options) {
  GG_TRY(const Json doc, parseJsonObject(json, JsonLimits{.max_bytes = kMaxJsonBytes,
                                                          .max_depth = 8,
                                                          .allow_duplicate_keys = false}));
  return parse(doc, options);
}

Result<Jwk> Jwk::parse(const Json& object, const JwkParseOptions& options) {
  if (!object.is_object()) return fail(Errc::kMalformed, "jwk: not a JSON object");
  GG_TRY(const std::string_view kty, requiredString(object, "kty"));

  Jwk jwk;
  if (const Json* kid = jsonMember(object, "kid")) {
    if (!kid->is_string()) return fail(Errc::kMalformed, "jwk: \"kid\" is not a string");
    jwk.kid_ = kid->get<std::string>();
  }
  GG_TRY(jwk.use_, parseUse(object, jwk.use_text_));
  if (const Json* ops = jsonMember(object, "key_ops")) {
    if (!ops->is_array()) return fail(Errc::kMalformed, "jwk: \"key_ops\" is not an array");
    std::vector<std::string> list;
    for (const Json& op : *ops) {
      if (!op.is_string()) return fail(Errc::kMalformed, "jwk: \"key_ops\" entry not a string");
      if (std::find(list.begin(), list.end(), op.get_ref<const std::string&>()) != list.end()) {
        return fail(Errc::kMalformed, "jwk: duplicate \"key_ops\" entry");
      }
      list.push_back(op.get<std::string>());
    }
    jwk.key_ops_ = std::move(list);
  }

  static constexpr std::array<std::string_view, 1> kD = {"d"};
  bool has_private = false;
  Result<PKey> key = fail(Errc::kInternal);
  if (kty == "EC") {
    has_private = hasAny(object, kD);
  } else if (kty == "RSA") {
    has_private = hasAny(object, kRsaPrivateMembers);
  } else if (kty == "OKP") {
    has_private = hasAny(object, kD);
  } else if (kty == "oct") {
    return fail(Errc::kUnsupported, "jwk: symmetric (oct) keys are never accepted");
  } else {
    return fail(Errc::kUnsupported, "jwk: kty not supported: " + std::string(kty.substr(0, 16)));
  }
  switch (options.private_members) {
    case PrivateMembers::kReject:
      if (has_private) {
        return fail(Errc::kInvalidArgument,
                    "jwk: private key members where a public key is expected");
      }
      break;
    case PrivateMembers::kRequire:
      if (!has_private) return fail(Errc::kInvalidArgument, "jwk: private key members missing");
      break;
    case PrivateMembers::kAllow:
      break;
  }
  if (kty == "EC") {
    key = importEc(object, has_private);
  } else if (kty == "RSA") {
    key = importRsa(object, has_private);
  } else {
    key = importOkp(object, has_private);
  }
  if (!key) return fail(std::move(key.error()));
  jwk.key_ = std::move(*key);

  if (const Json* alg = jsonMember(object, "alg")) {
    if (!alg->is_string()) return fail(Errc::kMalformed, "jwk: \"alg\" is not a string");
    GG_TRY(const Alg parsed, parseAlg(alg->get_ref<const std::string&>()));
    if (!algFitsKey(parsed, jwk.key_.type())) {
      return fail(Errc::kInvalidArgument, "jwk: alg does not fit the key");
    }
    jwk.alg_ = parsed;
  }
  GG_TRY(checkX5c(object, jwk.key_, jwk.x5c_));
  GG_TRY(jwk.finish());
  return jwk;
}

Result<Jwk> Jwk::fromKey(crypto::PKey key, std::string kid, std::optional<Alg> alg, KeyUse use) {
  if (!key.valid()) return fail(Errc::kInvalidArgument, "jwk: empty key");
  if (alg && !algFitsKey(*alg, key.type())) {
    return fail(Errc::kInvalidArgument, "jwk: alg does not fit the key");
  }
  if (use == KeyUse::kOther) return fail(Errc::kInvalidArgument, "jwk: use must be sig or enc");
  Jwk jwk;
  jwk.kid_ = std::move(kid);
  jwk.alg_ = alg;
  jwk.use_ = use;
  jwk.use_text_ = std::string(useText(use));
  jwk.key_ = std::move(key);
  GG_TRY(jwk.finish());
  return jwk;
}

Status Jwk::finish() {
  const EVP_PKEY* k = key_.raw();
  std::string canonical;
  switch (key_.type()) {
    case KeyType::kEcP256:
    case KeyType::kEcP384: {
      const std::size_t size = coordSize(key_.type());
      GG_TRY(x_, bnParamB64(k, OSSL_PKEY_PARAM_EC_PUB_X, size));
      GG_TRY(y_, bnParamB64(k, OSSL_PKEY_PARAM_EC_PUB_Y, size));
      canonical = R"({"crv":")" + std::string(crv()) + R"(","kty":"EC","x":")" + x_ + R"(","y":")" +
                  y_ + R"("})";
      break;
    }
    case KeyType::kRsa: {
      GG_TRY(n_, bnParamB64(k, OSSL_PKEY_PARAM_RSA_N, 0));
      GG_TRY(e_, bnParamB64(k, OSSL_PKEY_PARAM_RSA_E, 0));
      canonical = R"({"e":")" + e_ + R"(","kty":"RSA","n":")" + n_ + R"("})";
      break;
    }
    case KeyType::kEd25519: {
      std::array<std::uint8_t, 32> pub{};
      std::size_t len = pub.size();
      if (EVP_PKEY_get_raw_public_key(k, pub.data(), &len) != 1 || len != pub.size()) {
        return opensslFailure("EVP_PKEY_get_raw_public_key");
      }
      x_ = base64urlEncode(pub);
      canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + x_ + R"("})";
      break;
    }
  }
  thumbprint_ = crypto::sha256B64url(asBytes(canonical));
  return ok();
}

std::string_view Jwk::kty() const {
  switch (key_.type()) {
    case KeyType::kEcP256:
    case KeyType::kEcP384:
      return "EC";
    case KeyType::kRsa:
      return "RSA";
    case KeyType::kEd25519:
      return "OKP";
  }
  return {};
}

std::string_view Jwk::crv() const {
  switch (key_.type()) {
    case KeyType::kEcP256:
      return "P-256";
    case KeyType::kEcP384:
      return "P-384";
    case KeyType::kRsa:
      return {};
    case KeyType::kEd25519:
      return "Ed25519";
  }
  return {};
}

bool Jwk::canVerify(Alg alg) const {
  if (!algFitsKey(alg, key_.type())) return false;
  if (alg_ && *alg_ != alg) return false;
  if (use_ != KeyUse::kUnspecified && use_ != KeyUse::kSignature) return false;
  if (key_ops_ && std::find(key_ops_->begin(), key_ops_->end(), "verify") == key_ops_->end()) {
    return false;
  }
  return true;
}

bool Jwk::canSign(Alg alg) const {
  if (!hasPrivate() || !algCanSign(alg) || !algFitsKey(alg, key_.type())) return false;
  if (alg_ && *alg_ != alg) return false;
  if (use_ != KeyUse::kUnspecified && use_ != KeyUse::kSignature) return false;
  if (key_ops_ && std::find(key_ops_->begin(), key_ops_->end(), "sign") == key_ops_->end()) {
    return false;
  }
  return true;
}

Json Jwk::toPublicJson() const {
  Json out = Json::object();
  out["kty"] = std::string(kty());
  if (!kid_.empty()) out["kid"] = kid_;
  if (!use_text_.empty()) out["use"] = use_text_;
  if (alg_) out["alg"] = std::string(algName(*alg_));
  if (key_ops_) {
    // Operations of the private half make no sense on a published public key.
    Json ops = Json::array();
    for (const std::string& op : *key_ops_) {
      if (op != "sign" && op != "decrypt" && op != "unwrapKey" && op != "deriveKey" &&
          op != "deriveBits") {
        ops.push_back(op);
      }
    }
    out["key_ops"] = std::move(ops);
  }
  switch (key_.type()) {
    case KeyType::kEcP256:
    case KeyType::kEcP384:
      out["crv"] = std::string(crv());
      out["x"] = x_;
      out["y"] = y_;
      break;
    case KeyType::kRsa:
      out["n"] = n_;
      out["e"] = e_;
      break;
    case KeyType::kEd25519:
      out["crv"] = "Ed25519";
      out["x"] = x_;
      break;
  }
  if (!x5c_.empty()) out["x5c"] = x5c_;
  return out;
}

Result<Json> Jwk::toPrivateJson() const {
  if (!hasPrivate()) return fail(Errc::kInvalidArgument, "jwk: no private key");
  Json out = toPublicJson();
  if (key_ops_) out["key_ops"] = *key_ops_;
  const EVP_PKEY* k = key_.raw();
  switch (key_.type()) {
    case KeyType::kEcP256:
    case KeyType::kEcP384: {
      GG_TRY(out["d"], bnParamB64(k, OSSL_PKEY_PARAM_PRIV_KEY, coordSize(key_.type())));
      break;
    }
    case KeyType::kRsa: {
      static constexpr std::array<const char*, 6> kParams = {
          OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
          OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
          OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
      for (std::size_t i = 0; i < kParams.size(); ++i) {
        GG_TRY(out[std::string(kRsaPrivateMembers[i])], bnParamB64(k, kParams[i], 0));
      }
      break;
    }
    case KeyType::kEd25519: {
      SecretBytes d(Bytes(32));
      std::size_t len = d.data.size();
      if (EVP_PKEY_get_raw_private_key(k, d.data.data(), &len) != 1 || len != 32) {
        return opensslFailure("EVP_PKEY_get_raw_private_key");
      }
      out["d"] = base64urlEncode(d.data);
      break;
    }
  }
  return out;
}

Result<Jwk> Jwk::publicOnly() const {
  if (!hasPrivate()) return *this;
  Jwk copy = *this;
  GG_TRY(copy.key_, key_.publicOnly());
  return copy;
}

}  // namespace gridgate::jose
