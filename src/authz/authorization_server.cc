#include "authz/authorization_server.h"

#include <fstream>
#include <sstream>

#include "authz/introspection_endpoint.h"
#include "authz/metadata.h"
#include "authz/permissions_endpoint.h"
#include "authz/revocation_endpoint.h"
#include "authz/subject_rules.h"
#include "authz/token_endpoint.h"
#include "authz/userinfo_endpoint.h"
#include "config/net_listener.h"
#include "core/log.h"

namespace gridgate::authz {

namespace {

Result<std::string> readText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The longest-lived token our keys sign (access token, id token; an introspection JWT is used at
// once): how long a key stays published after it stopped signing (FAPI-CHECKLIST 60).
Seconds maxTokenLifetime(const AuthzConfig& cfg) {
  return std::max(cfg.access_token_lifetime, cfg.id_token_lifetime);
}

}  // namespace

AuthorizationServer::AuthorizationServer(AuthzServerOptions options)
    : options_(std::move(options)) {}

AuthorizationServer::~AuthorizationServer() { stopBackground(); }

Result<std::unique_ptr<AuthorizationServer>> AuthorizationServer::create(
    AuthzServerOptions options) {
  if (!options.config || !options.store || options.clock == nullptr) {
    return fail(Errc::kInvalidArgument, "authorization server needs config, store and clock");
  }
  if (!options.publisher) options.publisher = std::make_shared<NoopRevocationPublisher>();
  const AuthzConfig& cfg = *options.config;

  // FAPI-CHECKLIST 12: users created before a client was registered must not resemble it.
  GG_TRY(std::vector<store::User> users, options.store->users().list());
  for (const store::User& u : users) {
    if (auto st = checkUserSubject(u.subject, &cfg.clients); !st) {
      return fail(Errc::kInvalidArgument,
                  "user " + u.username + ": " + st.error().detail +
                      " (FAPI-CHECKLIST 12: rename the user or the client)");
    }
  }
  bool needs_messages = false;
  for (const ClientConfig& c : cfg.clients.all()) {
    needs_messages = needs_messages || !c.message_delivery_url.empty();
  }
  if (needs_messages && cfg.messages.cert_chain.empty()) {
    return fail(Errc::kInvalidArgument,
                "a client has message_delivery_url but [authz.messages] has no cert_chain/key "
                "(revocation messages are sent over mTLS)");
  }

  std::unique_ptr<AuthorizationServer> as(new AuthorizationServer(std::move(options)));
  AuthzContext& ctx = as->ctx_;
  ctx.config = as->options_.config;
  ctx.store = as->options_.store;
  ctx.clock = as->options_.clock;
  GG_TRY(ctx.auth, ClientAuthenticator::create(ctx.config, ctx.store, *ctx.clock));
  GG_TRY(ctx.keys,
         SigningKeys::open(ctx.store->keys(), cfg.signing, maxTokenLifetime(cfg), *ctx.clock));
  ctx.tokens = std::make_shared<TokenIssuer>(ctx.config, ctx.keys, *ctx.clock);
  ctx.revoker =
      std::make_shared<Revoker>(ctx.config, ctx.store, as->options_.publisher, *ctx.clock);

  as->flow_ = std::make_unique<Flow>(ctx);
  as->lookup_ = std::make_shared<TokenLookup>(ctx);
  as->authorize_ = std::make_unique<AuthorizeEndpoint>(*as->flow_, ctx.config);
  as->token_ = std::make_unique<TokenEndpoint>(ctx);
  as->introspection_ = std::make_unique<IntrospectionEndpoint>(ctx, as->lookup_);
  as->revocation_ = std::make_unique<RevocationEndpoint>(ctx, as->lookup_);
  as->permissions_ = std::make_unique<PermissionsEndpoint>(ctx, as->lookup_);
  as->userinfo_ = std::make_unique<UserinfoEndpoint>(ctx, as->lookup_);
  if (!cfg.messages.cert_chain.empty()) {
    GG_TRY(as->delivery_, MessageDelivery::create(cfg.messages, ctx.store, *ctx.clock));
  }
  as->metadata_json_ = dumpJson(authorizationServerMetadata(cfg));
  return as;
}

void AuthorizationServer::setInteraction(std::shared_ptr<Interaction> interaction) {
  authorize_->setInteraction(std::move(interaction));
}

void AuthorizationServer::addRoutes(net::Router& pub, net::Router& mtls) {
  const net::RouteOptions blocking{.offload = true};
  const net::RouteOptions backchannel{.offload = true, .max_body_bytes = 64 * 1024};

  pub.get(
      "/authorize", [this](const net::Request& r) { return authorize_->handle(r); }, blocking);
  const auto metadata = [this](const net::Request&) {
    net::Response r = net::Response::jsonText(200, metadata_json_);
    r.header("Cache-Control", "public, max-age=300");
    return r;
  };
  pub.get("/.well-known/oauth-authorization-server", metadata);
  pub.get("/.well-known/openid-configuration", metadata);
  pub.get("/jwks", [this](const net::Request&) {
    auto set = ctx_.keys->current();
    if (!set) return net::Response::json(503, Json{{"error", "temporarily_unavailable"}});
    net::Response r = net::Response::jsonText(200, set->jwks_json);
    r.header("Content-Type", "application/jwk-set+json");
    // Short: a staged key must reach verifiers before it signs (FAPI-CHECKLIST 60).
    r.header("Cache-Control", "public, max-age=60");
    return r;
  });

  mtls.post(
      "/par", [this](const net::Request& r) { return flow_->par(r); }, backchannel);
  mtls.post(
      "/token", [this](const net::Request& r) { return token_->handle(r); }, backchannel);
  mtls.post(
      "/introspect", [this](const net::Request& r) { return introspection_->handle(r); },
      backchannel);
  mtls.post(
      "/revoke", [this](const net::Request& r) { return revocation_->handle(r); }, backchannel);
  mtls.post(
      "/permissions", [this](const net::Request& r) { return permissions_->handle(r); },
      backchannel);
  mtls.get(
      "/userinfo", [this](const net::Request& r) { return userinfo_->handle(r); }, blocking);
}

Result<std::vector<net::ListenerConfig>> AuthorizationServer::listenerConfigs() const {
  const AuthzConfig& cfg = *ctx_.config;
  GG_TRY(net::ListenerConfig pub, config::toNetListener(cfg.public_listener));
  GG_TRY(net::ListenerConfig mtls, config::toNetListener(cfg.mtls_listener));
  pub.name = "public";
  mtls.name = "mtls";
  pub.metrics_endpoint = cfg.public_listener.metrics_endpoint;
  std::string self_signed;
  for (const ClientConfig& c : cfg.clients.all()) {
    for (const std::string& pem : c.self_signed_certificates_pem) self_signed += pem;
  }
  if (!self_signed.empty() && mtls.tls) {
    // The handshake must accept the self-signed certificates of self_signed_tls_client_auth
    // clients; which client a certificate may authenticate is decided per request
    // (ClientAuthenticator), where tls_client_auth clients are checked against the client CA
    // alone.
    if (options_.state_dir.empty()) {
      return fail(Errc::kInvalidArgument,
                  "state_dir is required for self-signed client certificates");
    }
    GG_TRY(std::string anchors, readText(mtls.tls->client_ca_file));
    std::error_code ec;
    std::filesystem::create_directories(options_.state_dir, ec);
    const std::filesystem::path bundle = options_.state_dir / "mtls-client-anchors.pem";
    std::ofstream out(bundle, std::ios::binary | std::ios::trunc);
    out << anchors;
    if (!anchors.empty() && anchors.back() != '\n') out << '\n';
    out << self_signed;
    out.close();
    if (!out) return fail(Errc::kIo, "cannot write " + bundle.string());
    mtls.tls->client_ca_file = bundle.string();
  }
  return std::vector<net::ListenerConfig>{std::move(pub), std::move(mtls)};
}

Status AuthorizationServer::runMaintenanceOnce() {
  const std::int64_t now = ctx_.clock->unixSeconds();
  Status result = ok();
  if (delivery_ && now >= next_delivery_) {
    if (auto n = delivery_->deliverDue(); !n) {
      log::warn("message delivery: {}", n.error().detail);
      result = fail(n.error());
    }
    next_delivery_ = now + ctx_.config->messages.poll_interval.count();
  }
  if (now >= next_key_reload_) {
    if (auto st = ctx_.keys->reload(); !st) {
      log::warn("signing keys reload: {}", st.error().detail);
      result = st;
    }
    next_key_reload_ = now + options_.key_reload_interval.count();
  }
  if (now >= next_sweep_) {
    if (auto n = ctx_.store->sweep(now); !n) {
      log::warn("store sweep: {}", n.error().detail);
      result = fail(n.error());
    } else if (*n > 0) {
      log::debug("store sweep removed {} rows", *n);
    }
    next_sweep_ = now + options_.sweep_interval.count();
  }
  return result;
}

Status AuthorizationServer::startBackground() {
  std::lock_guard lock(bg_mu_);
  if (bg_thread_.joinable()) return ok();
  bg_stop_ = false;
  bg_thread_ = std::thread([this] { backgroundLoop(); });
  return ok();
}

void AuthorizationServer::stopBackground() {
  {
    std::lock_guard lock(bg_mu_);
    bg_stop_ = true;
  }
  bg_cv_.notify_all();
  if (bg_thread_.joinable()) bg_thread_.join();
}

void AuthorizationServer::backgroundLoop() {
  std::unique_lock lock(bg_mu_);
  while (!bg_stop_) {
    lock.unlock();
    (void)runMaintenanceOnce();  // failures are logged there and retried next round
    lock.lock();
    bg_cv_.wait_for(lock, options_.tick, [this] { return bg_stop_; });
  }
}

}  // namespace gridgate::authz
