// What a successful check knows about the token: handed to the protected handler.
//
//   router->get("/datasources", validator.protect(route, [](const net::Request& req,
//                                                           const validator::TokenInfo& token) {
//     log::info("request by {} for {}", token.clientId(), token.subject());
//     const Json& claims = token.claims();      // JWT claims or the introspection response
//     if (token.hasScope(kLicence)) ...
//   }));
//
// A TokenInfo shares one immutable TokenRecord with the cache (copying it is one atomic
// increment). The raw token is never kept: only its SHA-256 (tokenHash()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "crypto/digest.h"

namespace gridgate::validator {

using TokenHash = crypto::Sha256;

// Hash-table hasher for TokenHash: SHA-256 output is already uniform, so 8 of its bytes suffice.
struct TokenHashHash {
  std::size_t operator()(const TokenHash& k) const noexcept {
    std::size_t h;
    std::memcpy(&h, k.data(), sizeof h);
    return h;
  }
};

// SHA-256 of the token text, with a digest implementation fetched once (the cached path hashes
// every request's token).
TokenHash hashToken(std::string_view token);

enum class TokenSource : std::uint8_t {
  kJwt,            // a verified RFC 9068 JWT: claims() are its claims
  kIntrospection,  // an RFC 7662 answer with active=true: claims() is that answer
  kUserinfo,       // the issuer's userinfo answer for an opaque token (FLAAT fallback)
};
std::string_view tokenSourceName(TokenSource source);

struct TokenRecord {
  TokenSource source = TokenSource::kJwt;
  std::size_t issuer_index = 0;  // in ValidatorConfig::issuers
  std::string issuer;
  std::vector<std::string> scopes;     // from `scope` (space-separated) and/or `scp` (array)
  std::vector<std::string> audiences;  // `aud` as a list
  std::string subject;
  std::string client_id;
  std::string jti;
  std::string grant_id;  // gridgate's AS puts the grant id in its tokens as `grant_id`
  std::string cnf_x5t;   // cnf.x5t#S256, empty when absent
  bool cnf_jkt = false;  // cnf.jkt present: a DPoP-bound token (never accepted as Bearer)
  std::optional<std::int64_t> exp, nbf, iat;
  TokenHash token_hash{};
  // The issuer's key generation when a JWT was verified: a cached verification is dropped when a
  // key it may have used leaves the issuer's JWKS.
  std::uint64_t key_generation = 0;

  bool hasScope(std::string_view scope) const;

  // Every claim as JSON. For a JWT record this is parsed from the payload on first use (and kept):
  // most checks read only the fields above, and building the JSON tree is the largest cost of an
  // uncached JWT check after the signature. Thread-safe.
  const Json& claims() const;
  void setClaims(Json claims);
  void setClaimsText(std::string json_object_text);

 private:
  struct LazyClaims {
    std::once_flag once;
    Json json = Json::object();
    std::string text;
  };
  std::shared_ptr<LazyClaims> claims_ = std::make_shared<LazyClaims>();
};

// Limits for JWT claims (jose::JwtClaims::kDefaultLimits).
inline constexpr JsonLimits kClaimsLimits{
    .max_bytes = 16 * 1024, .max_depth = 16, .allow_duplicate_keys = false};

// Fills a record's fields from a JSON object (introspection or userinfo answer). kMalformed when
// a known member has the wrong type (scope not a string, scp not an array of strings, exp not a
// number, cnf not an object...). `claims` is moved into the record.
[[nodiscard]] Result<TokenRecord> recordFromClaims(Json claims, TokenSource source);

// The same record from a JWT payload (JSON text) in one streaming pass, without building the JSON
// tree (claims() builds it if asked). The same rules as recordFromClaims, plus those of
// parseJsonObject with kClaimsLimits: strict JSON, an object at the top, no duplicate member
// names at any level, bounded size and depth.
[[nodiscard]] Result<TokenRecord> recordFromPayload(std::string_view payload, TokenSource source);

class TokenInfo {
 public:
  TokenInfo() = default;
  explicit TokenInfo(std::shared_ptr<const TokenRecord> record) : record_(std::move(record)) {}

  bool valid() const { return record_ != nullptr; }
  TokenSource source() const { return record_->source; }
  const std::string& issuer() const { return record_->issuer; }
  const Json& claims() const { return record_->claims(); }
  const std::string& subject() const { return record_->subject; }
  const std::string& clientId() const { return record_->client_id; }
  const std::string& jti() const { return record_->jti; }
  const std::string& grantId() const { return record_->grant_id; }
  const std::vector<std::string>& scopes() const { return record_->scopes; }
  const std::vector<std::string>& audiences() const { return record_->audiences; }
  bool hasScope(std::string_view scope) const { return record_->hasScope(scope); }
  // cnf.x5t#S256 the token is bound to (empty if unbound).
  const std::string& certThumbprint() const { return record_->cnf_x5t; }
  std::optional<std::int64_t> expiresAt() const { return record_->exp; }
  std::optional<std::int64_t> issuedAt() const { return record_->iat; }
  const TokenHash& tokenHash() const { return record_->token_hash; }
  const TokenRecord& record() const { return *record_; }
  const std::shared_ptr<const TokenRecord>& shared() const { return record_; }

 private:
  std::shared_ptr<const TokenRecord> record_;
};

}  // namespace gridgate::validator
