#include "jose/jwks.h"

#include <algorithm>
#include <array>

namespace gridgate::jose {
namespace {

// Private members of every asymmetric key type (EC/OKP "d", RSA d, CRT values and multi-prime
// "oth"): a set that publishes one is refused whole. (A symmetric "oct" key is merely skipped:
// gridgate never accepts HMAC, so its published secret opens nothing here.)
constexpr std::array<std::string_view, 7> kPrivateMembers = {"d",  "p",  "q",  "dp",
                                                             "dq", "qi", "oth"};

}  // namespace

Result<Jwks> Jwks::parse(std::string_view json, const JwksLimits& limits) {
  GG_TRY(const Json doc, parseJsonObject(json, JsonLimits{.max_bytes = limits.max_bytes,
                                                          .max_depth = 8,
                                                          .allow_duplicate_keys = false}));
  const Json* keys = jsonMember(doc, "keys");
  if (keys == nullptr || !keys->is_array()) {
    return fail(Errc::kMalformed, "jwks: \"keys\" is missing or not an array");
  }
  if (keys->size() > limits.max_keys) {
    return fail(Errc::kLimitExceeded,
                "jwks: more than " + std::to_string(limits.max_keys) + " keys");
  }
  Jwks set;
  set.keys_.reserve(keys->size());
  for (std::size_t i = 0; i < keys->size(); ++i) {
    const Json& entry = (*keys)[i];
    if (!entry.is_object()) return fail(Errc::kMalformed, "jwks: a key is not a JSON object");
    for (const std::string_view member : kPrivateMembers) {
      if (jsonMember(entry, member) != nullptr) {
        return fail(Errc::kInvalidArgument,
                    "jwks: key " + std::to_string(i) + " carries private or secret key material");
      }
    }
    auto jwk = Jwk::parse(entry, JwkParseOptions{.private_members = PrivateMembers::kReject});
    if (jwk) {
      set.keys_.push_back(std::move(*jwk));
      continue;
    }
    const std::string* kid = jsonString(entry, "kid");
    set.skipped_.push_back(SkippedKey{.index = i,
                                      .kid = kid != nullptr ? kid->substr(0, 128) : std::string(),
                                      .error = std::move(jwk.error())});
  }
  return set;
}

Result<Jwks> Jwks::fromKeys(std::vector<Jwk> keys) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].kid().empty()) return fail(Errc::kInvalidArgument, "jwks: a key has no kid");
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[j].kid() == keys[i].kid()) {
        return fail(Errc::kInvalidArgument, "jwks: duplicate kid " + keys[i].kid());
      }
    }
  }
  Jwks set;
  set.keys_ = std::move(keys);
  return set;
}

std::vector<const Jwk*> Jwks::select(Alg alg, std::optional<std::string_view> kid,
                                     std::span<const Alg> allowed) const {
  std::vector<const Jwk*> out;
  if (std::find(allowed.begin(), allowed.end(), alg) == allowed.end()) return out;
  for (const Jwk& key : keys_) {
    if (kid && key.kid() != *kid) continue;
    if (key.canVerify(alg)) out.push_back(&key);
  }
  return out;
}

const Jwk* Jwks::findKid(std::string_view kid) const {
  for (const Jwk& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

Json Jwks::toPublicJson() const {
  Json list = Json::array();
  for (const Jwk& key : keys_) list.push_back(key.toPublicJson());
  return Json{{"keys", std::move(list)}};
}

}  // namespace gridgate::jose
