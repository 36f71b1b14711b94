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

const Json& TokenRecord::claims() const {
  std::call_once(claims_->once, [this] {
    if (claims_->text.empty()) return;
    // The text passed recordFromPayload's checks (same limits), so this cannot fail.
    if (auto doc = parseJsonObject(claims_->text, kClaimsLimits)) claims_->json = std::move(*doc);
    claims_->text.clear();
    claims_->text.shrink_to_fit();
  });
  return claims_->json;
}

void TokenRecord::setClaims(Json claims) {
  claims_ = std::make_shared<LazyClaims>();
  claims_->json = std::move(claims);
}

void TokenRecord::setClaimsText(std::string json_object_text) {
  claims_ = std::make_shared<LazyClaims>();
  claims_->text = std::move(json_object_text);
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
    r.cnf_jkt = jsonMember(*cnf, "jkt") != nullptr;
  }
  r.setClaims(std::move(claims));
  return r;
}

namespace {

// recordFromPayload's streaming reader: nlohmann's SAX events, the fields of TokenRecord taken
// as they pass, with recordFromClaims's type rules and parseJsonObject's structural ones.
class PayloadReader {
 public:
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit PayloadReader(TokenRecord& r) : r_(r) {}

  bool null() { return value(Kind::kNull, nullptr, 0); }
  bool boolean(bool) { return value(Kind::kOther, nullptr, 0); }
  bool number_integer(number_integer_t v) {
    return value(Kind::kNumber, nullptr, static_cast<double>(v), v);
  }
  bool number_unsigned(number_unsigned_t v) {
    if (v > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return value(Kind::kBadNumber, nullptr, 0);
    }
    return value(Kind::kNumber, nullptr, static_cast<double>(v), static_cast<std::int64_t>(v));
  }
  bool number_float(number_float_t v, const string_t&) {
    return value(std::isfinite(v) && std::fabs(v) <= 1e15 ? Kind::kFloat : Kind::kBadNumber,
                 nullptr, v);
  }
  bool string(string_t& v) { return value(Kind::kString, &v, 0); }
  bool binary(binary_t&) { return fault("binary value"); }

  bool start_object(std::size_t) {
    if (frames_.empty()) {
      frames_.push_back(Frame{true, {}, {}});  // the claims object itself
      return true;
    }
    if (!container(true)) return false;
    frames_.push_back(Frame{true, {}, {}});
    return depthOk();
  }
  bool start_array(std::size_t) {
    if (frames_.empty()) return fault("claims are not a JSON object");
    if (!container(false)) return false;
    frames_.push_back(Frame{false, {}, {}});
    return depthOk();
  }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool key(string_t& k) {
    Frame& f = frames_.back();
    if (std::find(f.seen.begin(), f.seen.end(), k) != f.seen.end()) {
      return fault("duplicate member " + k);
    }
    f.seen.push_back(k);
    f.key = k;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    return fault("invalid JSON");
  }

  const std::string& error() const { return error_; }

 private:
  enum class Kind { kNull, kString, kNumber, kFloat, kBadNumber, kOther };
  struct Frame {
    bool object;
    std::vector<std::string> seen;  // member names (objects are small: a scan beats a set)
    std::string key;                // the current member (objects)
  };

