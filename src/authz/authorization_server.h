// The authorization server's protocol side, assembled: every endpoint, the signing keys, client
// authentication, revocation and message delivery, over one Store.
//
//   GG_TRY(auto as, AuthorizationServer::create({.config = cfg, .store = db,
//                                                .state_dir = server_section.state_dir}));
//   as->setInteraction(ui);                       // the interaction side (login/consent pages)
//   auto pub = std::make_shared<net::Router>();
//   auto mtls = std::make_shared<net::Router>();
//   as->addRoutes(*pub, *mtls);                   // plus the interaction side's own routes
//   GG_TRY(auto listeners, as->listenerConfigs());   // [authz.listeners.public] and .mtls
//   net::Server server(...);  server.setRouter("public", pub);  server.setRouter("mtls", mtls);
//   GG_TRY(as->startBackground());                // message delivery, key reload, sweeping
//
// Routes. public: GET /authorize, GET /.well-known/oauth-authorization-server,
// GET /.well-known/openid-configuration, GET /jwks. mtls: POST /par, /token, /introspect,
// /revoke, /permissions; GET /userinfo. Every route that reads the store runs on the server's
// blocking pool (RouteOptions::offload). The AuthorizationServer must outlive the net::Server
// that serves its routes.
//
// create() refuses to start when a stored user's `sub` resembles a registered client_id
// (FAPI-CHECKLIST 12), when a client has a message delivery URL but [authz.messages] has no
// certificate to send with, or when no signing key can be loaded or made.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "authz/authorize_endpoint.h"
#include "authz/context.h"
#include "authz/flow.h"
#include "authz/interaction.h"
#include "authz/message_delivery.h"
#include "authz/revocation_publisher.h"
#include "authz/token_lookup.h"
#include "core/clock.h"
#include "net/config.h"
#include "net/router.h"
#include "store/store.h"

namespace gridgate::authz {

class TokenEndpoint;
class IntrospectionEndpoint;
class RevocationEndpoint;
class PermissionsEndpoint;
class UserinfoEndpoint;

struct AuthzServerOptions {
  std::shared_ptr<const AuthzConfig> config{};
  std::shared_ptr<store::Store> store{};
  const Clock* clock = &SystemClock::instance();
  // Null: NoopRevocationPublisher (the single-store default; see revocation_publisher.h).
  std::shared_ptr<RevocationPublisher> publisher{};
  // Where generated files go (the mTLS listener's client trust bundle with self-signed client
  // certificates). Required only when a client uses self_signed_tls_client_auth.
  std::filesystem::path state_dir{};
  // Background periods (real time; what is due is decided by `clock`).
  std::chrono::milliseconds tick{1000};
  Seconds key_reload_interval{30};
  Seconds sweep_interval{300};
};

class AuthorizationServer {
 public:
  [[nodiscard]] static Result<std::unique_ptr<AuthorizationServer>> create(
      AuthzServerOptions options);
  ~AuthorizationServer();
  AuthorizationServer(const AuthorizationServer&) = delete;
  AuthorizationServer& operator=(const AuthorizationServer&) = delete;

  // The seam for the interaction side (authz/interaction.h).
  AuthorizationFlow& flow() { return *flow_; }
  void setInteraction(std::shared_ptr<Interaction> interaction);

  void addRoutes(net::Router& public_router, net::Router& mtls_router);

  // The two listeners of [authz.listeners]: "public" (TLS, no client certificate) and "mtls"
  // (client certificate required; it trusts the client CA and the self-signed certificates of
  // self_signed_tls_client_auth clients).
  [[nodiscard]] Result<std::vector<net::ListenerConfig>> listenerConfigs() const;

  [[nodiscard]] Status startBackground();
  void stopBackground();
  // One round of the background work (tests drive it with a FakeClock).
  [[nodiscard]] Status runMaintenanceOnce();

  const AuthzContext& context() const { return ctx_; }
  MessageDelivery* messageDelivery() { return delivery_.get(); }
  TokenLookup& tokenLookup() { return *lookup_; }

 private:
  explicit AuthorizationServer(AuthzServerOptions options);
  void backgroundLoop();

  AuthzServerOptions options_;
  AuthzContext ctx_;
  std::unique_ptr<Flow> flow_;
  std::shared_ptr<TokenLookup> lookup_;
  std::unique_ptr<AuthorizeEndpoint> authorize_;
  std::unique_ptr<TokenEndpoint> token_;
  std::unique_ptr<IntrospectionEndpoint> introspection_;
  std::unique_ptr<RevocationEndpoint> revocation_;
  std::unique_ptr<PermissionsEndpoint> permissions_;
  std::unique_ptr<UserinfoEndpoint> userinfo_;
  std::unique_ptr<MessageDelivery> delivery_;
  std::string metadata_json_;

  std::mutex bg_mu_;
  std::condition_variable bg_cv_;
  bool bg_stop_ = false;
  std::thread bg_thread_;
  std::int64_t next_delivery_ = 0;
  std::int64_t next_key_reload_ = 0;
  std::int64_t next_sweep_ = 0;
};

}  // namespace gridgate::authz
