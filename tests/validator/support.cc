#include "support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "core/base64.h"
#include "core/random.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "net/form.h"
#include "pki/framework.h"
#include "validator/issuer.h"

namespace gridgate::validator::testing {

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "validator test support: %s\n", what.c_str());
  std::abort();
}

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) die(what + ": " + r.error().detail);
  return std::move(*r);
}
void must(Status s, const std::string& what) {
  if (!s) die(what + ": " + s.error().detail);
}

jose::Signer newSigner(const std::string& kid) {
  auto key = must(crypto::PKey::generate(crypto::KeyType::kEcP256), "key");
  auto jwk = must(jose::Jwk::fromKey(key, kid, jose::Alg::kES256), "jwk");
  return must(jose::Signer::create(jose::Alg::kES256, jwk), "signer");
}

}  // namespace

x509::Certificate TestPki::cert(const std::string& leaf) const {
  return must(x509::Certificate::fromPem(readText(leaves.at(leaf).cert)), "cert " + leaf);
}

std::vector<x509::Certificate> TestPki::bundle(const std::string& leaf) const {
  return must(x509::parsePemBundle(readText(leaves.at(leaf).bundle)), "bundle " + leaf);
}

const TestPki& testPki() {
  static TempDir dir;
  static const TestPki pki = [] {
    TestPki p;
    p.dir = dir.path();
    const std::int64_t now = SystemClock::instance().unixSeconds() - 3600;
    pki::InitOptions options;
    options.now = now;
    options.durable = false;
    options.dir = p.dir / "framework";
    auto init = must(pki::init(options), "pki::init");
    p.layout = init.layout;
    p.ids = pki::sandboxIdentities();
    p.server_ca = p.layout.server.ca.string();
    p.server_bundle = p.layout.server_leaf.bundle.string();
    p.server_key = p.layout.server_leaf.key.string();
    p.client_verify_bundle = p.layout.client.verify_bundle.string();

    auto add = [&](const std::string& name, const pki::LeafFiles& f, const std::string& app) {
      p.leaves[name] = Leaf{f.cert.string(), f.key.string(), f.bundle.string(), app};
    };
    add("demo", p.layout.client_demo, p.ids.demo_application);
    add("other", p.layout.client_other, p.ids.other_application);

    auto issue = [&](const std::string& name, std::vector<std::string> roles) {
      const std::string app = pki::applicationUrl(pki::kDefaultDirectory, "validator-" + name);
      auto leaf =
          must(pki::issueLeaf(
                   p.layout, {.hierarchy = pki::Hierarchy::kClient,
                              .application = app,
                              .member = pki::memberUrl(pki::kDefaultDirectory, "validator-" + name),
                              .roles = std::move(roles),
                              .now = now}),
               "issue " + name);
      const pki::LeafFiles files = p.layout.leaf(pki::Hierarchy::kClient, name);
      must(pki::writeLeaf(leaf, files, pki::Overwrite::kYes), "write " + name);
      add(name, files, app);
      return leaf;
    };
    issue("provider", {p.ids.provider_role});
    auto revoked = issue("revoked", {p.ids.client_role});
    must(pki::revoke(p.layout, revoked.cert, now), "revoke");
    p.client_crl = p.layout.client.crl.string();

    options.dir = p.dir / "rogue";
    auto rogue = must(pki::init(options), "pki::init rogue");
    add("rogue", rogue.layout.client_demo, p.ids.demo_application);
    return p;
  }();
  return pki;
}

// ---------------------------------------------------------------------------------------------

