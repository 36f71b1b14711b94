// The resource server assembled: configuration -> signer, dataset, dataset files, OpenAPI document,
// validator -> a router whose every data route runs the validator before anything else.
//
//   GG_TRY(auto cfg, resource::parseResourceConfig(doc));
//   auto pool = std::make_shared<net::BlockingPool>(4);
//   GG_TRY(auto service, resource::ResourceService::create(cfg, {.pool = pool}));
//   net::ServerConfig sc{.blocking_pool = pool};
//   GG_TRY(sc.listeners.emplace_back(), config::toNetListener(cfg->listener));
//   net::Server server(std::move(sc));
//   server.setRouter(cfg->listener.name, service->router());
//
// Routes (RouteSettings says what each requires):
//   GET /datasources                    role + token + licence scope + client_id == cert URI
//   GET /datasources/{id}/{measure}     the same; a signed provenance record per response
//   GET /datasets/<name>                role + token + the file's own scope (+ client_id rule)
//   GET /datasets/{name}                (any other name) role + token, then 404
//   GET /, GET /openapi.json            public by default (metadata: no personal data, lets a
//                                       client discover the API before it holds a token); with
//                                       openapi_public = false, role + token like the rest
// HEAD is served by each GET route. Refusals: validator::render (400/401/403/503 with
// WWW-Authenticate and a JSON body). Every response: Cache-Control: no-store.
#pragma once

#include <memory>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "net/blocking_pool.h"
#include "net/router.h"
#include "resource/api.h"
#include "resource/config.h"
#include "validator/fetcher.h"
#include "validator/http/protect.h"
#include "validator/metrics.h"
#include "validator/token_info.h"
#include "validator/validator.h"

namespace gridgate::resource {

struct RouteSettings {
  std::string licence = std::string(kPerseusLicence);
  std::string required_role = std::string(kCarbonAccountingProviderRole);
  bool openapi_public = true;
  Seconds permission_lifetime{365 * 24 * 3600};
};

// The permission facts of a validated token (config.h: which claims are used).
PermissionFacts permissionFromToken(const validator::TokenInfo& token, const RouteSettings& s,
                                    const Clock& clock);
Caller callerFromToken(const validator::TokenInfo& token, const RouteSettings& s,
                       const Clock& clock);

// Adds the API's routes to `router`, each data route behind `guard`.
void addRoutes(net::Router& router, std::shared_ptr<const ResourceApi> api,
               const validator::http::HttpValidator& guard, const RouteSettings& settings,
               const Clock& clock);

struct ResourceDeps {
  const Clock* clock = nullptr;                       // null: SystemClock
  std::shared_ptr<validator::Fetcher> fetcher{};      // null: validator::http::NetFetcher
  std::shared_ptr<net::BlockingPool> pool{};          // share the server's; null: the guard's own
  std::shared_ptr<validator::MetricsSink> metrics{};  // null: none
};

class ResourceService {
 public:
  // Loads everything the configuration names (signing key and bundle, meter files, dataset
  // files) and refuses to start on any error. Does no network I/O (warmUp() does).
  [[nodiscard]] static Result<std::unique_ptr<ResourceService>> create(
      std::shared_ptr<const ResourceConfig> config, ResourceDeps deps = {});

  std::shared_ptr<net::Router> router() const { return router_; }
  const ResourceApi& api() const { return *api_; }
  const validator::Validator& validator() const { return *validator_; }
  std::shared_ptr<validator::Validator> sharedValidator() const { return validator_; }
  const ResourceConfig& config() const { return *config_; }
  // Fetches the issuer's metadata and JWKS now, so that the first request does not wait.
  [[nodiscard]] Status warmUp() const { return validator_->warmUp(); }

 private:
  ResourceService() = default;
  std::shared_ptr<const ResourceConfig> config_{};
  std::shared_ptr<validator::Validator> validator_{};
  std::unique_ptr<validator::http::HttpValidator> guard_;
  std::shared_ptr<const ResourceApi> api_{};
  std::shared_ptr<net::Router> router_{};
};

}  // namespace gridgate::resource
