// Test harness for the authorization server: a dev PKI made once per test binary (pki::init plus
// extra leaves), a configuration written as TOML and parsed by the real loader, the store, and the
// real server on 127.0.0.1 (both listeners, real TLS), driven by net::HttpClient with one client
// certificate per identity.
//
// The store is a SQLite file in a temp dir, or, when the environment has
// GRIDGATE_TEST_STORE=redis, a real redis-server started once per test binary (each Harness
// under its own key prefix). ctest runs the same suites both ways (tests/authz/CMakeLists.txt:
// the `redis.` test names); a test that only makes sense for one backend asks storeBackend().
//
//   Harness h;                                     // starts everything; FakeClock at real now
//   auto par = h.par(Identity::kDemo);             // PAR with PKCE, returns request_uri + verifier
//   std::string location = h.approve(par);         // through AuthorizationFlow (lookup + approve)
//   auto tokens = h.redeem(Identity::kDemo, par, location);
//   h.clock.advance(std::chrono::seconds(61));
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authz/authorization_server.h"
#include "authz/ui/interaction_service.h"
#include "core/clock.h"
#include "core/json.h"
#include "crypto/pkey.h"
#include "net/client.h"
#include "net/server.h"
#include "redis_server.h"  // tests/store: a real redis-server
#include "store/store.h"
#include "support.h"  // tests/net: TempDir, runShell, ChildProcess, freePort

namespace gridgate::authz::test {

// Who a request comes from: each has its own certificate (and HttpClient).
enum class Identity {
  kDemo,          // tls_client_auth, role, registered "demo" client
  kDemo2,         // a second certificate of the demo application (same SAN URI, other key)
  kOther,         // tls_client_auth, role, registered "other" client
  kNoRole,        // CA-issued, SAN URI of the registered "norole" client, lacking its required role
  kUnregistered,  // CA-issued with role, SAN URI of no registered client
  kPkjwt,         // CA-issued certificate used by the private_key_jwt client
  kSelfSigned,    // self-signed certificate of the self_signed_tls_client_auth client
  kSelfSigned2,   // self-signed certificate registered for another self-signed client
  kRevoked,       // CA-issued for "demo", then revoked (CRL)
  kForeign,       // issued by an unrelated trust framework's client CA
  kNoCert,        // no client certificate
  kProvider,      // the data provider's own client certificate (introspect_any_token)
};

struct IdentityFiles {
  std::string chain;  // leaf + issuer, PEM
  std::string key;
  std::string cert;  // leaf only
};

struct TestPki {
  std::string dir;
  std::string server_ca;      // root of the server hierarchy
  std::string server_bundle;  // leaf + issuer + root
  std::string server_key;
  std::string client_verify_bundle;  // issuer + root of the client hierarchy
  std::string client_crl;
  std::string client_role;
  std::string demo_id, other_id, norole_id, unregistered_id, pkjwt_id, selfsigned_id,
      selfsigned2_id, provider_id;
  std::map<Identity, IdentityFiles> files;
  std::string pkjwt_private_jwk_json;  // ES256 key of the private_key_jwt client (with d)
  std::string pkjwt_public_jwks;       // {"keys":[...]} registered for it
  std::string selfsigned_jwks;         // with x5c
  std::string selfsigned2_jwks;
  std::string demo_subject_dn;  // RFC 4514 subject of the demo leaf
};
const TestPki& testPki();

enum class StoreBackend { kSqlite, kRedis };
// From GRIDGATE_TEST_STORE (unset or "sqlite": SQLite; "redis": Redis).
StoreBackend storeBackend();
// The redis-server of this test binary (started on first use); nullptr with the SQLite backend.
store::test::RedisServer* testRedis();

inline constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
inline constexpr std::string_view kResource = "https://api.test.example";
inline constexpr std::string_view kDemoRedirect = "https://client.example/callback";

struct HarnessOptions {
  // Extra lines appended inside [authz] (before sub-tables).
  std::string authz_extra{};
  // Extra [[authz.clients]] tables appended at the end.
  std::string clients_extra{};
  // Configure the client CRL (revoked certificates are refused by the handshake).
  bool with_crl = false;
  // Message delivery URL for the demo client (empty: none).
  std::string demo_message_url{};
  std::string messages_ca{};  // [authz.messages] ca_file
  bool start_server = true;
  bool background = false;
  // The interaction side's real login/consent pages (authz/ui) instead of TestInteraction.
  bool real_ui = false;
  // SQLite busy timeout of the server's store (an outage test shortens it).
  std::chrono::milliseconds busy_timeout{5000};
  // Told of revocations (default: none).
  std::shared_ptr<RevocationPublisher> publisher{};
};

struct ParResult {
  int status = 0;
  Json body;
  std::string request_uri;
  std::string verifier;
  std::string state;
  std::string redirect_uri;
  std::string client_id;
  std::string scope;
};

struct TokenResult {
  int status = 0;
  Json body;
  std::string access_token;
  std::string refresh_token;
  std::string id_token;
};

// Foreign option structs built field by field (designated initializers would have to name every
// member without a default).
net::ClientRequest request(net::Method method, std::string url, std::string body = {});
net::ClientConfig clientConfig(const std::string& ca, const std::string& chain = {},
                               const std::string& key = {},
                               std::optional<std::string> ciphers = std::nullopt,
                               int max_version = 0);

// Query parameters of a URL, decoded.
std::map<std::string, std::string> queryOf(const std::string& url);
// The claims of a JWT, unverified (for assertions in tests).
Json jwtClaims(const std::string& jwt);
Json jwtHeader(const std::string& jwt);
// A PKCE verifier and its S256 challenge.
std::pair<std::string, std::string> pkcePair();

class TestInteraction final : public Interaction {
 public:
  net::Response begin(const net::Request& request, const PendingAuthorization& pending) override;
  int calls = 0;
  std::string last_client_id;
};

class Harness {
 public:
  explicit Harness(HarnessOptions options = {});
  ~Harness();

