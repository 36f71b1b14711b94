#include "test_flow.h"

#include "core/random.h"
#include "crypto/digest.h"
#include "net/form.h"

namespace gridgate::authz::test {

TestFlow::TestFlow(std::shared_ptr<store::Store> store, const Clock& clock, std::string issuer,
                   std::int64_t par_lifetime, std::int64_t grant_lifetime)
    : store_(std::move(store)),
      clock_(clock),
      issuer_(std::move(issuer)),
      par_lifetime_(par_lifetime),
      grant_lifetime_(grant_lifetime) {}

std::string TestFlow::push(std::string_view client_id, std::string_view redirect_uri,
                           std::string_view scope, std::string_view state) {
  std::string request_uri = "urn:ietf:params:oauth:request_uri:" + randomToken(32);
  std::int64_t now = clock_.unixSeconds();
  store::ParRecord par{.client_id = std::string(client_id),
                       .redirect_uri = std::string(redirect_uri),
                       .scope = std::string(scope),
                       .state = std::string(state),
                       .nonce = {},
                       .code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                       .authorization_details = {},
                       .created_at = now,
                       .expires_at = now + par_lifetime_,
                       .consumed = false};
  auto st = store_->pars().create(crypto::sha256Hex(request_uri), par);
  if (!st) return {};
  return request_uri;
}

Result<PendingAuthorization> TestFlow::lookup(std::string_view client_id,
                                              std::string_view request_uri) {
  std::string hash = crypto::sha256Hex(request_uri);
  GG_TRY(store::ParRecord par, store_->pars().find(hash));
  if (par.client_id != client_id) return fail(Errc::kForbidden, "pushed by another client");
  if (par.consumed) return fail(Errc::kAlreadyUsed, "request completed");
  if (clock_.unixSeconds() >= par.expires_at) return fail(Errc::kExpired, "request expired");
  return PendingAuthorization{std::string(request_uri), hash, std::move(par), nullptr};
}

Result<std::string> TestFlow::approve(const PendingAuthorization& pending,
                                      const ConsentDecision& decision) {
  std::int64_t now = clock_.unixSeconds();
  GG_TRY(store::ParRecord par, store_->pars().consume(pending.request_uri_hash, now));
  store::Grant grant{.id = randomToken(16),
                     .evidence_id = randomToken(16),
                     .client_id = par.client_id,
                     .subject = decision.subject,
                     .scope = decision.scope,
                     .authorization_details = {},
                     .granted_at = now,
                     .expires_at = now + grant_lifetime_,
                     .data_available_from = now - grant_lifetime_,
                     .token_issued_at = 0,
                     .token_expires_at = 0,
                     .revoked_at = std::nullopt};
  GG_TRY(store_->grants().create(grant));
  std::string code = randomToken(32);
  store::CodeRecord record{.client_id = par.client_id,
                           .redirect_uri = par.redirect_uri,
                           .code_challenge = par.code_challenge,
                           .scope = decision.scope,
                           .nonce = par.nonce,
                           .subject = decision.subject,
                           .grant_id = grant.id,
                           .auth_time = decision.auth_time,
                           .created_at = now,
                           .expires_at = now + 60};
  GG_TRY(store_->codes().create(crypto::sha256Hex(code), record));
  last_grant_ = grant;
  last_decision_ = decision;
  return par.redirect_uri + (par.redirect_uri.find('?') == std::string::npos ? "?" : "&") +
         net::encodeForm({{"code", code}, {"state", par.state}, {"iss", issuer_}});
}

Result<std::string> TestFlow::deny(const PendingAuthorization& pending) {
  GG_TRY(store::ParRecord par,
         store_->pars().consume(pending.request_uri_hash, clock_.unixSeconds()));
  return par.redirect_uri + (par.redirect_uri.find('?') == std::string::npos ? "?" : "&") +
         net::encodeForm({{"error", "access_denied"}, {"state", par.state}, {"iss", issuer_}});
}

}  // namespace gridgate::authz::test
