// The servers of one configuration file on one net::Server: the authorization server ([authz]:
// listeners "public" and "mtls", plus "admin" when configured), the resource server ([resource]:
// listener "resource") and any listener the caller adds (the sandbox's demo client page).
// `gridgate serve` and `gridgate sandbox` both run them through this class.
//
//   GG_TRY(config::Document doc, config::Document::loadFile(path));
//   doc.setOverride(...);                                   // flags
//   GG_TRY(auto servers, cli::Servers::configure(doc, clock));   // parses everything; exit 2
//   GG_TRY(servers->open());                                // store, components; exit 1
//   servers->addListener(demo_listener, demo_router);       // optional extra listeners
//   GG_TRY(servers->start());                               // binds, background work, warm-up
//   servers->server().stopOnSignals();
//   servers->wait();                                        // until SIGTERM/SIGINT: exit 0
//
// Which servers run: the authorization server unless the file has a [resource] table and no
// [authz] table (a resource-server-only deployment); the resource server when the file has a
// [resource] table.
//
// Revocation reaches the resource server's validator cache at once: with a Redis store through
// the Redis revocation bus (the authorization server publishes, the resource server subscribes,
// store/redis/revocation_bus.h); with SQLite and both servers in this process, directly (an
// in-process publisher purges the validator). Otherwise through introspection or the cache TTL.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authz/authorization_server.h"
#include "authz/config.h"
#include "authz/ui/interaction_service.h"
#include "cli/store_setup.h"
#include "config/common.h"
#include "config/document.h"
#include "config/listener.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/blocking_pool.h"
#include "net/config.h"
#include "net/metrics.h"
#include "net/router.h"
#include "net/server.h"
#include "resource/serve.h"

namespace gridgate::cli {

class Servers {
 public:
  // Parses [server] (and configures logging), [store], [authz] with its interaction settings
  // and admin listener, and [resource] (whose service is built here: signing identity, meters,
  // validator); then refuses unread keys. Every error is a configuration error.
  [[nodiscard]] static Result<std::unique_ptr<Servers>> configure(config::Document& doc,
                                                                  const Clock& clock);
  ~Servers();
  Servers(const Servers&) = delete;
  Servers& operator=(const Servers&) = delete;

  // Creates the state directory (0700), opens the store, builds the authorization server and its
  // interaction side, and the revocation wiring. kInvalidArgument for a configuration the
  // components refuse (external interaction mode without an admin listener...).
  [[nodiscard]] Status open();

  // An extra listener with its router (before start()).
  void addListener(net::ListenerConfig listener, std::shared_ptr<const net::Router> router);

  // Binds every listener, starts the background work, then fetches the issuer's metadata and
  // JWKS for the resource server (a failure there is logged, not fatal). A busy port fails with
  // kIo and a detail naming the listener and the port.
  [[nodiscard]] Status start();
  // Until stop() or a signal (after stopOnSignals()); then stops the background work.
  void wait();

  bool hasAuthz() const { return authz_config_ != nullptr; }
  bool hasResource() const { return resource_ != nullptr; }
  const config::ServerSection& serverSection() const { return server_section_; }
  const authz::AuthzConfig& authzConfig() const { return *authz_config_; }
  const resource::ResourceServe& resourceServe() const { return *resource_; }
  // After open(); null without the authorization server.
  std::shared_ptr<store::Store> store() const { return store_.store; }
  std::shared_ptr<net::BlockingPool> blockingPool() const { return pool_; }
  // After start().
  net::Server& server() { return *server_; }

 private:
  Servers() = default;

  config::ServerSection server_section_{};
  config::StoreSection store_section_{};
  std::shared_ptr<const authz::AuthzConfig> authz_config_{};
  std::optional<authz::ui::InteractionSettings> interaction_settings_{};
  std::optional<config::ListenerSection> admin_section_{};
  const Clock* clock_ = nullptr;

  std::shared_ptr<net::BlockingPool> pool_{};
  std::shared_ptr<net::MetricsRegistry> metrics_{};
  std::optional<store::RedisOptions> redis_options_{};
  OpenedStore store_{};
  std::unique_ptr<resource::ResourceServe> resource_{};
  std::unique_ptr<authz::AuthorizationServer> as_{};
  std::shared_ptr<authz::ui::InteractionService> ui_{};
  std::shared_ptr<net::Router> public_router_{};
  std::shared_ptr<net::Router> mtls_router_{};
  std::shared_ptr<net::Router> admin_router_{};
  std::vector<std::pair<net::ListenerConfig, std::shared_ptr<const net::Router>>> extra_{};
  bool background_started_ = false;
  // Last: stopped (and joined) before anything its handlers use is destroyed.
  std::unique_ptr<net::Server> server_{};
};

}  // namespace gridgate::cli