TestIssuer::TestIssuer(const Clock& clock, TestIssuerOptions options)
    : clock_(clock), options_(std::move(options)) {
  const TestPki& pki = testPki();
  if (options_.client_id.empty()) options_.client_id = pki.leaves.at("provider").application;
  published_.push_back(newSigner("key-1"));

  net::ServerConfig cfg;
  cfg.access_log = false;
  cfg.blocking_threads = 8;
  net::ListenerConfig& pub = cfg.listeners.emplace_back();
  pub.name = "public";
  pub.tls = net::TlsServerConfig{.certificates = {{pki.server_bundle, pki.server_key}}};
  net::ListenerConfig& mtls = cfg.listeners.emplace_back();
  mtls.name = "mtls";
  mtls.tls = net::TlsServerConfig{.certificates = {{pki.server_bundle, pki.server_key}},
                                  .client_cert = net::ClientCertMode::kRequire,
                                  .client_ca_file = pki.client_verify_bundle};

  auto pub_router = std::make_shared<net::Router>();
  pub_router->get("/.well-known/oauth-authorization-server",
                  [this](const net::Request&) { return metadata(false); });
  pub_router->get("/.well-known/openid-configuration",
                  [this](const net::Request&) { return metadata(true); });
  pub_router->get("/jwks", [this](const net::Request&) -> net::Response {
    ++jwks_calls_;
    if (down_) return net::Response::text(503, "down");
    std::vector<jose::Jwk> keys;
    {
      std::lock_guard lock(mu_);
      for (const auto& s : published_) keys.push_back(s.jwk());
    }
    auto set = must(jose::Jwks::fromKeys(std::move(keys)), "jwks");
    return net::Response::json(200, set.toPublicJson());
  });
  // Handlers run on the I/O thread (not offloaded): see the report on offloaded responses that
  // sometimes never leave the server. Holding introspection blocks this test server only.
  pub_router->post("/introspect",
                   [this](const net::Request& req) { return introspect(req, false); });
  pub_router->get("/userinfo", [this](const net::Request& req) { return userinfo(req); });
  auto mtls_router = std::make_shared<net::Router>();
  mtls_router->post("/introspect",
                    [this](const net::Request& req) { return introspect(req, true); });

  server_ = std::make_unique<net::Server>(std::move(cfg));
  server_->setRouter("public", pub_router);
  server_->setRouter("mtls", mtls_router);
  must(server_->start(), "test issuer start");
  issuer_ = "https://127.0.0.1:" + std::to_string(server_->port("public"));
  mtls_base_ = "https://127.0.0.1:" + std::to_string(server_->port("mtls"));
}

TestIssuer::~TestIssuer() {
  open();
  stop();
}

std::uint16_t TestIssuer::publicPort() const { return server_ ? server_->port("public") : 0; }
std::uint16_t TestIssuer::mtlsPort() const { return server_ ? server_->port("mtls") : 0; }

void TestIssuer::stop() {
  if (!server_) return;
  server_->stop();
  server_->wait();
  server_.reset();
}

void TestIssuer::holdIntrospection() {
  std::lock_guard lock(mu_);
  hold_ = true;
}

void TestIssuer::open() {
  {
    std::lock_guard lock(mu_);
    hold_ = false;
  }
  hold_cv_.notify_all();
}

std::string TestIssuer::lastIntrospectionAuth() const {
  std::lock_guard lock(mu_);
  return last_auth_;
}

net::Response TestIssuer::metadata(bool oidc) {
  ++discovery_calls_;
  if (down_) return net::Response::text(503, "down");
  if (!oidc && !options_.rfc8414) return net::Response::text(404, "not found");
  Json m{{"issuer", options_.metadata_issuer.empty() ? issuer_ : options_.metadata_issuer},
         {"jwks_uri", issuer_ + "/jwks"}};
  if (options_.advertise_introspection) {
    m["introspection_endpoint"] = issuer_ + "/introspect";
    m["mtls_endpoint_aliases"] = Json{{"introspection_endpoint", mtls_base_ + "/introspect"}};
  }
  if (options_.advertise_userinfo) m["userinfo_endpoint"] = issuer_ + "/userinfo";
  return net::Response::json(200, m);
}

net::Response TestIssuer::introspect(const net::Request& req, bool mtls) {
  ++introspection_calls_;
  if (down_) return net::Response::text(503, "down");
  auto form = net::parseForm(req.body);
  if (!form || form->get("token") == nullptr) return net::Response::text(400, "bad form");
  std::string who;
  if (mtls) {
    const std::string* client_id = form->get("client_id");
    if (!req.peer.client_cert || client_id == nullptr) return net::Response::text(401, "no client");
    auto uri = req.peer.client_cert->leaf.applicationUri();
    if (!uri || *uri != *client_id || *client_id != options_.client_id) {
      return net::Response::json(401, Json{{"error", "invalid_client"}});
    }
    who = "mtls:" + *uri;
  } else {
    const auto auth = req.headers.get("authorization");
    const std::string want =
        "Basic " + base64Encode(asBytes(formUrlEncode(options_.client_id) + ":" +
                                        formUrlEncode(options_.client_secret)));
    if (!auth || *auth != want) return net::Response::json(401, Json{{"error", "invalid_client"}});
    who = "basic:" + options_.client_id;
  }
  const std::string token = *form->get("token");
  Json answer{{"active", false}};
  {
    std::unique_lock lock(mu_);
    last_auth_ = who;
    hold_cv_.wait(lock, [&] { return !hold_; });
    if (const auto it = opaque_.find(token); it != opaque_.end()) answer = it->second;
  }
  return net::Response::json(200, answer);
}

