#include "ui_server.h"

#include <gtest/gtest.h>

#include "authz/ui/pages.h"
#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "core/json.h"
#include "net/form.h"
#include "store/sqlite/sqlite_store.h"

namespace gridgate::authz::test {

namespace {

// The protocol side's GET /authorize, reduced to what the interaction needs: the real one also
// refuses extra parameters and logs.
net::Response authorize(const net::Request& req, AuthorizationFlow& flow,
                        ui::InteractionService& interaction) {
  const ui::PageBrand brand{"Example Energy"};
  auto query = net::parseQuery(req.query);
  if (!query || !query->duplicates().empty()) {
    return ui::errorPage(400, "This sign-in link is not valid", "The link is malformed.", brand);
  }
  auto client_id = query->single("client_id");
  auto request_uri = query->single("request_uri");
  if (!client_id || !request_uri) {
    return ui::errorPage(400, "This sign-in link is not valid", "The link is incomplete.", brand);
  }
  auto pending = flow.lookup(*client_id, *request_uri);
  if (!pending) {
    return ui::errorPage(400, "This sign-in link is not valid or has expired",
                         "Go back to the app that sent you here and start again.", brand);
  }
  return interaction.begin(req, *pending);
}

}  // namespace

UiServer::UiServer(UiServerOptions options) : clock(SystemClock::instance().unixSeconds()) {
  if (options.data_dir.empty()) {
    temp = std::make_unique<net::test::TempDir>();
    data_dir = temp->path();
  } else {
    data_dir = options.data_dir;
  }
  auto db = store::openSqlite({.path = data_dir + "/gridgate.db"});
  EXPECT_TRUE(db) << db.error().detail;
  store = *db;
  flow = std::make_unique<TestFlow>(store, clock, std::string(kIssuer));

  ui::InteractionDeps deps;
  deps.store = store;
  deps.flow = flow.get();
  deps.clock = &clock;
  deps.clients = [](std::string_view id) -> std::optional<ui::ClientDisplay> {
    if (id == kClientId) return ui::ClientDisplay{std::string(kClientName)};
    return std::nullopt;
  };
  deps.settings.mode = options.mode;
  deps.settings.issuer = std::string(kIssuer);
  deps.settings.brand.provider_name = "Example Energy";
  // Cheap hashes keep the tests fast; the default parameters are tested in the unit test.
  deps.settings.password = ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
  deps.settings.external.login_url = "https://login.example/login";
  deps.settings.external.consent_url = "https://login.example/consent";

  auto made = ui::makeInteraction(std::move(deps));
  EXPECT_TRUE(made) << made.error().detail;
  interaction = *made;

  const net::test::Pki& pki = net::test::testPki();
  server_ca = pki.server_ca;
  net::ServerConfig cfg;
  cfg.access_log = false;
  auto tlsListener = [&](const char* name) {
    net::ListenerConfig l;
    l.name = name;
    l.tls = net::TlsServerConfig{
        .certificates = {{.chain_file = pki.server_chain, .key_file = pki.server_key}}};
    return l;
  };
  cfg.listeners.push_back(tlsListener("public"));
  cfg.listeners.push_back(tlsListener("client"));
  net::ListenerConfig admin;
  admin.name = "admin";
  cfg.listeners.push_back(admin);
  server = std::make_unique<net::Server>(std::move(cfg));

  auto pub = std::make_shared<net::Router>();
  pub->get("/authorize",
           [this](const net::Request& r) { return authorize(r, *flow, *interaction); },
           {.offload = true});
  ui::registerInteractionRoutes(*pub, interaction);

  auto client = std::make_shared<net::Router>();
  client->get("/callback", [](const net::Request& r) {
    auto q = net::parseQuery(r.query);
    std::string summary;
    if (q) {
      for (const auto& [k, v] : q->pairs()) summary += k + "=" + v + "\n";
    }
    ui::Context ctx;
    ctx.set("title", "Back at the app").set("message", summary);
    auto page = ui::pages().page(200, "message.html", "Back at the app", std::move(ctx),
                                 ui::PageBrand{"Carbon Accounting (client)"});
    return page ? std::move(*page) : net::Response::text(500, "render");
  });

  auto adm = std::make_shared<net::Router>();
  ui::registerAdminRoutes(*adm, interaction);
  adm->post("/test/par", [this](const net::Request& r) {
    auto form = net::parseForm(r.body);
    std::string scope, state = "state-123";
    if (form) {
      if (const std::string* s = form->get("scope")) scope = *s;
      if (const std::string* s = form->get("state")) state = *s;
    }
    std::string uri = push(scope, state);
    return net::Response::json(
        200, Json{{"request_uri", uri}, {"authorize_url", publicBase() + authorizePath(uri)}});
  });
  adm->get("/test/last-evidence", [this](const net::Request&) {
    return net::Response::json(
        200, Json{{"evidence_url", publicBase() + "/evidence/" + flow->lastGrant().evidence_id}});
  });
  server->setRouter("public", pub);
  server->setRouter("client", client);
  server->setRouter("admin", adm);
  auto st = server->start();
  EXPECT_TRUE(st) << st.error().detail;
}

UiServer::~UiServer() {
  if (server) {
    server->stop();
    server->wait();
  }
}

std::string UiServer::publicBase() const {
  return "https://127.0.0.1:" + std::to_string(server->port("public"));
}
std::string UiServer::clientBase() const {
  return "https://127.0.0.1:" + std::to_string(server->port("client"));
}
std::string UiServer::adminBase() const {
  return "http://127.0.0.1:" + std::to_string(server->port("admin"));
}

std::string UiServer::authorizePath(std::string_view request_uri,
                                    std::string_view client_id) const {
  return "/authorize?" + net::encodeForm({{"client_id", std::string(client_id)},
                                          {"request_uri", std::string(request_uri)}});
}

store::User UiServer::addUser(const std::string& username, const std::string& password,
                              const std::string& display_name) {
  auto user = ui::createUser(
      store->users(), {.username = username, .password = password, .display_name = display_name},
      ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1}, clock);
  EXPECT_TRUE(user) << user.error().detail;
  return user ? *user : store::User{};
}

std::string UiServer::push(std::string_view scope, std::string_view state) {
  std::string s = scope.empty() ? std::string(kLicence) + " offline_access" : std::string(scope);
  return flow->push(kClientId, clientBase() + "/callback", s, state);
}

}  // namespace gridgate::authz::test
