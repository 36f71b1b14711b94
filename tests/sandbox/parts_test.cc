// The sandbox's parts without sockets: ports, the directory it makes (PKI, a configuration that
// every module's parser accepts, with the ports applied), the demo users and their password file,
// and the demo pages (chart, escaping, headers).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "authz/config.h"
#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "cli/sandbox/demo_pages.h"
#include "cli/sandbox/files.h"
#include "cli/servers.h"
#include "config/document.h"
#include "core/clock.h"
#include "pki/files.h"
#include "resource/config.h"
#include "store/sqlite/sqlite_store.h"
#include "support.h"

namespace gridgate::cli::sandbox {
namespace {

using net::test::TempDir;

TEST(SandboxPorts, ParseAndOffset) {
  auto p = parsePorts("9000,9001,9010,9020");
  ASSERT_TRUE(p) << p.error().detail;
  EXPECT_EQ(p->authz_public, 9000);
  EXPECT_EQ(p->demo, 9020);
  EXPECT_EQ(p->issuer(), "https://localhost:9000");
  EXPECT_EQ(p->demoRedirectUri(), "https://localhost:9020/callback");
  EXPECT_EQ(p->cliRedirectUri(), "https://127.0.0.1:9020/callback");
  for (const char* bad : {"", "9000", "9000,9001,9010", "9000,9001,9010,9020,9030",
                          "9000,9001,9010,x", "9000,9001,9010,0", "9000,9001,9010,65536",
                          "9000,9001,9010,9000", "9000, 9001,9010,9020"}) {
    EXPECT_FALSE(parsePorts(bad)) << bad;
  }
  auto o = withOffset(100);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->authz_public, 8100);
  EXPECT_EQ(o->authz_mtls, 8101);
  EXPECT_EQ(o->resource, 8110);
  EXPECT_EQ(o->demo, 8120);
  EXPECT_FALSE(withOffset(57600));
  EXPECT_FALSE(withOffset(-8000));
  EXPECT_TRUE(withOffset(-7999));
}

TEST(SandboxFiles, PreparedDirectoryConfiguresEveryServer) {
  TempDir tmp;
  const Layout files = Layout::in(tmp.path() + "/sb");
  auto prepared = prepare(files, SystemClock::instance());
  ASSERT_TRUE(prepared) << prepared.error().detail;
  EXPECT_TRUE(prepared->created_pki);
  EXPECT_TRUE(prepared->created_config);
  EXPECT_TRUE(std::filesystem::exists(files.pki.client_demo.bundle));
  EXPECT_TRUE(std::filesystem::exists(files.readme));
  struct stat st {};
  ASSERT_EQ(::stat(files.dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  // Twice is harmless; the file is not rewritten.
  auto again = prepare(files, SystemClock::instance());
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created_pki);
  EXPECT_FALSE(again->created_config);

  auto doc = config::Document::loadFile(files.config, config::DocumentOptions{.env = {}});
  ASSERT_TRUE(doc) << doc.error().detail;
  applyPorts(*doc, *withOffset(1000));
  auto servers = Servers::configure(*doc, SystemClock::instance());
  ASSERT_TRUE(servers) << servers.error().detail;  // every key read and accepted
  ASSERT_TRUE((*servers)->hasAuthz());
  ASSERT_TRUE((*servers)->hasResource());
  const authz::AuthzConfig& a = (*servers)->authzConfig();
  EXPECT_EQ(a.issuer, "https://localhost:9000");
  EXPECT_EQ(a.mtls_base_url, "https://localhost:9001");
  EXPECT_EQ(a.resource_audiences, std::vector<std::string>{"https://localhost:9010"});
  EXPECT_EQ(a.public_listener.port, 9000);
  EXPECT_EQ(a.mtls_listener.port, 9001);
  ASSERT_EQ(a.clients.all().size(), 2u);
  for (const authz::ClientConfig& c : a.clients.all()) {
    EXPECT_EQ(c.auth_method, authz::ClientAuthMethod::kTlsClientAuth);
    EXPECT_EQ(c.redirect_uris, (std::vector<std::string>{"https://localhost:9020/callback",
                                                         "https://127.0.0.1:9020/callback"}));
  }
  const resource::ResourceConfig& r = (*servers)->resourceServe().config();
  EXPECT_EQ(r.base_url, "https://localhost:9010");
  EXPECT_EQ(r.listener.port, 9010);
  ASSERT_EQ(r.token.issuers.size(), 1u);
  EXPECT_EQ(r.token.issuers[0].issuer, "https://localhost:9000");
  EXPECT_EQ((*servers)->serverSection().state_dir, files.state_dir);

  // The file as written also configures the defaults (what `gridgate serve` would run).
  auto plain = config::Document::loadFile(files.config, config::DocumentOptions{.env = {}});
  ASSERT_TRUE(plain);
  auto defaults = Servers::configure(*plain, SystemClock::instance());
  ASSERT_TRUE(defaults) << defaults.error().detail;
  EXPECT_EQ((*defaults)->authzConfig().issuer, "https://localhost:8000");

  // A directory the sandbox did not make keeps its files.
  const Layout foreign = Layout::in(tmp.path() + "/foreign");
  std::filesystem::create_directories(foreign.pki_dir);
  EXPECT_FALSE(resetState(foreign));
  EXPECT_TRUE(std::filesystem::exists(foreign.pki_dir));
  EXPECT_TRUE(resetState(Layout::in(tmp.path() + "/absent")));

  ASSERT_TRUE(resetState(files));
  EXPECT_FALSE(std::filesystem::exists(files.config));
  EXPECT_FALSE(std::filesystem::exists(files.pki_dir));
  EXPECT_TRUE(std::filesystem::exists(files.dir));
}

TEST(SandboxFiles, DemoUsersKeepTheirPasswordsAndFollowTheFile) {
  TempDir tmp;
  const Layout files = Layout::in(tmp.path());
  auto db = store::openSqlite({.path = tmp.path() + "/users.db"});
  ASSERT_TRUE(db);
  auto users = ensureDemoUsers(**db, files, SystemClock::instance());
  ASSERT_TRUE(users) << users.error().detail;
  ASSERT_EQ(users->size(), 2u);
  struct stat st {};
  ASSERT_EQ(::stat(files.users.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  for (const DemoUser& u : *users) {
    EXPECT_GE(u.password.size(), 16u);
    auto stored = (*db)->users().findByUsername(u.username);
    ASSERT_TRUE(stored);
    EXPECT_TRUE(authz::ui::verifyPassword(stored->password_hash, u.password));
  }
  const std::string subject = (*db)->users().findByUsername("alice")->subject;

  auto again = ensureDemoUsers(**db, files, SystemClock::instance());
  ASSERT_TRUE(again);
  EXPECT_EQ((*again)[0].password, (*users)[0].password);
  EXPECT_EQ((*db)->users().findByUsername("alice")->subject, subject);  // not re-created

  EXPECT_TRUE(std::filesystem::exists(files.users_checked));

  // Someone replaces bob in the store: the next start notices (the fingerprint of the stored
  // hashes changed) and puts the file's password back.
  ASSERT_TRUE((*db)->users().remove("bob"));
  ASSERT_TRUE(authz::ui::createUser(
      (*db)->users(), {.username = "bob", .password = "another password", .display_name = ""},
      authz::ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1},
      SystemClock::instance()));
  ASSERT_TRUE(ensureDemoUsers(**db, files, SystemClock::instance()));
  EXPECT_TRUE(authz::ui::verifyPassword((*db)->users().findByUsername("bob")->password_hash,
                                        (*users)[1].password));

  // Someone edits the file: the store follows it.
  ASSERT_TRUE(pki::writeFileAtomic(files.users, "alice a-new-password-here\n",
                                   pki::FileMode::kSecret, pki::Overwrite::kYes, pki::Sync::kNo));
  auto edited = ensureDemoUsers(**db, files, SystemClock::instance());
  ASSERT_TRUE(edited);
  EXPECT_EQ((*edited)[0].password, "a-new-password-here");
  EXPECT_NE((*edited)[1].password, (*users)[1].password);  // bob lost his line: a new one
  EXPECT_TRUE(authz::ui::verifyPassword((*db)->users().findByUsername("alice")->password_hash,
                                        "a-new-password-here"));
  EXPECT_FALSE(authz::ui::verifyPassword((*db)->users().findByUsername("alice")->password_hash,
                                         (*users)[0].password));
}

Json reading(const std::string& from, std::optional<int> wh) {
  Json r = {{"type", "Electricity"}, {"from", from}, {"quality", wh ? "measured" : "missing"}};
  r["energy"] = {{"value", wh ? Json(*wh) : Json(nullptr)}, {"unitCode", "WHR"}};
  return r;
}

TEST(SandboxPages, ChartDrawsRunsMarksMissingReadsAndLabelsDays) {
  Json body = {{"data", Json::array()}};
  // Two days of 48 half hours; two reads missing in the middle of the first day.
  for (int day = 0; day < 2; ++day) {
    for (int slot = 0; slot < 48; ++slot) {
      const auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
      const std::string from =
          "2024-06-" + two(21 + day) + "T" + two(slot / 2) + ":" + two((slot % 2) * 30) + ":00Z";
      const bool missing = day == 0 && (slot == 20 || slot == 21);
      body["data"].push_back(reading(from, missing ? std::nullopt : std::optional<int>(slot * 10)));
    }
  }
  auto svg = readingsChart(body);
  ASSERT_TRUE(svg) << svg.error().detail;
  const std::string& s = svg->str();
  EXPECT_NE(s.find("<svg viewBox=\"0 0 720 240\""), std::string::npos) << s;
  // Two runs (the gap splits the first day) -> two areas; two missing marks.
  std::size_t areas = 0, missing = 0;
  for (std::size_t at = 0; (at = s.find("class=\"area\"", at)) != std::string::npos; ++at) ++areas;
  for (std::size_t at = 0; (at = s.find("class=\"missing\"", at)) != std::string::npos; ++at) {
    ++missing;
  }
  EXPECT_EQ(areas, 2u);
  EXPECT_EQ(missing, 2u);
  EXPECT_NE(s.find(">06-21<"), std::string::npos);
  EXPECT_NE(s.find(">06-22<"), std::string::npos);
  EXPECT_NE(s.find(">500 Wh<"), std::string::npos);  // max 470 -> axis to 500
  EXPECT_NE(s.find("96 half-hourly readings"), std::string::npos);
  EXPECT_NE(s.find("2 missing"), std::string::npos);
  EXPECT_EQ(s.find("style="), std::string::npos);  // the CSP allows no style attribute

  EXPECT_FALSE(readingsChart(Json{{"nodata", 1}}));
  auto empty = readingsChart(Json{{"data", Json::array()}});
  ASSERT_TRUE(empty);
  EXPECT_NE(empty->str().find("0 half-hourly readings"), std::string::npos);
}

TEST(SandboxPages, ResultPageEscapesEverythingAndCarriesStrictHeaders) {
  const PageView view{.provider = "Perseus <Demo> Energy",
                      .client_name = "Demo \"Carbon\" Accounting",
                      .client_id = "https://directory.core.trust.ib1.org/a/demo-accounting",
                      .authorize_origin = "https://localhost:8000"};
  Json outcome = {
      {"heading", "Your data <b>now</b>"},
      {"can_revoke", true},
      {"steps", Json::array({Json{{"id", "par"},
                                  {"title", "PAR <script>alert(1)</script>"},
                                  {"explain", "x & y"},
                                  {"status", "ok"},
                                  {"blocks", Json::array({Json{{"label", "Body"},
                                                               {"text", "{\"a\": \"</pre>\"}"}}})}},
                             Json{{"id", "data"},
                                  {"title", "Data"},
                                  {"explain", ""},
                                  {"status", "failed"},
                                  {"detail", "refused <here>"},
                                  {"blocks", Json::array()}}})}};
  net::Response r = resultPage(view, outcome, "csrf-token-value");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.body.find("<b>now"), std::string::npos);
  EXPECT_NE(r.body.find("PAR &lt;script&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("&lt;/pre&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("refused &lt;here&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("Perseus &lt;Demo&gt; Energy"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"csrf-token-value\""), std::string::npos);
  EXPECT_NE(r.body.find("action=\"/revoke\""), std::string::npos);
  EXPECT_NE(r.body.find("status-revoked"), std::string::npos);  // the failed step
  const auto csp = r.headers.get("Content-Security-Policy");
  ASSERT_TRUE(csp);
  EXPECT_EQ(*csp, demoContentSecurityPolicy("https://localhost:8000"));
  EXPECT_NE(csp->find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp->find("form-action 'self' https://localhost:8000;"), std::string::npos);
  EXPECT_NE(csp->find("style-src 'sha256-"), std::string::npos);
  EXPECT_NE(csp->find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.headers.get("X-Frame-Options").value_or(""), "DENY");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");

  Json done = outcome;
  done["can_revoke"] = false;
  EXPECT_EQ(resultPage(view, done, "t").body.find("action=\"/revoke\""), std::string::npos);

  net::Response start = startPage(view, "start-token", false);
  EXPECT_NE(start.body.find("value=\"start-token\""), std::string::npos);
  EXPECT_EQ(start.body.find("/result\""), std::string::npos);
  EXPECT_NE(startPage(view, "t", true).body.find("href=\"/result\""), std::string::npos);
  net::Response error = errorPage(view, 400, "Bad <thing>", "message & more");
  EXPECT_EQ(error.status, 400);
  EXPECT_NE(error.body.find("Bad &lt;thing&gt;"), std::string::npos);
}

TEST(SandboxPages, AbbreviateKeepsSecretsUnusable) {
  EXPECT_EQ(abbreviate("short"), "short");
  const std::string jwt(800, 'a');
  const std::string a = abbreviate(jwt);
  EXPECT_LT(a.size(), 60u);
  EXPECT_NE(a.find("(800 characters)"), std::string::npos);
}

}  // namespace
}  // namespace gridgate::cli::sandbox
