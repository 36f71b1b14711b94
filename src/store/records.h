// What the authorization server keeps: plain records, one per stored object.
//
// Secrets never appear here raw: every token, code, request URI and session id is stored as its
// SHA-256 hex (`crypto::sha256Hex`), and looked up by that hash. Times are Unix seconds (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gridgate::store {

// A pushed authorization request (RFC 9126), keyed by the hash of its request_uri.
struct ParRecord {
  std::string client_id;
  std::string redirect_uri;
  std::string scope;  // space-separated, as pushed
  std::string state;  // the client's own, kept verbatim (FAPI-CHECKLIST 36)
  std::string nonce;
  std::string code_challenge;         // S256 only
  std::string authorization_details;  // JSON text, empty when absent
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  bool consumed = false;  // set once the authorization completed (FAPI-CHECKLIST 34)

  bool operator==(const ParRecord&) const = default;
};

// An authorization code, keyed by its hash. Bound to client, redirect URI and PKCE challenge.
struct CodeRecord {
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string scope;
  std::string nonce;
  std::string subject;   // the user's `sub`
  std::string grant_id;  // the grant (permission) this code completes
  std::int64_t auth_time = 0;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;

  bool operator==(const CodeRecord&) const = default;
};

// The outcome of redeeming a code: the record, and whether this was its first redemption. A second
// redemption returns first_use = false so that the caller can revoke what the first one issued.
struct CodeRedemption {
  CodeRecord record;
  bool first_use = false;

  bool operator==(const CodeRedemption&) const = default;
};

// A grant: the user's consent to one client for a licence; the Perseus permission record.
struct Grant {
  std::string id;           // opaque, >= 128 bits
  std::string evidence_id;  // public, unguessable (>= 128 bits): GET /evidence/{id}
  std::string client_id;
  std::string subject;                // `sub` of the user (the permission's `account`)
  std::string scope;                  // granted scope (licence URLs, offline_access, openid)
  std::string authorization_details;  // JSON text, empty when absent
  std::int64_t granted_at = 0;        // `lastGranted`
  std::int64_t expires_at = 0;        // `expires` (12 months by default)
  std::int64_t data_available_from = 0;
  std::int64_t token_issued_at = 0;   // of the latest access token (`tokenIssuedAt`)
  std::int64_t token_expires_at = 0;  // `tokenExpires`
  std::optional<std::int64_t> revoked_at;

  bool operator==(const Grant&) const = default;
};

// A refresh token, keyed by its hash. Bound to the client and the certificate it authenticated
// with.
struct RefreshRecord {
  std::string grant_id;
  std::string client_id;
  std::string cert_thumbprint;  // x5t#S256 of the certificate at issue (empty for private_key_jwt)
  std::string scope;
  std::int64_t created_at = 0;
  std::int64_t expires_at = 0;
  // When rotation is on: the moment this token was replaced; it stays usable for the grace period.
  std::optional<std::int64_t> rotated_at;

  bool operator==(const RefreshRecord&) const = default;
};

// An access token (a JWT) as its claims describe it. Access tokens are self-contained and signed:
// issuing one stores nothing per token (its grant's token_issued_at/token_expires_at are set); a
// store keeps a record only for a token revoked before it expires (AccessTokenStore).
struct AccessTokenRecord {
  std::string jti;
  std::string grant_id;
  std::string client_id;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  bool revoked = false;

  bool operator==(const AccessTokenRecord&) const = default;
};

// Everything one consent writes, stored in one atomic step by Store::approve: the pushed request
// is consumed, and the grant and the code that completes it are created.
struct Approval {
  std::string uri_hash;  // the pushed request (consumed as ParStore::consume(uri_hash, now))
  std::int64_t now = 0;
  Grant grant;
  std::string code_hash;
  CodeRecord code;  // code.grant_id names `grant`

  bool operator==(const Approval&) const = default;
};

// Everything one token response writes, stored in one atomic step by Store::issueTokens (one
// commit per token request instead of one per record).
struct TokenIssue {
  std::string code_hash;           // non-empty: redeem this authorization code in the same step
  AccessTokenRecord access_token;  // not stored: its grant's token_issued_at/expires_at are set
  std::string refresh_hash;        // non-empty: store `refresh` under this hash
  RefreshRecord refresh;           // must name the same grant as access_token

  bool operator==(const TokenIssue&) const = default;
};

struct User {
  std::string username;       // what the user types at login
  std::string subject;        // stable `sub`, never equal to or resembling a client_id
  std::string password_hash;  // Argon2id encoded string ($argon2id$v=19$...)
  std::string display_name;
  std::int64_t created_at = 0;

  bool operator==(const User&) const = default;
};

// A browser login session, keyed by the hash of the session cookie value.
struct Session {
  std::string subject;
  std::int64_t auth_time = 0;
  std::int64_t expires_at = 0;

  bool operator==(const Session&) const = default;
};

// A message in the durable outbox (IB1 revocation messages), delivered with retries.
struct OutboxMessage {
  std::int64_t id = 0;  // assigned by the store
  std::string client_id;
  std::string url;   // the client's message delivery URL
  std::string body;  // JSON
  int attempts = 0;
  std::int64_t created_at = 0;
  std::int64_t next_attempt_at = 0;
  std::optional<std::int64_t> delivered_at;
  std::string last_error;  // for operators; never a secret

  bool operator==(const OutboxMessage&) const = default;
};

// A token-signing key of the authorization server.
struct SigningKey {
  std::string kid;
  std::string alg;          // "ES256" | "PS256"
  std::string private_pem;  // PKCS#8
  std::int64_t created_at = 0;
  std::int64_t activates_at = 0;           // published from created_at, signs from activates_at
  std::optional<std::int64_t> retired_at;  // stops signing; stays published until tokens expire

  bool operator==(const SigningKey&) const = default;
};

}  // namespace gridgate::store
