// The resource server's part of `gridgate serve` (src/cli/cmd_serve.cc): everything the command
// needs from a configuration file's [resource] section, in the order the command runs.
//
//   // before doc->checkAllRead(): nullptr when the file has no [resource] section
//   GG_TRY(auto rs, resource::ResourceServe::fromDocument(*doc, {.clock = &clock,
//                                                              .pool = pool,
//                                                              .metrics = metrics}));
//   if (rs) GG_TRY(rs->addListener(server_config));   // listener "resource" ([resource.listener])
//   net::Server server(std::move(server_config));
//   if (rs) rs->attach(server);                  // its router on that listener
//   server.start(); ...
//   if (rs) rs->warmUp();                        // issuer metadata + JWKS now (failures logged)
//
// With `revocation_bus` (the [store] of type redis that the authorization server publishes on),
// a subscriber purges the validator's caches for every revoked grant and access token (jti), so a
// revocation is refused here within moments rather than after the cache TTL or the token's expiry
// (store/redis/revocation_bus.h). Without it, revocation reaches this server through
// introspection (token mode introspection or auto) or its cache TTL.
//
// `pool` should be the server's blocking pool (ServerConfig::blocking_pool): the validator runs
// its issuer calls there and dataset files are read there. `metrics` (ServerConfig::metrics): the
// validator's decisions, cache and upstream calls are exported on /metrics.
#pragma once

#include <memory>
#include <optional>

#include "config/document.h"
#include "core/clock.h"
#include "core/result.h"
#include "net/blocking_pool.h"
#include "net/config.h"
#include "net/metrics.h"
#include "resource/config.h"
#include "resource/service.h"
#include "store/redis/redis_options.h"
#include "store/redis/revocation_bus.h"

namespace gridgate::net {
class Server;
}  // namespace gridgate::net

namespace gridgate::resource {

inline constexpr std::string_view kListenerName = "resource";

struct ServeDeps {
  const Clock* clock = nullptr;                     // null: SystemClock
  std::shared_ptr<net::BlockingPool> pool{};        // the server's blocking pool
  std::shared_ptr<net::MetricsRegistry> metrics{};  // the server's registry
  std::shared_ptr<validator::Fetcher> fetcher{};    // null: NetFetcher
  // The Redis store the authorization server publishes revocations on; nullopt: no subscriber.
  std::optional<store::RedisOptions> revocation_bus{};
};

class ResourceServe {
 public:
  // Parses [resource] and builds the service (signing identity, meters, dataset files,
  // validator). nullptr when the document has no [resource] table.
  [[nodiscard]] static Result<std::unique_ptr<ResourceServe>> fromDocument(
      const config::Document& doc, ServeDeps deps);
  // The same from a configuration built in code.
  [[nodiscard]] static Result<std::unique_ptr<ResourceServe>> fromConfig(
      std::shared_ptr<const ResourceConfig> config, ServeDeps deps);

  // Appends the [resource.listener] listener, named "resource".
  [[nodiscard]] Status addListener(net::ServerConfig& server_config) const;
  void attach(net::Server& server) const;
  // Discovery and JWKS now; a failure is logged, not fatal (checks retry on their own, and
  // answer 503 while the issuer cannot be reached).
  void warmUp() const;

  const ResourceService& service() const { return *service_; }
  // Null without a revocation bus.
  const store::RevocationSubscriber* revocationSubscriber() const { return subscriber_.get(); }
  const ResourceConfig& config() const { return *config_; }

 private:
  ResourceServe() = default;
  std::shared_ptr<const ResourceConfig> config_;
  std::unique_ptr<ResourceService> service_;
  std::unique_ptr<store::RevocationSubscriber> subscriber_;  // after service_: stops first
};

}  // namespace gridgate::resource
