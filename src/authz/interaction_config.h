// [authz.interaction]: the settings of the interaction side (authz/ui), read from the same TOML
// document, and the dependencies it gets from the protocol side.
//
//   GG_TRY(ui::InteractionSettings s, parseInteractionSection(doc, *authz_config));
//   GG_TRY(auto ui, makeInteractionFor(*authz_server, store, authz_config, std::move(s), clock));
//
// [authz.interaction]
//   mode = "builtin"                 # or "external" (an existing login/consent service)
//   login_url = ""                   # external: https login page (gets ?login_challenge=)
//   consent_url = ""                 # external: https consent page (gets ?consent_challenge=)
//   session_lifetime = "8h"
//   csrf_key_file = ""               # >= 32 bytes shared by all instances; empty: per process
//   revoke_instructions = ""         # how a person withdraws a permission, in plain words
//   [[authz.interaction.scope_names]]   # words for a licence on the consent page
//   scope = "<licence URL>"
//   words = "your half-hourly electricity use"
// The external mode's admin API is served on [authz.listeners.admin] (loopback or mTLS).
#pragma once

#include <memory>

#include "authz/authorization_server.h"
#include "authz/config.h"
#include "authz/ui/interaction_service.h"
#include "config/document.h"
#include "core/clock.h"
#include "store/store.h"

namespace gridgate::authz {

[[nodiscard]] Result<ui::InteractionSettings> parseInteractionSection(const config::Document& doc,
                                                                      const AuthzConfig& config);

// The interaction side wired to this server: client display names from the configuration, the
// subject rule of FAPI-CHECKLIST 12 for subjects an external login service asserts, the issuer,
// the grant lifetime and the provider's name.
[[nodiscard]] Result<std::shared_ptr<ui::InteractionService>> makeInteractionFor(
    AuthorizationServer& server, std::shared_ptr<store::Store> store,
    std::shared_ptr<const AuthzConfig> config, ui::InteractionSettings settings,
    const Clock& clock);

}  // namespace gridgate::authz