  bool fault(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool depthOk() {
    if (static_cast<int>(frames_.size()) > kClaimsLimits.max_depth)
      return fault("nesting too deep");
    return true;
  }
  bool isStringClaim(const std::string& k) const {
    return k == "iss" || k == "sub" || k == "client_id" || k == "jti" || k == "grant_id" ||
           k == "scope";
  }
  bool isDateClaim(const std::string& k) const { return k == "exp" || k == "nbf" || k == "iat"; }

  // A container opening at the current position: allowed where the claim may be one.
  bool container(bool object) {
    if (frames_.size() == 2 && frames_[1].object && frames_[0].key == "cnf" &&
        frames_[1].key == "x5t#S256") {
      return fault("cnf.x5t#S256 is not a string");
    }
    if (frames_.size() == 2 && frames_[1].object && frames_[0].key == "cnf" &&
        frames_[1].key == "jkt") {
      r_.cnf_jkt = true;  // present, whatever its type
    }
    if (frames_.size() != 1) return true;  // deeper: nothing read from it
    const std::string& k = frames_[0].key;
    if (isStringClaim(k) || isDateClaim(k)) return fault(k + " has the wrong type");
    if ((k == "aud" || k == "scp") && object) return fault(k + " has the wrong type");
    if (k == "cnf" && !object) return fault("cnf is not an object");
    return true;
  }

  bool value(Kind kind, string_t* str, double num, std::int64_t integer = 0) {
    if (frames_.empty()) return fault("claims are not a JSON object");
    const std::size_t depth = frames_.size();
    const Frame& top = frames_.back();
    if (depth == 1) {
      const std::string& k = top.key;
      if (kind == Kind::kNull) return true;  // an absent claim, as in recordFromClaims
      if (isStringClaim(k)) {
        if (kind != Kind::kString) return fault(k + " is not a string");
        if (k == "scope") return words(*str);
        stringField(k) = std::move(*str);
        return true;
      }
      if (isDateClaim(k)) {
        if (kind != Kind::kNumber && kind != Kind::kFloat)
          return fault(k + " is not a NumericDate");
        // As jose::JwtClaims: a fractional exp is rounded down, nbf and iat up.
        const bool up = k != "exp";
        const std::int64_t v =
            kind == Kind::kNumber
                ? integer
                : static_cast<std::int64_t>(up ? std::ceil(num) : std::floor(num));
        (k == "exp" ? r_.exp : k == "nbf" ? r_.nbf : r_.iat) = v;
        return true;
      }
      if (k == "scp") {
        if (kind != Kind::kString) return fault("scp is neither an array nor a string");
        return words(*str);
      }
      if (k == "aud") {
        if (kind != Kind::kString) return fault("aud is neither a string nor an array");
        r_.audiences.push_back(std::move(*str));
        return true;
      }
      if (k == "cnf") return fault("cnf is not an object");
      return true;
    }
    if (depth == 2 && !top.object) {
      const std::string& k = frames_[0].key;
      if (k == "scp" || k == "aud") {
        if (kind != Kind::kString) return fault(k + " holds a non-string");
        if (k == "scp") return words(*str);
        r_.audiences.push_back(std::move(*str));
      }
      return true;
    }
    if (depth == 2 && top.object && frames_[0].key == "cnf") {
      if (top.key == "jkt") r_.cnf_jkt = true;
      if (top.key == "x5t#S256" && kind != Kind::kNull) {
        if (kind != Kind::kString) return fault("cnf.x5t#S256 is not a string");
        r_.cnf_x5t = std::move(*str);
      }
    }
    return true;
  }

  std::string& stringField(const std::string& k) {
    if (k == "iss") return r_.issuer;
    if (k == "sub") return r_.subject;
    if (k == "client_id") return r_.client_id;
    if (k == "jti") return r_.jti;
    return r_.grant_id;
  }
  bool words(const std::string& text) {
    (void)addScopeWords(text, r_.scopes);
    return true;
  }

  TokenRecord& r_;
  std::vector<Frame> frames_;
  std::string error_;
};

}  // namespace

Result<TokenRecord> recordFromPayload(std::string_view payload, TokenSource source) {
  if (payload.size() > kClaimsLimits.max_bytes)
    return fail(Errc::kLimitExceeded, "claims too large");
  TokenRecord r;
  r.source = source;
  PayloadReader reader(r);
  const bool ok = Json::sax_parse(payload.begin(), payload.end(), &reader,
                                  nlohmann::detail::input_format_t::json, /*strict=*/true);
  if (!ok) {
    return fail(Errc::kMalformed,
                "claims: " + (reader.error().empty() ? std::string("invalid") : reader.error()));
  }
  r.setClaimsText(std::string(payload));
  return r;
}

}  // namespace gridgate::validator