  std::string publicUrl(const std::string& path) const;
  std::string mtlsUrl(const std::string& path) const;
  std::string clientId(Identity id) const;

  net::HttpClient& client(Identity id);
  Result<net::ClientResponse> post(
      Identity id, const std::string& path,
      const std::vector<std::pair<std::string, std::string>>& form,
      const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<net::ClientResponse> get(
      Identity id, const std::string& url,
      const std::vector<std::pair<std::string, std::string>>& headers = {});

  // PAR for `id` with PKCE and the licence scope (+ offline_access + openid); `edit` may change
  // the form before it is sent.
  ParResult par(
      Identity id,
      const std::function<void(std::vector<std::pair<std::string, std::string>>&)>& edit = {});
  // lookup + approve through AuthorizationFlow; returns the redirect Location.
  std::string approve(const ParResult& par, const std::string& subject = "alice",
                      const std::string& scope = {});
  TokenResult redeem(Identity id, const ParResult& par, const std::string& location);
  TokenResult refresh(Identity id, const std::string& refresh_token, const std::string& scope = {});
  // A user of the built-in login page (Argon2id with small test parameters).
  store::User addUser(const std::string& username, const std::string& password);
  // The whole flow for the demo client.
  TokenResult fullFlow(Identity id = Identity::kDemo, ParResult* par_out = nullptr);
  Json introspect(Identity caller, const std::string& token, int* status = nullptr);
  int revoke(Identity caller, const std::string& token, const std::string& hint = {});

  // A private_key_jwt assertion for the pkjwt client; `edit` may change claims and alg.
  std::string assertion(const std::function<void(Json&)>& edit_claims = {},
                        const std::string& alg = "ES256") const;

  FakeClock clock;
  net::test::TempDir dir;
  HarnessOptions options;
  std::string config_text;
  std::shared_ptr<const AuthzConfig> config;
  std::shared_ptr<store::Store> store;
  std::unique_ptr<AuthorizationServer> as;
  std::shared_ptr<TestInteraction> interaction;
  std::shared_ptr<ui::InteractionService> ui;  // when options.real_ui
  std::unique_ptr<net::Server> server;
  std::uint16_t public_port = 0;
  std::uint16_t mtls_port = 0;

 private:
  std::map<Identity, std::unique_ptr<net::HttpClient>> clients_;
};

// A browser on the public listener: a cookie jar, no client certificate, hidden form fields read
// from the pages. Drives the interaction side's real login and consent forms.
class Browser {
 public:
  explicit Browser(const std::string& server_ca);
  Result<net::ClientResponse> get(const std::string& url);
  Result<net::ClientResponse> postForm(const std::string& url,
                                       const std::vector<std::pair<std::string, std::string>>& f);
  // The value of <input name="NAME" value="..."> in `html` (entities decoded), or "".
  static std::string hiddenField(const std::string& html, const std::string& name);
  // GET /authorize, log in, allow (or deny): the final Location (the client's redirect).
  std::string authorizeWithLogin(const std::string& authorize_url, const std::string& username,
                                 const std::string& password, bool allow = true);
  std::map<std::string, std::string> cookies;

 private:
  void remember(const net::ClientResponse& res);
  std::string cookieHeader() const;
  std::unique_ptr<net::HttpClient> client_;
};

// The TOML configuration the harness uses (exposed for tests of `gridgate serve`).
std::string harnessConfig(const TestPki& pki, std::uint16_t public_port, std::uint16_t mtls_port,
                          const HarnessOptions& options, const std::string& state_dir);

}  // namespace gridgate::authz::test
