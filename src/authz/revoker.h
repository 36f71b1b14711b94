// Revoking grants and access tokens, in one place for every path that revokes: POST /revoke, the
// replay of an authorization code (FAPI-CHECKLIST 40), and the interaction side's "revoke" action
// if it offers one.
//
//   Revoker revoker(config, store, publisher, clock);
//   GG_TRY(revoker.revokeGrant(grant));            // grant + IB1 message + publish
//   GG_TRY(revoker.revokeAccessToken(found.access));  // one access token + publish
//
// revokeGrant() is idempotent: the grant's revoked_at and the queued message are written in one
// atomic store step (GrantStore::revokeAndNotify), so a crash never leaves a revoked grant whose
// message was not queued, nor queues it twice. The grant's access tokens need no step of their
// own: introspection checks the grant of every token, so they are inactive from that step on;
// the publisher is told the grant's id.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "authz/config.h"
#include "authz/revocation_publisher.h"
#include "core/clock.h"
#include "core/result.h"
#include "store/store.h"

namespace gridgate::authz {

inline constexpr std::string_view kRevokeMessageSubject =
    "https://registry.trust.ib1.org/message/revoke";

class Revoker {
 public:
  Revoker(std::shared_ptr<const AuthzConfig> config, std::shared_ptr<store::Store> store,
          std::shared_ptr<RevocationPublisher> publisher, const Clock& clock)
      : config_(std::move(config)),
        store_(std::move(store)),
        publisher_(std::move(publisher)),
        clock_(clock) {}

  // True if this call revoked it, false if it was revoked before. Blocking.
  [[nodiscard]] Result<bool> revokeGrant(const store::Grant& grant);
  // Records the revocation (store::AccessTokenStore::revoke) and tells the publisher. Blocking.
  [[nodiscard]] Status revokeAccessToken(const store::AccessTokenRecord& token);

  // PERSEUS.md "Revocation message": {"ib1:message", "subject", "body": {"account", "client",
  // "license", "revoked", "evidence"}}.
  static std::string revocationMessage(const store::Grant& grant, const AuthzConfig& config,
                                       std::int64_t revoked_at);

 private:
  std::shared_ptr<const AuthzConfig> config_;
  std::shared_ptr<store::Store> store_;
  std::shared_ptr<RevocationPublisher> publisher_;
  const Clock& clock_;
};

}  // namespace gridgate::authz
