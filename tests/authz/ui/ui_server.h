// A real TLS server with the interaction side mounted, for the integration tests and the browser
// test server (ui_test_server): SQLite store in a temp dir, the in-test flow (test_flow.h), a
// minimal GET /authorize standing in for the protocol side, a "client" listener (another origin)
// whose /callback shows what the client received, and a loopback admin listener (the external
// mode's admin API, and POST /test/par to push a request).
//
//   UiServer s;                                 // built-in mode
//   s.addUser("alice", "correct horse battery");
//   std::string uri = s.push();                 // a pending request for kClientId
//   GET s.publicBase() + s.authorizePath(uri)   // the login page
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "authz/ui/interaction_service.h"
#include "core/clock.h"
#include "net/server.h"
#include "store/store.h"
#include "support.h"
#include "test_flow.h"

namespace gridgate::authz::test {

inline constexpr std::string_view kClientId = "https://directory.example/a/carbon-app";
inline constexpr std::string_view kClientName = "Carbon Accounting <Demo> & Co";
inline constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
inline constexpr std::string_view kIssuer = "https://as.example";

struct UiServerOptions {
  ui::InteractionMode mode = ui::InteractionMode::kBuiltin;
  std::string data_dir;  // empty: a fresh temp dir
};

class UiServer {
 public:
  explicit UiServer(UiServerOptions options = {});
  ~UiServer();

  std::string publicBase() const;  // https://127.0.0.1:<port>
  std::string clientBase() const;  // https://127.0.0.1:<port>, another origin
  std::string adminBase() const;   // http://127.0.0.1:<port>
  std::string authorizePath(std::string_view request_uri,
                            std::string_view client_id = kClientId) const;

  store::User addUser(const std::string& username, const std::string& password,
                      const std::string& display_name = {});
  // A pending request for kClientId with redirect clientBase()/callback.
  std::string push(std::string_view scope = {}, std::string_view state = "state-123");

  FakeClock clock;
  std::unique_ptr<net::test::TempDir> temp;
  std::string data_dir;
  std::shared_ptr<store::Store> store;
  std::unique_ptr<TestFlow> flow;
  std::shared_ptr<ui::InteractionService> interaction;
  std::unique_ptr<net::Server> server;
  std::string server_ca;  // PEM trust anchor for the public and client listeners
};

}  // namespace gridgate::authz::test
