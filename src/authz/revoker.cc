#include "authz/revoker.h"

#include "authz/evidence.h"
#include "core/json.h"
#include "core/log.h"

namespace gridgate::authz {

std::string Revoker::revocationMessage(const store::Grant& grant, const AuthzConfig& config,
                                       std::int64_t revoked_at) {
  const std::vector<std::string> licences = licencesOf(grant.scope);
  Json body = {
      {"account", grant.subject},
      {"client", grant.client_id},
      {"license", licences.empty() ? std::string() : licences.front()},
      {"revoked", formatUtc(revoked_at)},
      {"evidence", config.evidenceUrl(grant.evidence_id)},
  };
  Json message = {
      {"ib1:message", config.trust_framework},
      {"subject", kRevokeMessageSubject},
      {"body", std::move(body)},
  };
  return dumpJson(message);
}

Result<bool> Revoker::revokeGrant(const store::Grant& grant) {
  const std::int64_t now = clock_.unixSeconds();
  const ClientConfig* client = config_->clients.find(grant.client_id);
  bool first = false;
  if (client != nullptr && !client->message_delivery_url.empty()) {
    store::OutboxMessage msg;
    msg.client_id = grant.client_id;
    msg.url = client->message_delivery_url;
    msg.body = revocationMessage(grant, *config_, now);
    msg.created_at = now;
    msg.next_attempt_at = now;
    GG_TRY(first, store_->grants().revokeAndNotify(grant.id, now, msg));
  } else {
    GG_TRY(first, store_->grants().revoke(grant.id, now));
  }
  if (first) log::info("grant {} of client {} revoked", grant.id, grant.client_id);
  // Validators refuse every token naming the grant (they carry its id): no list of jtis needed.
  publisher_->publish(grant.id, {});
  return first;
}

Status Revoker::revokeAccessToken(const store::AccessTokenRecord& token) {
  GG_TRY(store_->accessTokens().revoke(token));
  // Only this token: an event naming the grant would make validators refuse all of its tokens.
  publisher_->publish({}, {token.jti});
  return ok();
}

}  // namespace gridgate::authz
