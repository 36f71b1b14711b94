// Token endpoint responses, and the small token file the CLI keeps between commands.
//
//   GG_TRY(TokenResponse t, TokenResponse::parse(body, clock.unixSeconds()));
//   StoredTokens s = StoredTokens::fromResponse(issuer, client_id, t);
//   GG_TRY(saveTokenFile(path, s));                            // 0600, temp file + rename
//   ... later, after a refresh:
//   GG_TRY(StoredTokens now, updateTokenFile(path, [&](StoredTokens& s) { s.apply(refreshed); }));
//
// FAPI-CHECKLIST 92/93: token_type is compared case-insensitively ("bearer" is Bearer); a
// response without expires_in is accepted (the expiry is then unknown); a refresh response that
// carries a new refresh token replaces the stored one, one that carries none keeps it. The file is
// replaced atomically (written whole to a temp file in the same directory, fsynced, renamed over
// the old one, directory fsynced), so a crash or a concurrent reader sees the old tokens or the
// new ones, never a mix or a truncated file; updates hold an advisory lock (flock on
// "<path>.lock") so that two refreshes do not lose a rotated token.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/result.h"

namespace gridgate::client {

struct TokenResponse {
  std::string access_token{};
  std::string token_type{};                  // as sent ("Bearer", "bearer"...)
  std::optional<std::int64_t> expires_in{};  // absent: unknown
  std::optional<std::int64_t> expires_at{};  // received_at + expires_in
  std::string refresh_token{};               // empty: none issued (or not rotated)
  std::string scope{};                       // empty: as requested (RFC 6749 5.1)
  std::string id_token{};
  Json json{};  // the whole response

  // kMalformed without access_token or token_type, or with wrong member types; kUnsupported for
  // a token_type other than Bearer (DPoP is not implemented by this client).
  [[nodiscard]] static Result<TokenResponse> parse(std::string_view body, std::int64_t received_at);
};

struct StoredTokens {
  std::string issuer{};
  std::string client_id{};
  std::string access_token{};
  std::string refresh_token{};
  std::string id_token{};
  std::string scope{};
  std::string token_type{};
  std::optional<std::int64_t> expires_at{};
  std::string nonce{};  // of the authorization request, to check the ID token later
  std::int64_t updated_at = 0;

  static StoredTokens fromResponse(std::string issuer, std::string client_id,
                                   const TokenResponse& t, std::int64_t now);
  // A refresh response: new access token (and ID token); the refresh token only if a new one came.
  void apply(const TokenResponse& t, std::int64_t now);

  Json toJson() const;
  [[nodiscard]] static Result<StoredTokens> fromJson(const Json& j);
};

// Replaces `path` atomically with `text` (temp file in the same directory, fsync, rename, directory
// fsync), mode 0600; refuses to write through a symlink. For token files and pending requests.
[[nodiscard]] Status writeFileAtomically(const std::filesystem::path& path, std::string_view text);

// kNotFound when the file does not exist; kMalformed when it is not a token file.
[[nodiscard]] Result<StoredTokens> loadTokenFile(const std::filesystem::path& path);
// Atomic replace, mode 0600. Refuses to write through a symlink.
[[nodiscard]] Status saveTokenFile(const std::filesystem::path& path, const StoredTokens& tokens);
// Load (under the lock), let `edit` change the tokens, save; returns what was saved. When the file
// does not exist, `edit` starts from empty tokens.
[[nodiscard]] Result<StoredTokens> updateTokenFile(
    const std::filesystem::path& path, const std::function<Status(StoredTokens&)>& edit);

}  // namespace gridgate::client
