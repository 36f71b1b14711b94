#include "jose/jwt.h"

#include <algorithm>
#include <cmath>

namespace gridgate::jose {
namespace {

// Far beyond any real date (year 33658), and exactly representable as a double.
constexpr double kMaxNumericDate = 1e12;

enum class Round { kDown, kUp };

Result<std::optional<std::int64_t>> numericDate(const Json& obj, std::string_view name, Round r) {
  const Json* m = jsonMember(obj, name);
  if (m == nullptr) return std::optional<std::int64_t>();
  const auto bad = [&] {
    return fail(Errc::kMalformed, "jwt: \"" + std::string(name) + "\" is not a NumericDate");
  };
  if (m->is_number_unsigned()) {
    const auto v = m->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(kMaxNumericDate)) return bad();
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v));
  }
  if (m->is_number_integer()) return bad();  // negative
  if (m->is_number_float()) {
    // RFC 7519 allows fractional seconds; rounding towards "less valid" never widens a window.
    const double v = m->get<double>();
    if (!std::isfinite(v) || v < 0 || v > kMaxNumericDate) return bad();
    return std::optional<std::int64_t>(
        static_cast<std::int64_t>(r == Round::kDown ? std::floor(v) : std::ceil(v)));
  }
  return bad();
}

Status stringClaim(const Json& obj, std::string_view name) {
  const Json* m = jsonMember(obj, name);
  if (m != nullptr && !m->is_string()) {
    return fail(Errc::kMalformed, "jwt: \"" + std::string(name) + "\" is not a string");
  }
  return ok();
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 7515 section 4.1.9: media types compare case-insensitively and "application/" may be
// omitted; so "at+jwt", "AT+JWT" and "application/at+jwt" are one type.
std::string normalTyp(std::string_view typ) {
  std::string out;
  out.reserve(typ.size());
  for (const char c : typ) out.push_back(lower(c));
  if (out.starts_with("application/")) out.erase(0, 12);
  return out;
}

std::string secs(std::int64_t s) { return std::to_string(s) + " s"; }

}  // namespace

Result<JwtClaims> JwtClaims::parse(std::string_view payload, const JsonLimits& limits) {
  JwtClaims c;
  GG_TRY(c.json_, parseJsonObject(payload, limits));
  for (const std::string_view name : {"iss", "sub", "jti", "scope", "client_id"}) {
    GG_TRY(stringClaim(c.json_, name));
  }
  if (const Json* aud = jsonMember(c.json_, "aud")) {
    if (aud->is_string()) {
      c.aud_.push_back(aud->get<std::string>());
    } else if (aud->is_array() && !aud->empty()) {
      c.aud_is_array_ = true;
      for (const Json& a : *aud) {
        if (!a.is_string()) return fail(Errc::kMalformed, "jwt: \"aud\" entry is not a string");
        c.aud_.push_back(a.get<std::string>());
      }
    } else {
      return fail(Errc::kMalformed, "jwt: \"aud\" is not a string or a non-empty array");
    }
  }
  GG_TRY(c.exp_, numericDate(c.json_, "exp", Round::kDown));
  GG_TRY(c.nbf_, numericDate(c.json_, "nbf", Round::kUp));
  GG_TRY(c.iat_, numericDate(c.json_, "iat", Round::kUp));
  if (const Json* cnf = jsonMember(c.json_, "cnf")) {
    if (!cnf->is_object()) return fail(Errc::kMalformed, "jwt: \"cnf\" is not an object");
    GG_TRY(stringClaim(*cnf, "x5t#S256"));
    GG_TRY(stringClaim(*cnf, "jkt"));
  }
  return c;
}

std::string_view JwtClaims::str(std::string_view name) const {
  const std::string* s = jsonString(json_, name);
  return s == nullptr ? std::string_view() : std::string_view(*s);
}

std::string_view JwtClaims::cnfX5tS256() const {
  const Json* cnf = jsonMember(json_, "cnf");
  const std::string* s = cnf == nullptr ? nullptr : jsonString(*cnf, "x5t#S256");
  return s == nullptr ? std::string_view() : std::string_view(*s);
}

std::string_view JwtClaims::cnfJkt() const {
  const Json* cnf = jsonMember(json_, "cnf");
  const std::string* s = cnf == nullptr ? nullptr : jsonString(*cnf, "jkt");
  return s == nullptr ? std::string_view() : std::string_view(*s);
}

