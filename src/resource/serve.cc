#include "resource/serve.h"

#include "config/net_listener.h"
#include "core/log.h"
#include "net/server.h"
#include "validator/http/net_metrics.h"

namespace gridgate::resource {

Result<std::unique_ptr<ResourceServe>> ResourceServe::fromDocument(const config::Document& doc,
                                                                   ServeDeps deps) {
  if (!doc.section("resource").presentInFile()) return std::unique_ptr<ResourceServe>();
  GG_TRY(std::shared_ptr<const ResourceConfig> cfg, parseResourceConfig(doc));
  return fromConfig(std::move(cfg), std::move(deps));
}

Result<std::unique_ptr<ResourceServe>> ResourceServe::fromConfig(
    std::shared_ptr<const ResourceConfig> config, ServeDeps deps) {
  std::unique_ptr<ResourceServe> rs(new ResourceServe());
  rs->config_ = std::move(config);
  std::shared_ptr<validator::MetricsSink> metrics;
  if (deps.metrics) metrics = std::make_shared<validator::http::NetMetrics>(*deps.metrics);
  GG_TRY(rs->service_, ResourceService::create(rs->config_, {.clock = deps.clock,
                                                             .fetcher = std::move(deps.fetcher),
                                                             .pool = std::move(deps.pool),
                                                             .metrics = std::move(metrics)}));
  if (deps.metrics) {
    validator::http::exportCacheGauges(*deps.metrics, rs->service_->sharedValidator());
  }
  if (deps.revocation_bus) {
    std::weak_ptr<validator::Validator> weak = rs->service_->sharedValidator();
    GG_TRY(rs->subscriber_,
           store::RevocationSubscriber::start(
               *deps.revocation_bus, [weak](const store::RevocationEvent& e) {
                 const auto v = weak.lock();
                 if (!v) return;
                 std::size_t purged = 0;
                 if (!e.grant_id.empty()) purged += v->purgeGrant(e.grant_id);
                 for (const std::string& jti : e.jtis) purged += v->purgeJti(jti);
                 log::debug("resource: revocation event ({} tokens, {} cached entries purged)",
                            e.jtis.size(), purged);
               }));
  }
  return rs;
}

Status ResourceServe::addListener(net::ServerConfig& server_config) const {
  GG_TRY(net::ListenerConfig listener, config::toNetListener(config_->listener));
  listener.name = std::string(kListenerName);
  server_config.listeners.push_back(std::move(listener));
  return ok();
}

void ResourceServe::attach(net::Server& server) const {
  server.setRouter(kListenerName, service_->router());
}

void ResourceServe::warmUp() const {
  if (auto st = service_->warmUp(); !st) {
    log::warn("resource: issuer not reachable yet ({}); token checks will retry",
              st.error().detail);
  }
}

}  // namespace gridgate::resource