net::Response TestIssuer::userinfo(const net::Request& req) {
  ++userinfo_calls_;
  if (down_) return net::Response::text(503, "down");
  const auto auth = req.headers.get("authorization");
  if (auth && auth->starts_with("Bearer ")) {
    std::lock_guard lock(mu_);
    if (const auto it = userinfo_.find(std::string(auth->substr(7))); it != userinfo_.end()) {
      return net::Response::json(200, it->second);
    }
  }
  return net::Response::text(401, "").header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
}

Json TestIssuer::defaultClaims(const std::optional<x509::Certificate>& bound_to) const {
  const std::int64_t now = clock_.unixSeconds();
  std::string client_id = testPki().ids.demo_application;
  if (bound_to) {
    if (auto uri = bound_to->applicationUri()) client_id = *uri;
  }
  Json c{{"iss", issuer_},
         {"aud", std::string(kAudience)},
         {"sub", "user-1"},
         {"client_id", client_id},
         {"iat", now},
         {"exp", now + 600},
         {"jti", randomToken(16)},
         {"scope", std::string(kLicence)},
         {"grant_id", "grant-" + randomToken(8)}};
  if (bound_to) c["cnf"] = Json{{"x5t#S256", bound_to->thumbprint()}};
  return c;
}

namespace {
Json merged(Json base, const Json& over) {
  for (const auto& [k, v] : over.items()) {
    if (v.is_null()) {
      base.erase(k);
    } else {
      base[k] = v;
    }
  }
  return base;
}
}  // namespace

std::string TestIssuer::jwtSignedBy(const jose::Signer& signer, const Json& claims,
                                    const std::optional<x509::Certificate>& bound_to,
                                    const Json& header) const {
  return must(signer.sign(header, dumpJson(merged(defaultClaims(bound_to), claims))), "sign");
}

std::string TestIssuer::jwt(const Json& claims, const std::optional<x509::Certificate>& bound_to,
                            const Json& header) const {
  std::lock_guard lock(mu_);
  return jwtSignedBy(published_.back(), claims, bound_to, header);
}

std::string TestIssuer::opaque(const Json& answer,
                               const std::optional<x509::Certificate>& bound_to) {
  const std::string token = randomToken(32);
  Json a = merged(defaultClaims(bound_to), answer);
  a["active"] = true;
  a["token_type"] = "Bearer";
  std::lock_guard lock(mu_);
  opaque_[token] = merged(std::move(a), answer);
  return token;
}

std::string TestIssuer::userinfoToken(const Json& claims) {
  const std::string token = randomToken(32);
  std::lock_guard lock(mu_);
  userinfo_[token] = claims;
  return token;
}

void TestIssuer::deactivate(const std::string& token) {
  std::lock_guard lock(mu_);
  opaque_[token] = Json{{"active", false}};
}

void TestIssuer::rotateKey(bool keep_old) {
  std::lock_guard lock(mu_);
  jose::Signer next = newSigner("key-" + std::to_string(published_.size() + 1));
  if (!keep_old) published_.clear();
  published_.push_back(std::move(next));
}

// ---------------------------------------------------------------------------------------------

ValidatorConfig baseConfig(const TestIssuer& issuer, TokenMode mode) {
  const TestPki& pki = testPki();
  ValidatorConfig c;
  c.realm = "test-provider";
  IssuerConfig& is = c.issuers.emplace_back();
  is.issuer = issuer.issuer();
  is.mode = mode;
  is.audiences = {std::string(kAudience)};
  is.introspection.client_id = pki.leaves.at("provider").application;
  is.tls.ca_file = pki.server_ca;
  is.tls.cert_chain_file = pki.leaves.at("provider").bundle;
  is.tls.key_file = pki.leaves.at("provider").key;
  return c;
}

std::shared_ptr<Validator> makeValidator(const TestIssuer& issuer, TokenMode mode,
                                         const Clock& clock,
                                         const std::function<void(ValidatorConfig&)>& tweak,
                                         std::shared_ptr<MetricsSink> metrics) {
  ValidatorConfig c = baseConfig(issuer, mode);
  if (tweak) tweak(c);
  return must(Validator::create(std::move(c), {.fetcher = std::make_shared<http::NetFetcher>(),
                                               .clock = &clock,
                                               .metrics = std::move(metrics)}),
              "Validator::create");
}

TestRequest TestRequest::bearer(const std::string& token, std::optional<x509::Certificate> cert) {
  TestRequest r;
  r.authorization.push_back("Bearer " + token);
  r.cert = std::move(cert);
  return r;
}

RequestView TestRequest::view() {
  views.assign(authorization.begin(), authorization.end());
  RequestView v;
  v.authorization = views;
  v.token_in_query = token_in_query;
  v.token_in_body = token_in_body;
  v.client_cert = cert ? &*cert : nullptr;
  v.chain = chain;
  return v;
}

}  // namespace gridgate::validator::testing
