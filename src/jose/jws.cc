#include "jose/jws.h"

#include <algorithm>
#include <array>

#include "core/base64.h"
#include "crypto/prepared_signer.h"
#include "jose/internal/prepared_key.h"

namespace gridgate::jose {
namespace {

// Header parameters registered by RFC 7515/7519/9449 whose meaning gridgate already knows: they
// may never be listed in crit (RFC 7515 section 4.1.11).
constexpr std::array<std::string_view, 11> kRegisteredHeaders = {
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"};

Status checkHeaderPolicy(const Json& header, std::span<const std::string> understood,
                         bool allow_jwk) {
  // The key is always the verifier's choice: a header that brings or points to one is refused
  // rather than ignored, so that no later code is tempted to follow it.
  for (const std::string_view name : {"jku", "x5u", "x5c"}) {
    if (jsonMember(header, name) != nullptr) {
      return fail(Errc::kUnsupported, "jws: header \"" + std::string(name) + "\" is not accepted");
    }
  }
  if (!allow_jwk && jsonMember(header, "jwk") != nullptr) {
    return fail(Errc::kUnsupported, "jws: header \"jwk\" is not accepted");
  }
  if (const Json* b64 = jsonMember(header, "b64"); b64 != nullptr && *b64 != Json(true)) {
    return fail(Errc::kUnsupported, "jws: unencoded payload (b64) is not supported");
  }
  const Json* crit = jsonMember(header, "crit");
  if (crit == nullptr) return ok();
  if (!crit->is_array() || crit->empty()) {
    return fail(Errc::kMalformed, "jws: crit is not a non-empty array");
  }
  for (std::size_t i = 0; i < crit->size(); ++i) {
    const Json& name = (*crit)[i];
    if (!name.is_string()) return fail(Errc::kMalformed, "jws: crit entry is not a string");
    const auto& s = name.get_ref<const std::string&>();
    for (std::size_t j = 0; j < i; ++j) {
      if ((*crit)[j] == name) return fail(Errc::kMalformed, "jws: duplicate crit entry");
    }
    if (std::find(kRegisteredHeaders.begin(), kRegisteredHeaders.end(), s) !=
        kRegisteredHeaders.end()) {
      return fail(Errc::kMalformed, "jws: crit lists a registered header parameter");
    }
    if (std::find(understood.begin(), understood.end(), s) == understood.end()) {
      return fail(Errc::kUnsupported, "jws: critical extension not understood: " + s.substr(0, 64));
    }
    if (jsonMember(header, s) == nullptr) {
      return fail(Errc::kMalformed, "jws: crit names an absent header parameter");
    }
  }
  return ok();
}

Result<Bytes> decodeSegment(std::string_view text, const char* what) {
  auto bytes = base64urlDecode(text);
  if (!bytes) return fail(Errc::kMalformed, std::string("jws: ") + what + " is not base64url");
  return std::move(*bytes);
}

}  // namespace

Result<Jws> Jws::parse(std::string_view compact, const JwsLimits& limits) {
  if (compact.size() > limits.max_bytes) return fail(Errc::kLimitExceeded, "jws: token too large");
  const std::size_t dot1 = compact.find('.');
  if (dot1 == std::string_view::npos) return fail(Errc::kMalformed, "jws: not three segments");
  const std::size_t dot2 = compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return fail(Errc::kMalformed, "jws: not three segments");
  if (compact.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(Errc::kMalformed, "jws: more than three segments");
  }
  const std::string_view header_b64 = compact.substr(0, dot1);
  const std::string_view payload_b64 = compact.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = compact.substr(dot2 + 1);
  if (header_b64.empty()) return fail(Errc::kMalformed, "jws: empty header");
  if (signature_b64.empty()) return fail(Errc::kMalformed, "jws: empty signature (unsecured)");

  Jws jws;
  GG_TRY(const Bytes header_bytes, decodeSegment(header_b64, "header"));
  GG_TRY(jws.header_,
         parseJsonObject(asChars(header_bytes), JsonLimits{.max_bytes = limits.max_bytes,
                                                           .max_depth = limits.max_header_depth,
                                                           .allow_duplicate_keys = false}));
  const Json* alg = jsonMember(jws.header_, "alg");
  if (alg == nullptr || !alg->is_string()) {
    return fail(Errc::kMalformed, "jws: header alg missing or not a string");
  }
  GG_TRY(jws.alg_, parseAlg(alg->get_ref<const std::string&>()));
  for (const std::string_view name : {"kid", "typ", "cty"}) {
    const Json* m = jsonMember(jws.header_, name);
    if (m != nullptr && !m->is_string()) {
      return fail(Errc::kMalformed, "jws: header \"" + std::string(name) + "\" is not a string");
    }
  }
  GG_TRY(jws.payload_, decodeSegment(payload_b64, "payload"));
  GG_TRY(jws.signature_, decodeSegment(signature_b64, "signature"));
  jws.compact_ = std::string(compact);
  jws.dot2_ = dot2;
  return jws;
}

std::optional<std::string_view> Jws::kid() const {
  const std::string* kid = jsonString(header_, "kid");
  if (kid == nullptr) return std::nullopt;
  return std::string_view(*kid);
}

std::string_view Jws::typ() const {
  const std::string* typ = jsonString(header_, "typ");
  return typ == nullptr ? std::string_view() : std::string_view(*typ);
}

Verifier::Builder& Verifier::Builder::allow(Alg alg, const Jwk& key) {
  if (error_) return *this;
  if (!key.canVerify(alg)) {
    error_ = Error{Errc::kInvalidArgument,
                   "verifier: key " + key.kid() + " may not verify " + std::string(algName(alg))};
    return *this;
  }
  auto pub = key.publicOnly();
  if (!pub) {
    error_ = std::move(pub.error());
    return *this;
  }
  entries_.emplace_back(alg, std::move(*pub));
  return *this;
}

Verifier::Builder& Verifier::Builder::allow(Alg alg, const crypto::PKey& key, std::string kid) {
  if (error_) return *this;
  auto jwk = Jwk::fromKey(key, std::move(kid), std::nullopt, KeyUse::kUnspecified);
  if (!jwk) {
    error_ = std::move(jwk.error());
    return *this;
  }
  return allow(alg, *jwk);
}

Verifier::Builder& Verifier::Builder::understandCrit(std::string name) {
  crit_.push_back(std::move(name));
  return *this;
}

Verifier::Builder& Verifier::Builder::requireKid(bool require) {
  require_kid_ = require;
  return *this;
}

Result<Verifier> Verifier::Builder::build() {
  if (error_) return fail(*error_);
  if (entries_.empty()) return fail(Errc::kInvalidArgument, "verifier: no (alg, key) pair");
  Verifier v;
  for (auto& [alg, key] : entries_) {
    GG_TRY(internal::PreparedKey prepared, internal::PreparedKey::create(key.key(), alg));
    v.entries_.push_back(Entry{alg, std::move(key),
                               std::make_shared<const internal::PreparedKey>(std::move(prepared))});
  }
  v.crit_ = std::move(crit_);
  v.require_kid_ = require_kid_;
  entries_.clear();
  return v;
}

Result<Verifier> Verifier::fromJwks(const Jwks& jwks, std::span<const Alg> allowed) {
  Builder builder;
  bool any = false;
  for (const Jwk& key : jwks.keys()) {
    for (const Alg alg : allowed) {
      if (key.canVerify(alg)) {
        builder.allow(alg, key);
        any = true;
      }
    }
  }
  if (!any) return fail(Errc::kKeyNotFound, "verifier: no key of the set fits the allowed algs");
  return builder.build();
}

Status Verifier::verify(const Jws& jws) const {
  GG_TRY(const Jwk* key, verifyReturningKey(jws));
  (void)key;
  return ok();
}

Result<const Jwk*> Verifier::verifyReturningKey(const Jws& jws) const {
  GG_TRY(checkHeaderPolicy(jws.header(), crit_, /*allow_jwk=*/false));
  const std::optional<std::string_view> kid = jws.kid();
  if (!kid && require_kid_) return fail(Errc::kKeyNotFound, "jws: header has no kid");
  bool alg_pinned = false;
  bool candidate = false;
  std::optional<Error> unexpected;
  for (const Entry& entry : entries_) {
    if (entry.alg != jws.alg()) continue;
    alg_pinned = true;
    if (kid && entry.key.kid() != *kid) continue;
    candidate = true;
    auto st = entry.prepared->verify(jws.signingInput(), jws.signature());
    if (st) return &entry.key;
    if (st.error().code != Errc::kBadSignature && !unexpected) unexpected = std::move(st.error());
  }
  if (!alg_pinned) {
    return fail(Errc::kUnsupported,
                "jws: alg " + std::string(algName(jws.alg())) + " is not allowed here");
  }
  if (!candidate) return fail(Errc::kKeyNotFound, "jws: no key with that kid for this alg");
  if (unexpected) return fail(std::move(*unexpected));
  return fail(Errc::kBadSignature, "jws: signature does not verify");
}

std::vector<Alg> Verifier::algs() const {
  std::vector<Alg> out;
  for (const Entry& e : entries_) {
    if (std::find(out.begin(), out.end(), e.alg) == out.end()) out.push_back(e.alg);
  }
  return out;
}

Result<Signer> Signer::create(Alg alg, Jwk key) {
  if (!algCanSign(alg)) {
    return fail(Errc::kUnsupported, "signer: " + std::string(algName(alg)) + " is verify-only");
  }
  if (!key.hasPrivate()) return fail(Errc::kInvalidArgument, "signer: no private key");
  if (!key.canSign(alg)) {
    return fail(Errc::kInvalidArgument,
                "signer: key may not sign with " + std::string(algName(alg)));
  }
  GG_TRY(std::shared_ptr<const crypto::PreparedSigner> prepared,
         crypto::PreparedSigner::create(key.key(), algScheme(alg)));
  return Signer(alg, std::move(key), std::move(prepared));
}

Result<Signer> Signer::create(Alg alg, crypto::PKey key, std::string kid) {
  GG_TRY(Jwk jwk, Jwk::fromKey(std::move(key), std::move(kid), alg, KeyUse::kSignature));
  return create(alg, std::move(jwk));
}

Result<std::string> Signer::sign(const Json& header_extra, std::string_view payload) const {
  Json header = Json::object();
  if (!header_extra.is_null()) {
    if (!header_extra.is_object()) return fail(Errc::kInvalidArgument, "signer: header not object");
    for (const std::string_view name : {"alg", "kid", "crit", "b64", "jwk", "jku", "x5u", "x5c"}) {
      if (header_extra.contains(name)) {
        return fail(Errc::kInvalidArgument,
                    "signer: header_extra may not set \"" + std::string(name) + "\"");
      }
    }
    header = header_extra;
  }
  header["alg"] = std::string(algName(alg_));
  if (!key_.kid().empty()) header["kid"] = key_.kid();

  std::string out = base64urlEncode(asBytes(dumpJson(header)));
  out.reserve(out.size() + 2 + (payload.size() + 2) / 3 * 4 + 700);
  out.push_back('.');
  out += base64urlEncode(asBytes(payload));
  GG_TRY(Bytes sig, prepared_->sign(asBytes(out)));
  if (const std::size_t coord = ecdsaCoordSize(alg_); coord != 0) {
    GG_TRY(sig, crypto::ecdsaDerToRaw(sig, coord));
  }
  out.push_back('.');
  out += base64urlEncode(sig);
  return out;
}

Result<Jwk> verifyWithHeaderJwk(const Jws& jws, std::span<const Alg> allowed) {
  GG_TRY(checkHeaderPolicy(jws.header(), {}, /*allow_jwk=*/true));
  if (std::find(allowed.begin(), allowed.end(), jws.alg()) == allowed.end()) {
    return fail(Errc::kUnsupported,
                "jws: alg " + std::string(algName(jws.alg())) + " is not allowed here");
  }
  const Json* member = jsonMember(jws.header(), "jwk");
  if (member == nullptr || !member->is_object()) {
    return fail(Errc::kMalformed, "jws: header jwk missing or not an object");
  }
  GG_TRY(Jwk key, Jwk::parse(*member, JwkParseOptions{.private_members = PrivateMembers::kReject}));
  if (!key.canVerify(jws.alg())) {
    return fail(Errc::kInvalidArgument, "jws: header jwk does not fit the alg");
  }
  GG_TRY(const internal::PreparedKey prepared, internal::PreparedKey::create(key.key(), jws.alg()));
  GG_TRY(prepared.verify(jws.signingInput(), jws.signature()));
  return key;
}

}  // namespace gridgate::jose
