// The real servers a client test talks to, on 127.0.0.1 with the authz test PKI: the
// authorization server (tests/authz harness: both listeners, the built-in login and consent
// pages, SQLite in a temp dir) and the resource server (resource::ResourceService from a TOML
// configuration, validating the AS's JWT access tokens through discovery), both in-process.
//
//   Servers s;                                   // starts both; user "alice" exists
//   auto client = s.client(Identity::kDemo);     // FapiClient with the demo certificate
//   FlowResult r = runFlow(*client, {.username = "alice", .password = s.password});
#pragma once

#include <memory>
#include <string>

#include "client/fapi_client.h"
#include "harness.h"  // tests/authz
#include "net/server.h"
#include "resource/service.h"

namespace gridgate::client::test {

using authz::test::Identity;

class Servers {
 public:
  explicit Servers(authz::test::HarnessOptions options = realUi());
  ~Servers();

  static authz::test::HarnessOptions realUi();

  // Options for `identity`'s certificate (client_id from it), the demo redirect URI, both URLs
  // and the signing CA.
  ClientOptions options(Identity identity) const;
  std::unique_ptr<FapiClient> client(Identity identity) const;

  std::string issuer() const { return as.config->issuer; }
  std::string resourceUrl() const { return "https://localhost:" + std::to_string(rs_port); }
  std::string signingCaFile() const;

  authz::test::Harness as;
  std::string username = "alice";
  std::string password = "correct horse battery staple";
  std::shared_ptr<const resource::ResourceConfig> rs_config;
  std::unique_ptr<resource::ResourceService> rs;
  std::unique_ptr<net::Server> rs_server;
  std::uint16_t rs_port = 0;
  std::string rs_config_text;
};

}  // namespace gridgate::client::test
