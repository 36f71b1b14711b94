#include "server_support.h"

#include <gtest/gtest.h>

#include "pki/files.h"
#include "validator/http/net_fetcher.h"

namespace gridgate::resource::test {

using validator::testing::testPki;

ResourceEnv::ResourceEnv(const validator::testing::TestIssuer& as, const Clock& clock,
                         validator::TokenMode mode, const Tweak& tweak,
                         std::optional<store::RedisOptions> revocation_bus)
    : issuer(as) {
  const auto& pki = testPki();
  for (const auto& [name, leaf] : pki.leaves) {
    identities_[name] = Identity{leaf.bundle, leaf.key, pki.cert(name)};
  }
  // A client certificate of the right CA with another role (financial-service-provider).
  const std::string app = pki::applicationUrl(pki::kDefaultDirectory, "resource-otherrole");
  auto otherrole = pki::issueLeaf(
      pki.layout,
      {.hierarchy = pki::Hierarchy::kClient,
       .application = app,
       .member = pki::memberUrl(pki::kDefaultDirectory, "x"),
       .roles = {pki::roleUrl(pki::kDefaultRegistry, pki::kRoleFinancialServiceProvider)},
       .now = SystemClock::instance().unixSeconds() - 60});
  if (!otherrole) ADD_FAILURE() << "otherrole leaf: " << otherrole.error().detail;
  const pki::LeafFiles files{dir.path() / "otherrole-cert.pem", dir.path() / "otherrole-key.pem",
                             dir.path() / "otherrole-bundle.pem"};
  if (otherrole) (void)pki::writeLeaf(*otherrole, files, pki::Overwrite::kYes);
  identities_["otherrole"] =
      Identity{files.bundle.string(), files.key.string(),
               otherrole ? std::optional<x509::Certificate>(otherrole->cert) : std::nullopt};
  identities_[""] = Identity{};

  std::filesystem::create_directories(dir.path() / "datasets");
  postcodes = "outcode,latitude,longitude\nOX4,51.73,-1.21\nSW1A,51.50,-0.14\n";
  writeText(dir.path() / "datasets" / "postcodes.csv", postcodes);
  writeText(dir.path() / "datasets" / "secret.csv", "not listed\n");

  auto cfg = std::make_shared<ResourceConfig>();
  cfg->base_url = std::string(validator::testing::kAudience);
  cfg->signing_key = pki.layout.signing_provider.key;
  cfg->signing_bundle = pki.layout.signing_provider.bundle;
  cfg->token = validator::testing::baseConfig(as, mode);
  cfg->datasets_dir = dir.path() / "datasets";
  cfg->datasets = {DatasetFile{.name = "postcodes.csv", .scope = std::string(kPostcodesScope)}};
  if (tweak) tweak(*cfg);
  config = cfg;

  pool = std::make_shared<net::BlockingPool>(2);
  auto s = ResourceServe::fromConfig(config, {.clock = &clock,
                                              .pool = pool,
                                              .metrics = nullptr,
                                              .fetcher = nullptr,
                                              .revocation_bus = std::move(revocation_bus)});
  if (!s) {
    ADD_FAILURE() << "ResourceServe::fromConfig: " << s.error().detail;
    return;
  }
  serve = std::move(*s);
  service = &serve->service();

  net::ServerConfig sc;
  sc.access_log = false;
  sc.blocking_pool = pool;
  net::ListenerConfig& mtls = sc.listeners.emplace_back();
  mtls.name = "mtls";
  mtls.tls = net::TlsServerConfig{.certificates = {{pki.server_bundle, pki.server_key}},
                                  .client_cert = net::ClientCertMode::kRequire,
                                  .client_ca_file = pki.client_verify_bundle,
                                  .crl_file = pki.client_crl};
  net::ListenerConfig& optional = sc.listeners.emplace_back();
  optional.name = "optional";
  optional.tls = net::TlsServerConfig{.certificates = {{pki.server_bundle, pki.server_key}},
                                      .client_cert = net::ClientCertMode::kOptional,
                                      .client_ca_file = pki.client_verify_bundle};
  net::ListenerConfig& proxied = sc.listeners.emplace_back();
  proxied.name = "proxied";
  proxied.trusted_proxy = net::TrustedProxyConfig{.proxies = {"127.0.0.1/32"},
                                                  .header = "X-Amzn-Mtls-Clientcert-Leaf",
                                                  .client_ca_file = pki.client_verify_bundle};
  server = std::make_unique<net::Server>(std::move(sc));
  server->setRouter(service->router());
  if (auto st = server->start(); !st) ADD_FAILURE() << "server: " << st.error().detail;
}

ResourceEnv::~ResourceEnv() {
  clients_.clear();
  if (server) {
    server->stop();
    server->wait();
  }
}

std::string ResourceEnv::tokenFor(const std::string& leaf, const Json& claims) const {
  return issuer.jwt(claims, cert(leaf));
}

x509::Certificate ResourceEnv::cert(const std::string& leaf) const {
  return *identities_.at(leaf).cert;
}

net::HttpClient& ResourceEnv::client(const std::string& leaf) {
  auto& c = clients_[leaf];
  if (!c) {
    const Identity& id = identities_.at(leaf);
    net::ClientConfig cc;
    cc.tls.ca_file = testPki().server_ca;
    cc.tls.cert_chain_file = id.bundle;
    cc.tls.key_file = id.key;
    cc.retry.max_attempts = 1;
    cc.max_response_bytes = 64 * 1024 * 1024;
    auto created = net::HttpClient::create(cc);
    if (!created) ADD_FAILURE() << "client " << leaf << ": " << created.error().detail;
    c = std::move(*created);
  }
  return *c;
}

Result<net::ClientResponse> ResourceEnv::send(
    const std::string& leaf, const std::string& target, const std::string& token,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& listener,
    net::Method method) {
  return sendToPort(port(listener), leaf, target, token, headers, method);
}

Result<net::ClientResponse> ResourceEnv::sendToPort(
    std::uint16_t to_port, const std::string& leaf, const std::string& target,
    const std::string& token, const std::vector<std::pair<std::string, std::string>>& headers,
    net::Method method) {
  net::ClientRequest req;
  req.method = method;
  req.url = "https://127.0.0.1:" + std::to_string(to_port) + target;
  if (!token.empty()) req.headers.add("Authorization", "Bearer " + token);
  for (const auto& [k, v] : headers) req.headers.add(k, v);
  return client(leaf).send(std::move(req));
}

net::ClientResponse ResourceEnv::get(
    const std::string& leaf, const std::string& target, const std::string& token,
    const std::vector<std::pair<std::string, std::string>>& headers, const std::string& listener) {
  auto r = send(leaf, target, token, headers, listener);
  if (!r) {
    ADD_FAILURE() << target << " as " << leaf << ": " << r.error().detail;
    return {};
  }
  return std::move(*r);
}

}  // namespace gridgate::resource::test
