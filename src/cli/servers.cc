#include "cli/servers.h"

#include <sys/stat.h>

#include <filesystem>
#include <system_error>
#include <utility>

#include "authz/interaction_config.h"
#include "authz/revocation_publisher.h"
#include "config/net_listener.h"
#include "core/log.h"
#include "validator/validator.h"

namespace gridgate::cli {
namespace {

// Both servers in one process over one SQLite store: a revocation purges the resource server's
// validator directly, so a revoked token is refused at once (not after the cache TTL or the JWT's
// expiry). The weak pointer: the validator may be gone during shutdown.
class InProcessRevocationPublisher final : public authz::RevocationPublisher {
 public:
  explicit InProcessRevocationPublisher(std::weak_ptr<validator::Validator> validator)
      : validator_(std::move(validator)) {}
  void publish(std::string_view grant_id, const std::vector<std::string>& jtis) override {
    const auto v = validator_.lock();
    if (!v) return;
    std::size_t purged = 0;
    if (!grant_id.empty()) purged += v->purgeGrant(grant_id);
    for (const std::string& jti : jtis) purged += v->purgeJti(jti);
    log::debug("revocation: {} tokens, {} cached validations purged", jtis.size(), purged);
  }

 private:
  std::weak_ptr<validator::Validator> validator_;
};

}  // namespace

Servers::~Servers() {
  if (server_) {
    server_->stop();
    server_->wait();
  }
  if (as_ && background_started_) as_->stopBackground();
}

Result<std::unique_ptr<Servers>> Servers::configure(config::Document& doc, const Clock& clock) {
  std::unique_ptr<Servers> s(new Servers());
  s->clock_ = &clock;
  GG_TRY(s->server_section_, config::parseServerSection(doc));
  log::configure(s->server_section_.log_level,
                 s->server_section_.log_format == "json" ? log::Format::kJson : log::Format::kText);
  GG_TRY(s->store_section_, config::parseStoreSection(doc, s->server_section_));
  if (s->store_section_.type == config::StoreType::kRedis) {
    s->redis_options_ = redisOptionsOf(s->store_section_.redis);
  }

  const bool with_resource = doc.section("resource").presentInFile();
  const bool with_authz = doc.section("authz").presentInFile() || !with_resource;
  if (with_authz) {
    GG_TRY(s->authz_config_, authz::parseAuthzConfig(doc));
    GG_TRY(s->interaction_settings_, authz::parseInteractionSection(doc, *s->authz_config_));
    if (doc.section("authz.listeners.admin").presentInFile()) {
      GG_TRY(s->admin_section_,
             config::parseListenerSection(
                 doc.section("authz.listeners.admin"),
                 {.default_port = 8002, .client_cert = config::ClientCertPolicy::kRequire}));
    }
  }

  s->pool_ = std::make_shared<net::BlockingPool>(s->server_section_.blocking_threads);
  s->metrics_ = std::make_shared<net::MetricsRegistry>();
  if (with_resource) {
    GG_TRY(s->resource_,
           resource::ResourceServe::fromDocument(doc, {.clock = &clock,
                                                       .pool = s->pool_,
                                                       .metrics = s->metrics_,
                                                       .fetcher = nullptr,
                                                       .revocation_bus = s->redis_options_}));
  }
  GG_TRY(doc.checkAllRead());
  return s;
}

Status Servers::open() {
  if (!authz_config_) {
    // A resource server alone needs no store: tokens are checked against the issuer.
    if (resource_ && resource_->revocationSubscriber() != nullptr) {
      exportSubscriberMetrics(*metrics_, resource_->revocationSubscriber());
    }
    return ok();
  }
  const std::filesystem::path& state = server_section_.state_dir;
  std::error_code ec;
  std::filesystem::create_directories(state, ec);
  if (ec) return fail(Errc::kIo, "cannot create the state directory " + state.string());
  ::chmod(state.c_str(), 0700);

  GG_TRY(store_, openStore(store_section_));
  std::shared_ptr<authz::RevocationPublisher> publisher;
  if (store_.redis) {
    GG_TRY(auto bus, store::RevocationBusPublisher::start(*store_.redis_options));
    auto redis_publisher = std::make_shared<RedisRevocationPublisher>(std::move(bus));
    exportRedisStoreMetrics(*metrics_, store_.redis);
    exportPublisherMetrics(*metrics_, redis_publisher);
    if (resource_ && resource_->revocationSubscriber() != nullptr) {
      exportSubscriberMetrics(*metrics_, resource_->revocationSubscriber());
    }
    publisher = std::move(redis_publisher);
  } else if (resource_) {
    publisher =
        std::make_shared<InProcessRevocationPublisher>(resource_->service().sharedValidator());
  }

  GG_TRY(as_, authz::AuthorizationServer::create({.config = authz_config_,
                                                  .store = store_.store,
                                                  .clock = clock_,
                                                  .publisher = std::move(publisher),
                                                  .state_dir = state}));
  auto ui = authz::makeInteractionFor(*as_, store_.store, authz_config_,
                                      std::move(*interaction_settings_), *clock_);
  if (!ui) return fail(Errc::kInvalidArgument, "interaction: " + ui.error().detail);
  ui_ = std::move(*ui);

  public_router_ = std::make_shared<net::Router>();
  mtls_router_ = std::make_shared<net::Router>();
  as_->addRoutes(*public_router_, *mtls_router_);
  ui_->registerRoutes(*public_router_);
  if (admin_section_) {
    admin_router_ = std::make_shared<net::Router>();
    ui_->registerAdminRoutes(*admin_router_);
  } else if (ui_->mode() == authz::ui::InteractionMode::kExternal) {
    return fail(Errc::kInvalidArgument,
                "external interaction mode needs [authz.listeners.admin] for its admin API");
  }
  return ok();
}

void Servers::addListener(net::ListenerConfig listener, std::shared_ptr<const net::Router> router) {
  extra_.emplace_back(std::move(listener), std::move(router));
}

Status Servers::start() {
  net::ServerConfig sc;
  if (as_) {
    GG_TRY(sc.listeners, as_->listenerConfigs());
    if (admin_section_) {
      GG_TRY(net::ListenerConfig admin, config::toNetListener(*admin_section_));
      admin.name = "admin";
      sc.listeners.push_back(std::move(admin));
    }
  }
  if (resource_) GG_TRY(resource_->addListener(sc));
  for (const auto& [listener, router] : extra_) sc.listeners.push_back(listener);
  sc.io_threads = server_section_.io_threads;
  sc.blocking_pool = pool_;
  sc.metrics = metrics_;
  sc.shutdown_timeout = std::chrono::duration_cast<net::Millis>(server_section_.shutdown_timeout);
  if (store_.store) {
    std::shared_ptr<store::Store> db = store_.store;
    sc.ready = [db] { return db->healthy(); };
  }

  server_ = std::make_unique<net::Server>(std::move(sc));
  if (as_) {
    server_->setRouter("public", public_router_);
    server_->setRouter("mtls", mtls_router_);
    if (admin_router_) server_->setRouter("admin", admin_router_);
  }
  if (resource_) resource_->attach(*server_);
  for (const auto& [listener, router] : extra_) server_->setRouter(listener.name, router);
  GG_TRY(server_->start());
  if (as_) {
    GG_TRY(as_->startBackground());
    background_started_ = true;
  }
  if (resource_) resource_->warmUp();
  return ok();
}

void Servers::wait() {
  if (server_) server_->wait();
  if (as_ && background_started_) {
    as_->stopBackground();
    background_started_ = false;
  }
}

}  // namespace gridgate::cli
