// What every endpoint of the protocol side shares: immutable configuration, the store, the clock,
// and the long-lived services built once at start-up. Owned by AuthorizationServer.
#pragma once

#include <memory>

#include "authz/client_auth.h"
#include "authz/config.h"
#include "authz/keys.h"
#include "authz/revoker.h"
#include "authz/tokens.h"
#include "core/clock.h"
#include "store/store.h"

namespace gridgate::authz {

struct AuthzContext {
  std::shared_ptr<const AuthzConfig> config;
  std::shared_ptr<store::Store> store;
  const Clock* clock = nullptr;
  std::shared_ptr<ClientAuthenticator> auth;
  std::shared_ptr<SigningKeys> keys;
  std::shared_ptr<TokenIssuer> tokens;
  std::shared_ptr<Revoker> revoker;
};

}  // namespace gridgate::authz
