#include "servers.h"

#include <stdexcept>

#include "config/document.h"
#include "config/net_listener.h"
#include "pki/layout.h"

namespace gridgate::client::test {

using authz::test::testPki;
using net::test::readFileText;

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().detail);
  return std::move(*r);
}

}  // namespace

authz::test::HarnessOptions Servers::realUi() {
  authz::test::HarnessOptions o;
  o.real_ui = true;
  return o;
}

std::string Servers::signingCaFile() const {
  return pki::Layout::in(testPki().dir).signing.ca.string();
}

Servers::Servers(authz::test::HarnessOptions options) : as(std::move(options)) {
  as.addUser(username, password);
  const authz::test::TestPki& pki = testPki();
  const pki::Layout layout = pki::Layout::in(pki.dir);
  rs_port = net::test::freePort();
  std::string t;
  t += "[resource]\n";
  t += "base_url = \"" + resourceUrl() + "\"\n";
  t += "[resource.signing]\n";
  t += "key = \"" + layout.signing_provider.key.string() + "\"\n";
  t += "bundle = \"" + layout.signing_provider.bundle.string() + "\"\n";
  t += "[resource.token]\n";
  t += "issuer = \"" + issuer() + "\"\n";
  t += "audience = \"" + std::string(authz::test::kResource) + "\"\n";
  t += "ca_file = \"" + pki.server_ca + "\"\n";
  t += "[resource.listener]\n";
  t += "port = " + std::to_string(rs_port) + "\n";
  t += "cert_chain = \"" + pki.server_bundle + "\"\n";
  t += "key = \"" + pki.server_key + "\"\n";
  t += "client_ca = \"" + pki.client_verify_bundle + "\"\n";
  rs_config_text = t;
  auto doc = must(config::Document::parse(t, "resource.toml", as.dir.path(),
                                          config::DocumentOptions{.env = {}}),
                  "resource config parse");
  rs_config = must(resource::parseResourceConfig(doc), "resource config");
  rs = must(resource::ResourceService::create(rs_config, {.clock = &as.clock}), "resource service");
  net::ServerConfig sc;
  sc.listeners.push_back(must(config::toNetListener(rs_config->listener), "resource listener"));
  sc.access_log = false;
  const std::string name = sc.listeners.front().name;
  rs_server = std::make_unique<net::Server>(std::move(sc));
  rs_server->setRouter(name, rs->router());
  if (auto st = rs_server->start(); !st) {
    throw std::runtime_error("resource server start: " + st.error().detail);
  }
  rs_port = rs_server->port(name);
}

Servers::~Servers() {
  if (rs_server) {
    rs_server->stop();
    rs_server->wait();
  }
}

ClientOptions Servers::options(Identity identity) const {
  const authz::test::TestPki& pki = testPki();
  ClientOptions o;
  o.issuer = issuer();
  o.cert_chain_file = pki.files.at(identity).chain;
  o.key_file = pki.files.at(identity).key;
  o.ca_file = pki.server_ca;
  o.redirect_uri = std::string(authz::test::kDemoRedirect);
  if (identity == Identity::kOther) o.redirect_uri = "https://other.example/cb";
  o.resource_base_url = resourceUrl();
  o.signing_ca_pem = readFileText(signingCaFile());
  o.clock = &as.clock;
  return o;
}

std::unique_ptr<FapiClient> Servers::client(Identity identity) const {
  return must(FapiClient::create(options(identity)), "client");
}

}  // namespace gridgate::client::test