bool JwtClaims::hasScope(std::string_view wanted) const {
  if (wanted.empty()) return false;
  std::string_view rest = scope();
  while (!rest.empty()) {
    const std::size_t sp = rest.find(' ');
    if (rest.substr(0, sp) == wanted) return true;
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  return false;
}

ClaimRules ClaimRules::accessToken(std::string issuer, std::string audience) {
  ClaimRules r;
  r.issuers.push_back(std::move(issuer));
  r.audiences.push_back(std::move(audience));
  r.typ = "at+jwt";
  r.require_exp = true;
  r.require_iat = true;
  r.require_jti = true;
  return r;
}

ClaimRules ClaimRules::clientAssertion(std::string client_id, std::string issuer) {
  ClaimRules r;
  r.issuers.push_back(client_id);
  r.subject = std::move(client_id);
  r.audiences.push_back(std::move(issuer));
  r.audience_must_be_string = true;
  r.require_exp = true;
  r.require_jti = true;
  return r;
}

Status validate(const Jws& jws, const JwtClaims& claims, const ClaimRules& rules,
                const Clock& clock) {
  if (rules.leeway < Seconds(0) || rules.leeway > Seconds(60)) {
    return fail(Errc::kInvalidArgument, "jwt rules: leeway must be within 0..60 s");
  }
  if (!rules.typ.empty() && normalTyp(jws.typ()) != normalTyp(rules.typ)) {
    return fail(Errc::kInvalidClaim, "jwt: typ is not " + rules.typ);
  }
  if (!rules.issuers.empty() &&
      std::find(rules.issuers.begin(), rules.issuers.end(), claims.iss()) == rules.issuers.end()) {
    return fail(Errc::kInvalidClaim, "jwt: iss not accepted");
  }
  if (!rules.audiences.empty()) {
    if (rules.audience_must_be_string && claims.audIsArray()) {
      return fail(Errc::kInvalidClaim, "jwt: aud must be a single string");
    }
    const bool match = std::any_of(claims.aud().begin(), claims.aud().end(), [&](const auto& a) {
      return std::find(rules.audiences.begin(), rules.audiences.end(), a) != rules.audiences.end();
    });
    if (!match) return fail(Errc::kInvalidClaim, "jwt: aud does not name this audience");
  }
  if (rules.subject && claims.sub() != *rules.subject) {
    return fail(Errc::kInvalidClaim, "jwt: sub not accepted");
  }

  const std::int64_t now = clock.unixSeconds();
  const std::int64_t leeway = rules.leeway.count();
  // FAPI 2.0: up to 10 s ahead always, beyond 60 s never, in between as the leeway allows.
  const std::int64_t ahead = std::clamp<std::int64_t>(leeway, 10, 60);
  if (!claims.exp()) {
    if (rules.require_exp) return fail(Errc::kInvalidClaim, "jwt: exp missing");
  } else if (now >= *claims.exp() + leeway) {
    return fail(Errc::kExpired, "jwt: exp passed " + secs(now - *claims.exp()) + " ago");
  }
  if (claims.nbf() && *claims.nbf() > now + ahead) {
    return fail(Errc::kNotYetValid, "jwt: nbf is " + secs(*claims.nbf() - now) + " ahead");
  }
  if (!claims.iat()) {
    if (rules.require_iat || rules.max_age) return fail(Errc::kInvalidClaim, "jwt: iat missing");
  } else {
    if (*claims.iat() > now + ahead) {
      return fail(Errc::kNotYetValid, "jwt: iat is " + secs(*claims.iat() - now) + " ahead");
    }
    if (rules.max_age && *claims.iat() + rules.max_age->count() + leeway < now) {
      return fail(Errc::kExpired, "jwt: iat is " + secs(now - *claims.iat()) + " old");
    }
  }
  if (rules.require_jti && claims.jti().empty()) {
    return fail(Errc::kInvalidClaim, "jwt: jti missing");
  }
  return ok();
}

Result<VerifiedJwt> verifyJwt(std::string_view token, const Verifier& verifier,
                              const ClaimRules& rules, const Clock& clock,
                              const JwsLimits& limits) {
  GG_TRY(Jws jws, Jws::parse(token, limits));
  GG_TRY(verifier.verify(jws));
  GG_TRY(JwtClaims claims, JwtClaims::parse(jws.payload()));
  GG_TRY(validate(jws, claims, rules, clock));
  return VerifiedJwt{std::move(jws), std::move(claims)};
}

Result<std::string> signJwt(const Signer& signer, const Json& claims, std::string_view typ) {
  if (!claims.is_object()) return fail(Errc::kInvalidArgument, "jwt: claims are not an object");
  Json header = Json::object();
  if (!typ.empty()) header["typ"] = std::string(typ);
  return signer.sign(header, dumpJson(claims));
}

}  // namespace gridgate::jose
