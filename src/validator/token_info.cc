#include "validator/token_info.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "crypto/ossl.h"

namespace gridgate::validator {

namespace {

using MdPtr = crypto::OsslPtr<EVP_MD, EVP_MD_free>;

// EVP_sha256() makes every EVP_Digest() call look the implementation up again (OpenSSL 3
// implicit fetch); fetching it once saves about a third of the cost of hashing a token.
const EVP_MD* sha256Md() {
  static const MdPtr md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md.get();
}

std::optional<std::int64_t> numericDate(const Json& value, bool round_up, bool& ok) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned()) {
      const auto u = value.get<std::uint64_t>();
      if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        ok = false;
        return std::nullopt;
      }
      return static_cast<std::int64_t>(u);
    }
    return value.get<std::int64_t>();
  }
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > 1e15) {
      ok = false;
      return std::nullopt;
    }
    return static_cast<std::int64_t>(round_up ? std::ceil(d) : std::floor(d));
  }
  ok = false;
  return std::nullopt;
}

Status addScopeWords(std::string_view text, std::vector<std::string>& out) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      std::string word(text.substr(start, end - start));
      if (std::find(out.begin(), out.end(), word) == out.end()) out.push_back(std::move(word));
    }
    start = end + 1;
  }
  return ok();
}

Status stringMember(const Json& claims, std::string_view name, std::string& out) {
  const Json* v = jsonMember(claims, name);
  if (v == nullptr || v->is_null()) return ok();
  if (!v->is_string()) return fail(Errc::kMalformed, std::string(name) + " is not a string");
  out = v->get<std::string>();
  return ok();
}

}  // namespace

TokenHash hashToken(std::string_view token) {
  TokenHash out{};
  unsigned int len = 0;
  const EVP_MD* md = sha256Md();
  if (md == nullptr || EVP_Digest(token.data(), token.size(), out.data(), &len, md, nullptr) != 1) {
    // Only when the default provider is unusable; crypto::sha256 reports it the same way.
    ERR_clear_error();
    return crypto::sha256(token);
  }
  return out;
}

std::string_view tokenSourceName(TokenSource source) {
  switch (source) {
    case TokenSource::kJwt:
      return "jwt";
    case TokenSource::kIntrospection:
      return "introspection";
    case TokenSource::kUserinfo:
      return "userinfo";
  }
  return "unknown";
}

bool TokenRecord::hasScope(std::string_view scope) const {
  for (const std::string& s : scopes) {
    if (s == scope) return true;
  }
  return false;
}

Result<TokenRecord> recordFromClaims(Json claims, TokenSource source) {
  if (!claims.is_object()) return fail(Errc::kMalformed, "claims are not a JSON object");
  TokenRecord r;
  r.source = source;

  if (const Json* scope = jsonMember(claims, "scope"); scope != nullptr && !scope->is_null()) {
    if (!scope->is_string()) return fail(Errc::kMalformed, "scope is not a string");
    GG_TRY(addScopeWords(scope->get_ref<const std::string&>(), r.scopes));
  }
  if (const Json* scp = jsonMember(claims, "scp"); scp != nullptr && !scp->is_null()) {
    if (scp->is_string()) {
      GG_TRY(addScopeWords(scp->get_ref<const std::string&>(), r.scopes));
    } else if (scp->is_array()) {
      for (const Json& s : *scp) {
        if (!s.is_string()) return fail(Errc::kMalformed, "scp holds a non-string");
        GG_TRY(addScopeWords(s.get_ref<const std::string&>(), r.scopes));
      }
    } else {
      return fail(Errc::kMalformed, "scp is neither an array nor a string");
    }
  }
  if (const Json* aud = jsonMember(claims, "aud"); aud != nullptr && !aud->is_null()) {
    if (aud->is_string()) {
      r.audiences.push_back(aud->get<std::string>());
    } else if (aud->is_array()) {
      for (const Json& a : *aud) {
        if (!a.is_string()) return fail(Errc::kMalformed, "aud holds a non-string");
        r.audiences.push_back(a.get<std::string>());
      }
    } else {
      return fail(Errc::kMalformed, "aud is neither a string nor an array");
    }
  }
  GG_TRY(stringMember(claims, "iss", r.issuer));
  GG_TRY(stringMember(claims, "sub", r.subject));
  GG_TRY(stringMember(claims, "client_id", r.client_id));
  GG_TRY(stringMember(claims, "jti", r.jti));
  GG_TRY(stringMember(claims, "grant_id", r.grant_id));

  struct DateClaim {
    const char* name;
    bool round_up;
    std::optional<std::int64_t>* out;
  };
  // As jose::JwtClaims: a fractional exp is rounded down, nbf and iat up (the strict side).
  for (const DateClaim& d : {DateClaim{"exp", false, &r.exp}, DateClaim{"nbf", true, &r.nbf},
                             DateClaim{"iat", true, &r.iat}}) {
    const Json* v = jsonMember(claims, d.name);
    if (v == nullptr || v->is_null()) continue;
    bool good = true;
    *d.out = numericDate(*v, d.round_up, good);
    if (!good) return fail(Errc::kMalformed, std::string(d.name) + " is not a NumericDate");
  }

  if (const Json* cnf = jsonMember(claims, "cnf"); cnf != nullptr && !cnf->is_null()) {
    if (!cnf->is_object()) return fail(Errc::kMalformed, "cnf is not an object");
    if (const Json* x5t = jsonMember(*cnf, "x5t#S256"); x5t != nullptr && !x5t->is_null()) {
      if (!x5t->is_string()) return fail(Errc::kMalformed, "cnf.x5t#S256 is not a string");
      r.cnf_x5t = x5t->get<std::string>();
    }
  }
  r.claims = std::move(claims);
  return r;
}

}  // namespace gridgate::validator
