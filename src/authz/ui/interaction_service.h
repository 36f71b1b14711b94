// The user-interaction side of the authorization server: the built-in login and consent pages,
// or the external login/consent mode, plus logout and the public evidence page.
//
//   ui::InteractionDeps deps;
//   deps.store = store;                         // std::shared_ptr<store::Store>
//   deps.flow = &flow;                          // AuthorizationFlow (protocol side), outlives it
//   deps.clock = &clock;
//   deps.clients = [cfg](std::string_view id) -> std::optional<ui::ClientDisplay> {
//     if (const ClientConfig* c = cfg->clients.find(id)) return ui::ClientDisplay{c->display_name};
//     return std::nullopt;
//   };
//   deps.settings.issuer = cfg->issuer;
//   deps.settings.grant_lifetime = cfg->grant_lifetime;
//   GG_TRY(auto interaction, ui::makeInteraction(std::move(deps)));
//   ui::registerInteractionRoutes(*public_router, interaction);   // /login /consent /logout
//                                                                 // /evidence/{id}
//   ui::registerAdminRoutes(*admin_router, interaction);          // external mode only: put the
//                                                                 // router on a loopback or mTLS
//                                                                 // listener
//   // GET /authorize (protocol side), after flow.lookup() succeeded:
//   return interaction->begin(req, pending);
//
// Built-in mode: begin() shows the login page, or the consent page when the browser has a live
// login session. POST /login checks the CSRF token, throttles, verifies the Argon2id password (a
// dummy verification for unknown users), starts a session and answers 303 to /authorize again
// (which now shows consent). POST /consent checks the session and the CSRF token, then calls
// flow.approve() or flow.deny() and answers 303 to the client. POST /logout ends the session.
//
// External mode (an existing user-management system, like the Ory Hydra login/consent flow of the
// Perseus demo): begin() answers 303 to `external.login_url?login_challenge=...`; the login
// service reads the challenge and accepts it through the admin API, which answers the URL to send
// the browser on to (`external.consent_url?consent_challenge=...`); the consent service accepts or
// rejects the consent challenge and gets the final redirect to the client. Admin API (JSON, Hydra's
// paths and field names):
//   GET /admin/oauth2/auth/requests/login?login_challenge=C          -> the request
//   PUT /admin/oauth2/auth/requests/login/accept?login_challenge=C   {"subject": "..."}
//   PUT /admin/oauth2/auth/requests/login/reject?login_challenge=C   -> redirect_to (denied)
//   GET /admin/oauth2/auth/requests/consent?consent_challenge=C      -> the request + subject
//   PUT /admin/oauth2/auth/requests/consent/accept?consent_challenge=C  {"grant_scope": [...]}
//   PUT /admin/oauth2/auth/requests/consent/reject?consent_challenge=C
// Each PUT answers {"redirect_to": "..."}. Challenges are 256-bit random, kept only as their
// SHA-256, single use, and expire with the pushed request. They are held in this process (see
// the report: a store-backed table is needed for several instances).
//
// Every handler runs on the blocking pool (store and Argon2 work): the routes are registered with
// RouteOptions{.offload = true}.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "authz/interaction.h"
#include "authz/ui/describe.h"
#include "authz/ui/pages.h"
#include "authz/ui/password.h"
#include "authz/ui/throttle.h"
#include "core/bytes.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/router.h"
#include "store/store.h"

namespace gridgate::authz::ui {

// What the pages say about a client.
struct ClientDisplay {
  std::string display_name;
};
// client_id -> its display data; nullopt for an unknown client (pages then show the client_id).
using ClientLookup = std::function<std::optional<ClientDisplay>(std::string_view client_id)>;
// An extra rule for subjects asserted by an external login service (for example
// authz::checkUserSubject with the client registry, FAPI-CHECKLIST 12).
using SubjectCheck = std::function<Status(std::string_view subject)>;

enum class InteractionMode {
  kBuiltin,   // the login and consent pages of web/
  kExternal,  // redirects to an external login/consent service, driven through the admin API
};

struct ExternalSettings {
  std::string login_url;    // https: the external login page (gets ?login_challenge=)
  std::string consent_url;  // https: the external consent page (gets ?consent_challenge=)
  std::size_t max_challenges = 100'000;  // pending challenges kept in memory
};

struct InteractionSettings {
  InteractionMode mode = InteractionMode::kBuiltin;
  std::string issuer;  // shown on the evidence page
  PageBrand brand;
  // Paths on the public listener.
  std::string authorize_path = "/authorize";
  std::string login_path = "/login";
  std::string consent_path = "/consent";
  std::string logout_path = "/logout";
  std::string evidence_prefix = "/evidence/";
  // Login session.
  std::string session_cookie = "__Host-gridgate-session";
  std::string login_cookie = "__Host-gridgate-login";  // binds the login form's CSRF token
  Seconds session_lifetime{8 * 3600};
  // The grant duration shown on the consent page (AuthzConfig::grant_lifetime).
  Seconds grant_lifetime{365 * 24 * 3600};
  // How a person withdraws a permission, in one or two sentences. Empty: a default that names
  // the client and the provider.
  std::string revoke_instructions;
  ScopeNames scope_names;  // licence URL -> words, beyond the built-in wording
  PasswordParams password;
  ThrottleSettings throttle;
  // CSRF key (>= 32 bytes), shared by every instance behind one public URL. Empty: random per
  // process (a form then fails after a restart, with a page that says to start again).
  Bytes csrf_key;
  ExternalSettings external;
  SubjectCheck subject_check;
};

struct InteractionDeps {
  std::shared_ptr<store::Store> store;
  AuthorizationFlow* flow = nullptr;  // the protocol side; must outlive the interaction
  const Clock* clock = &SystemClock::instance();
  ClientLookup clients;
  InteractionSettings settings;
};

// The interaction side: what GET /authorize calls (begin) and the handlers of its routes.
class InteractionService : public Interaction {
 public:
  // The public-listener routes: POST login/consent/logout (built-in mode) and GET evidence.
  virtual void registerRoutes(net::Router& public_router) = 0;
  // The admin API (external mode; nothing is registered in built-in mode).
  virtual void registerAdminRoutes(net::Router& admin_router) = 0;
  virtual InteractionMode mode() const = 0;
};

// kInvalidArgument for missing dependencies, a CSRF key under 32 bytes, or external URLs that are
// not https (http only on loopback).
[[nodiscard]] Result<std::shared_ptr<InteractionService>> makeInteraction(InteractionDeps deps);

inline void registerInteractionRoutes(net::Router& public_router,
                                      const std::shared_ptr<InteractionService>& interaction) {
  interaction->registerRoutes(public_router);
}
inline void registerAdminRoutes(net::Router& admin_router,
                                const std::shared_ptr<InteractionService>& interaction) {
  interaction->registerAdminRoutes(admin_router);
}

}  // namespace gridgate::authz::ui
