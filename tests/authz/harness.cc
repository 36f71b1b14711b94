#include "harness.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <stdexcept>
#include <string_view>

#include "authz/interaction_config.h"
#include "authz/ui/pages.h"
#include "authz/ui/users.h"
#include "config/document.h"
#include "core/base64.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "jose/jwk.h"
#include "jose/jws.h"
#include "net/form.h"
#include "pki/pki.h"
#include "store/redis/redis_store.h"
#include "store/sqlite/sqlite_store.h"
#include "x509/certificate.h"

namespace gridgate::authz::test {

namespace fs = std::filesystem;
using net::test::readFileText;
using net::test::runShell;
using net::test::writeFileText;

namespace {

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().detail);
  return std::move(*r);
}
void must(Status s, const std::string& what) {
  if (!s) throw std::runtime_error(what + ": " + s.error().detail);
}

IdentityFiles issue(const pki::Layout& layout, const std::string& name, const std::string& app,
                    const std::string& member, std::vector<std::string> roles, std::int64_t now) {
  auto leaf = must(pki::issueLeaf(layout, {.hierarchy = pki::Hierarchy::kClient,
                                           .application = app,
                                           .member = member,
                                           .roles = std::move(roles),
                                           .now = now}),
                   "issue " + name);
  const pki::LeafFiles files = layout.leaf(pki::Hierarchy::kClient, name);
  must(pki::writeLeaf(leaf, files, pki::Overwrite::kYes), "write " + name);
  return {files.bundle.string(), files.key.string(), files.cert.string()};
}

// A self-signed client certificate (openssl CLI) and a JWKS with its key and x5c.
IdentityFiles selfSigned(const std::string& dir, const std::string& name, const std::string& uri,
                         std::string* jwks) {
  const std::string key = dir + "/" + name + "-key.pem";
  const std::string cert = dir + "/" + name + "-cert.pem";
  std::string out;
  const int rc =
      runShell("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " +
                   key + " -out " + cert + " -days 30 -subj '/CN=" + name +
                   "' -addext 'subjectAltName=URI:" + uri +
                   "' -addext 'keyUsage=critical,digitalSignature,keyCertSign' -addext " +
                   "'extendedKeyUsage=clientAuth' -addext 'basicConstraints=critical,CA:TRUE'",
               &out);
  if (rc != 0) throw std::runtime_error("openssl self-signed: " + out);
  auto c = must(x509::Certificate::fromPem(readFileText(cert)), "self-signed cert");
  auto pub = must(c.publicKey(), "self-signed key");
  auto jwk = must(jose::Jwk::fromKey(pub, name, jose::Alg::kES256), "self-signed jwk");
  Json j = jwk.toPublicJson();
  j["x5c"] = Json::array({base64Encode(c.der())});
  *jwks = dumpJson(Json{{"keys", Json::array({j})}});
  return {cert, key, cert};
}

struct PkiHolder {
  net::test::TempDir dir;
  net::test::TempDir foreign_dir;
  TestPki pki;

  PkiHolder() {
    const std::int64_t now = std::time(nullptr);
    auto init = must(pki::init({.dir = dir.path(), .now = now}), "pki init");
    const pki::Layout& l = init.layout;
    const pki::Identities ids = pki::sandboxIdentities();
    const std::string dirs(pki::kDefaultDirectory);
    pki.dir = dir.path();
    pki.server_ca = l.server.ca.string();
    pki.server_bundle = l.server_leaf.bundle.string();
    pki.server_key = l.server_leaf.key.string();
    pki.client_verify_bundle = l.client.verify_bundle.string();
    pki.client_crl = l.client.crl.string();
    pki.client_role = ids.client_role;
    pki.demo_id = ids.demo_application;
    pki.other_id = ids.other_application;
    pki.norole_id = dirs + "/a/no-role-app";
    pki.unregistered_id = dirs + "/a/unregistered-app";
    pki.pkjwt_id = dirs + "/a/pkjwt-app";
    pki.selfsigned_id = dirs + "/a/self-signed-app";
    pki.selfsigned2_id = dirs + "/a/self-signed-app-2";
    pki.provider_id = ids.provider_application;

    pki.files[Identity::kDemo] = {l.client_demo.bundle.string(), l.client_demo.key.string(),
                                  l.client_demo.cert.string()};
    pki.files[Identity::kOther] = {l.client_other.bundle.string(), l.client_other.key.string(),
                                   l.client_other.cert.string()};
    pki.files[Identity::kDemo2] =
        issue(l, "demo2", ids.demo_application, ids.demo_member, {ids.client_role}, now);
    // Holds a role, just not the one the norole client requires (carbon-accounting-provider).
    pki.files[Identity::kNoRole] =
        issue(l, "norole", pki.norole_id, ids.demo_member,
              {pki::roleUrl(pki::kDefaultRegistry, pki::kRoleFinancialServiceProvider)}, now);
    pki.files[Identity::kUnregistered] =
        issue(l, "unregistered", pki.unregistered_id, ids.demo_member, {ids.client_role}, now);
    pki.files[Identity::kPkjwt] =
        issue(l, "pkjwt", pki.pkjwt_id, ids.demo_member, {ids.client_role}, now);
    pki.files[Identity::kProvider] =
        issue(l, "provider", ids.provider_application, ids.provider_member,
              {ids.provider_role, ids.client_role}, now);
    pki.files[Identity::kRevoked] =
        issue(l, "revoked", ids.demo_application, ids.demo_member, {ids.client_role}, now);
    auto revoked_cert = must(
        x509::Certificate::fromPem(readFileText(pki.files[Identity::kRevoked].cert)), "revoked");
    must(pki::revoke(l, revoked_cert, now), "revoke");
    pki.files[Identity::kSelfSigned] =
        selfSigned(dir.path(), "selfsigned", pki.selfsigned_id, &pki.selfsigned_jwks);
    pki.files[Identity::kSelfSigned2] =
        selfSigned(dir.path(), "selfsigned2", pki.selfsigned2_id, &pki.selfsigned2_jwks);

    auto foreign = must(pki::init({.dir = foreign_dir.path(), .framework = "Foreign", .now = now}),
                        "foreign pki");
    pki.files[Identity::kForeign] = {foreign.layout.client_demo.bundle.string(),
                                     foreign.layout.client_demo.key.string(),
                                     foreign.layout.client_demo.cert.string()};

    auto demo_cert = must(x509::Certificate::fromPem(readFileText(pki.files[Identity::kDemo].cert)),
                          "demo cert");
    pki.demo_subject_dn = demo_cert.subjectDn();

    // private_key_jwt: an EC key (ES256) and an RSA key (PS256, and to show RS256 is refused
    // for policy, not for want of a key).
    auto ec = must(crypto::PKey::generate(crypto::KeyType::kEcP256), "ec key");
    auto rsa = must(crypto::PKey::generate(crypto::KeyType::kRsa, 2048), "rsa key");
    auto ec_jwk = must(jose::Jwk::fromKey(ec, "pk-ec"), "ec jwk");
    auto rsa_jwk = must(jose::Jwk::fromKey(rsa, "pk-rsa"), "rsa jwk");
    pki.pkjwt_private_jwk_json = dumpJson(Json{{"ec", must(ec_jwk.toPrivateJson(), "ec priv")},
                                               {"rsa", must(rsa_jwk.toPrivateJson(), "rsa priv")}});
    pki.pkjwt_public_jwks =
        dumpJson(Json{{"keys", Json::array({ec_jwk.toPublicJson(), rsa_jwk.toPublicJson()})}});
  }
};

std::string tomlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += "\"" + items[i] + "\"";
  }
  return out + "]";
}

}  // namespace

const TestPki& testPki() {
  static PkiHolder holder;
  return holder.pki;
}

StoreBackend storeBackend() {
  const char* v = std::getenv("GRIDGATE_TEST_STORE");
  if (v == nullptr || std::string_view(v).empty() || std::string_view(v) == "sqlite") {
    return StoreBackend::kSqlite;
  }
  if (std::string_view(v) == "redis") return StoreBackend::kRedis;
  throw std::runtime_error(std::string("GRIDGATE_TEST_STORE must be sqlite or redis, not ") + v);
}

store::test::RedisServer* testRedis() {
  if (storeBackend() != StoreBackend::kRedis) return nullptr;
  static store::test::RedisServer server;  // started by its constructor; stopped at exit
  if (!server.running() && !server.start()) throw std::runtime_error("redis-server did not start");
  return &server;
}

std::string harnessConfig(const TestPki& pki, std::uint16_t public_port, std::uint16_t mtls_port,
                          const HarnessOptions& o, const std::string& state_dir) {
  const std::string scopes = tomlList({std::string(kLicence), "offline_access", "openid"});
  std::string t;
  t += "[server]\nstate_dir = \"" + state_dir + "\"\nlog_level = \"info\"\n";
  t += "[store]\npath = \"" + state_dir + "/gridgate.db\"\n";
  t += "[authz]\n";
  t += "issuer = \"https://localhost:" + std::to_string(public_port) + "\"\n";
  t += "mtls_base_url = \"https://localhost:" + std::to_string(mtls_port) + "\"\n";
  t += "resource_audiences = [\"" + std::string(kResource) + "\"]\n";
  t += "provider_name = \"Test Energy\"\n";
  t += "client_ca = \"" + pki.client_verify_bundle + "\"\n";
  if (o.with_crl) t += "client_crl = \"" + pki.client_crl + "\"\n";
  t += o.authz_extra;
  t += "\n[authz.listeners.public]\nport = " + std::to_string(public_port) + "\n";
  t += "cert_chain = \"" + pki.server_bundle + "\"\nkey = \"" + pki.server_key + "\"\n";
  t += "[authz.listeners.mtls]\nport = " + std::to_string(mtls_port) + "\n";
  t += "cert_chain = \"" + pki.server_bundle + "\"\nkey = \"" + pki.server_key + "\"\n";
  t += "client_ca = \"" + pki.client_verify_bundle + "\"\n";
  if (o.with_crl) t += "crl = \"" + pki.client_crl + "\"\n";
  if (!o.demo_message_url.empty()) {
    const IdentityFiles& p = pki.files.at(Identity::kProvider);
    t += "[authz.messages]\ncert_chain = \"" + p.chain + "\"\nkey = \"" + p.key + "\"\n";
    if (!o.messages_ca.empty()) t += "ca_file = \"" + o.messages_ca + "\"\n";
  }
  const auto client = [&](const std::string& id, const std::string& name,
                          const std::string& extra) {
    t += "\n[[authz.clients]]\nclient_id = \"" + id + "\"\ndisplay_name = \"" + name + "\"\n";
    t += extra;
  };
  std::string demo_extra = "scopes = " + scopes + "\nredirect_uris = [\"" +
                           std::string(kDemoRedirect) +
                           "\", \"http://127.0.0.1:9999/cb\"]\nallow_any_https_redirect_uri = "
                           "true\nauthorization_details_types = [\"meter_data\"]\n";
  if (!o.demo_message_url.empty()) {
    demo_extra += "message_delivery_url = \"" + o.demo_message_url + "\"\n";
  }
  client(pki.demo_id, "Demo <Carbon> Accounting", demo_extra);
  client(pki.other_id, "Other Accounting",
         "scopes = " + scopes + "\nredirect_uris = [\"https://other.example/cb\"]\n");
  client(pki.norole_id, "No Role",
         "scopes = " + scopes + "\nredirect_uris = [\"" + std::string(kDemoRedirect) + "\"]\n");
  client(pki.pkjwt_id, "Key JWT Client",
         "auth_method = \"private_key_jwt\"\njwks = '" + pki.pkjwt_public_jwks + "'\nscopes = " +
             scopes + "\nredirect_uris = [\"" + std::string(kDemoRedirect) + "\"]\n");
  client(pki.selfsigned_id, "Self Signed Client",
         "auth_method = \"self_signed_tls_client_auth\"\njwks = '" + pki.selfsigned_jwks +
             "'\nscopes = " + scopes + "\nredirect_uris = [\"" + std::string(kDemoRedirect) +
             "\"]\n");
  client(pki.selfsigned2_id, "Self Signed Client 2",
         "auth_method = \"self_signed_tls_client_auth\"\njwks = '" + pki.selfsigned2_jwks +
             "'\nscopes = " + scopes + "\nredirect_uris = [\"" + std::string(kDemoRedirect) +
             "\"]\n");
  client(pki.provider_id, "The Provider's Resource Server",
         "required_role = \"https://registry.core.trust.ib1.org/scheme/perseus/role/"
         "energy-data-provider\"\nintrospect_any_token = true\nscopes = [\"" +
             std::string(kLicence) + "\"]\nredirect_uris = [\"https://provider.example/cb\"]\n");
  t += o.clients_extra;
  return t;
}

net::ClientRequest request(net::Method method, std::string url, std::string body) {
  net::ClientRequest r;
  r.method = method;
  r.url = std::move(url);
  r.body = std::move(body);
  return r;
}

net::ClientConfig clientConfig(const std::string& ca, const std::string& chain,
                               const std::string& key, std::optional<std::string> ciphers,
                               int max_version) {
  net::ClientConfig cc;
  cc.tls.ca_file = ca;
  cc.tls.cert_chain_file = chain;
  cc.tls.key_file = key;
  cc.tls.test_cipher_list = std::move(ciphers);
  cc.tls.test_max_version = max_version;
  cc.retry.max_attempts = 1;
  cc.request_timeout = std::chrono::seconds(20);
  return cc;
}

std::map<std::string, std::string> queryOf(const std::string& url) {
  std::map<std::string, std::string> out;
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return out;
  auto form = net::parseQuery(url.substr(q + 1));
  if (!form) return out;
  for (const auto& [k, v] : form->pairs()) out[k] = v;
  return out;
}

Json jwtClaims(const std::string& jwt) {
  const std::size_t a = jwt.find('.');
  const std::size_t b = jwt.find('.', a + 1);
  auto bytes = base64urlDecode(jwt.substr(a + 1, b - a - 1));
  if (!bytes) return Json();
  auto j = parseJson(asChars(*bytes));
  return j ? *j : Json();
}

Json jwtHeader(const std::string& jwt) {
  auto bytes = base64urlDecode(jwt.substr(0, jwt.find('.')));
  if (!bytes) return Json();
  auto j = parseJson(asChars(*bytes));
  return j ? *j : Json();
}

std::pair<std::string, std::string> pkcePair() {
  std::string verifier = randomToken(48);
  return {verifier, crypto::sha256B64url(asBytes(verifier))};
}

net::Response TestInteraction::begin(const net::Request&, const PendingAuthorization& pending) {
  ++calls;
  last_client_id = pending.par.client_id;
  return net::Response::text(200, "interaction pending for " + pending.par.client_id);
}

namespace {
std::shared_ptr<store::Store> openTestStore(const std::string& state, const HarnessOptions& o,
                                            const Clock& clock) {
  if (storeBackend() == StoreBackend::kSqlite) {
    return must(store::openSqlite({.path = state + "/gridgate.db", .busy_timeout = o.busy_timeout}),
                "store");
  }
  // One redis-server for the binary; every Harness under a prefix of its own, so that no test
  // sees another's records.
  static std::atomic<int> next_prefix{0};
  store::RedisOptions ro;
  ro.url = testRedis()->url();
  ro.key_prefix = "h" + std::to_string(next_prefix++) + ":";
  ro.clock = &clock;
  ro.command_timeout = o.busy_timeout;
  return must(store::openRedis(ro), "redis store");
}

// The harness clock starts at the real time *after* the test PKI exists: the self-signed
// certificates are made by the openssl CLI with notBefore = the second they were made, which may
// be later than a clock read before the PKI was built (then they are "not yet valid").
std::int64_t startTimeAfterPki() {
  (void)testPki();
  return std::time(nullptr);
}
}  // namespace

Harness::Harness(HarnessOptions opts) : clock(startTimeAfterPki()), options(std::move(opts)) {
  const TestPki& pki = testPki();
  public_port = net::test::freePort();
  mtls_port = net::test::freePort();
  const std::string state = dir.path() + "/state";
  config_text = harnessConfig(pki, public_port, mtls_port, options, state);
  writeFileText(dir.path() + "/gridgate.toml", config_text);
  auto doc = must(config::Document::parse(config_text, "harness.toml", dir.path(),
                                          config::DocumentOptions{.env = {}}),
                  "config parse");
  config = must(parseAuthzConfig(doc), "authz config");
  fs::create_directories(state);
  store = openTestStore(state, options, clock);
  as = must(AuthorizationServer::create({.config = config,
                                         .store = store,
                                         .clock = &clock,
                                         .publisher = options.publisher,
                                         .state_dir = state}),
            "authorization server");
  interaction = std::make_shared<TestInteraction>();
  as->setInteraction(interaction);
  if (options.real_ui) {
    ui::InteractionSettings settings;
    settings.password = ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1};
    ui = must(makeInteractionFor(*as, store, config, std::move(settings), clock), "ui");
  }
  if (!options.start_server) return;
  auto pub = std::make_shared<net::Router>();
  auto mtls = std::make_shared<net::Router>();
  as->addRoutes(*pub, *mtls);
  if (ui) ui->registerRoutes(*pub);
  net::ServerConfig sc;
  sc.listeners = must(as->listenerConfigs(), "listeners");
  sc.access_log = false;
  server = std::make_unique<net::Server>(std::move(sc));
  server->setRouter("public", pub);
  server->setRouter("mtls", mtls);
  must(server->start(), "server start");
  if (options.background) must(as->startBackground(), "background");
}

Harness::~Harness() {
  if (server) {
    server->stop();
    server->wait();
  }
  if (as) as->stopBackground();
}

store::User Harness::addUser(const std::string& username, const std::string& password) {
  return must(ui::createUser(
                  store->users(), {.username = username, .password = password, .display_name = ""},
                  ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1}, clock),
              "create user");
}

std::string Harness::publicUrl(const std::string& path) const {
  return "https://localhost:" + std::to_string(public_port) + path;
}
std::string Harness::mtlsUrl(const std::string& path) const {
  return "https://localhost:" + std::to_string(mtls_port) + path;
}

std::string Harness::clientId(Identity id) const {
  const TestPki& p = testPki();
  switch (id) {
    case Identity::kDemo:
    case Identity::kDemo2:
    case Identity::kRevoked:
    case Identity::kForeign:
    case Identity::kNoCert:
      return p.demo_id;
    case Identity::kOther:
      return p.other_id;
    case Identity::kNoRole:
      return p.norole_id;
    case Identity::kUnregistered:
      return p.unregistered_id;
    case Identity::kPkjwt:
      return p.pkjwt_id;
    case Identity::kSelfSigned:
      return p.selfsigned_id;
    case Identity::kSelfSigned2:
      return p.selfsigned2_id;
    case Identity::kProvider:
      return p.provider_id;
  }
  return p.demo_id;
}

net::HttpClient& Harness::client(Identity id) {
  auto it = clients_.find(id);
  if (it != clients_.end()) return *it->second;
  net::ClientConfig cc;
  cc.tls.ca_file = testPki().server_ca;
  if (id != Identity::kNoCert) {
    const IdentityFiles& f = testPki().files.at(id);
    cc.tls.cert_chain_file = f.chain;
    cc.tls.key_file = f.key;
  }
  cc.retry.max_attempts = 1;
  cc.request_timeout = std::chrono::seconds(20);
  auto c = must(net::HttpClient::create(std::move(cc)), "http client");
  return *clients_.emplace(id, std::move(c)).first->second;
}

Result<net::ClientResponse> Harness::post(
    Identity id, const std::string& path,
    const std::vector<std::pair<std::string, std::string>>& form,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  net::ClientRequest req;
  req.method = net::Method::kPost;
  req.url = path.starts_with("https://") ? path : mtlsUrl(path);
  req.body = net::encodeForm(form);
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  for (const auto& [k, v] : headers) req.headers.set(k, v);
  return client(id).send(std::move(req));
}

Result<net::ClientResponse> Harness::get(
    Identity id, const std::string& url,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  net::ClientRequest req;
  req.method = net::Method::kGet;
  req.url = url;
  for (const auto& [k, v] : headers) req.headers.add(k, v);
  return client(id).send(std::move(req));
}

std::string Harness::assertion(const std::function<void(Json&)>& edit,
                               const std::string& alg) const {
  const std::int64_t now = clock.unixSeconds();
  Json claims = {{"iss", testPki().pkjwt_id}, {"sub", testPki().pkjwt_id},
                 {"aud", config->issuer},     {"iat", now},
                 {"exp", now + 60},           {"jti", randomToken(16)}};
  if (edit) edit(claims);
  auto keys = must(parseJsonObject(testPki().pkjwt_private_jwk_json), "pkjwt keys");
  const bool rsa = alg == "PS256" || alg == "RS256";
  auto jwk = must(jose::Jwk::parse(keys[rsa ? "rsa" : "ec"],
                                   {.private_members = jose::PrivateMembers::kRequire}),
                  "pkjwt jwk");
  if (alg == "ES256" || alg == "PS256") {
    auto signer = must(jose::Signer::create(*jose::parseAlg(alg), jwk), "signer");
    return must(signer.sign(Json::object(), dumpJson(claims)), "sign");
  }
  // Algorithms gridgate refuses to make: built by hand.
  const std::string header =
      base64urlEncode(asBytes(dumpJson(Json{{"alg", alg}, {"kid", rsa ? "pk-rsa" : "pk-ec"}})));
  const std::string input = header + "." + base64urlEncode(asBytes(dumpJson(claims)));
  if (alg == "none") return input + ".";
  if (alg == "HS256") {
    const crypto::Sha256 mac = crypto::hmacSha256(asBytes("shared-secret"), asBytes(input));
    return input + "." + base64urlEncode(ByteView(mac.data(), mac.size()));
  }
  // RS256 with the registered RSA key.
  auto sig =
      must(crypto::sign(jwk.key(), crypto::SigScheme::kRsaPkcs1Sha256, asBytes(input)), "rs256");
  return input + "." + base64urlEncode(sig);
}

ParResult Harness::par(
    Identity id,
    const std::function<void(std::vector<std::pair<std::string, std::string>>&)>& edit) {
  ParResult r;
  auto [verifier, challenge] = pkcePair();
  r.verifier = verifier;
  r.state = "st-" + randomToken(8);
  r.client_id = clientId(id);
  r.redirect_uri = id == Identity::kOther ? "https://other.example/cb" : std::string(kDemoRedirect);
  if (id == Identity::kProvider) r.redirect_uri = "https://provider.example/cb";
  r.scope = std::string(kLicence) + " offline_access openid";
  std::vector<std::pair<std::string, std::string>> form = {{"client_id", r.client_id},
                                                           {"response_type", "code"},
                                                           {"redirect_uri", r.redirect_uri},
                                                           {"scope", r.scope},
                                                           {"state", r.state},
                                                           {"nonce", "n-" + randomToken(8)},
                                                           {"code_challenge", challenge},
                                                           {"code_challenge_method", "S256"}};
  if (id == Identity::kPkjwt) {
    form.emplace_back("client_assertion_type",
                      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.emplace_back("client_assertion", assertion());
  }
  if (edit) edit(form);
  for (const auto& [k, v] : form) {
    if (k == "redirect_uri") r.redirect_uri = v;
    if (k == "state") r.state = v;
    if (k == "client_id") r.client_id = v;
  }
  auto res = post(id, "/par", form);
  if (!res) {
    r.status = -1;
    return r;
  }
  r.status = res->status;
  auto body = parseJson(res->body);
  if (body) r.body = *body;
  if (const std::string* uri = body ? jsonString(*body, "request_uri") : nullptr) {
    r.request_uri = *uri;
  }
  return r;
}

std::string Harness::approve(const ParResult& par, const std::string& subject,
                             const std::string& scope) {
  auto pending = as->flow().lookup(par.client_id, par.request_uri);
  if (!pending) throw std::runtime_error("lookup: " + pending.error().detail);
  auto location = as->flow().approve(
      *pending, ConsentDecision{.subject = subject,
                                .auth_time = clock.unixSeconds(),
                                .scope = scope.empty() ? pending->par.scope : scope});
  if (!location) throw std::runtime_error("approve: " + location.error().detail);
  return *location;
}

namespace {
TokenResult tokenResult(const Result<net::ClientResponse>& res) {
  TokenResult t;
  if (!res) {
    t.status = -1;
    return t;
  }
  t.status = res->status;
  auto body = parseJson(res->body);
  if (body) t.body = *body;
  if (body) {
    if (auto* s = jsonString(*body, "access_token")) t.access_token = *s;
    if (auto* s = jsonString(*body, "refresh_token")) t.refresh_token = *s;
    if (auto* s = jsonString(*body, "id_token")) t.id_token = *s;
  }
  return t;
}
}  // namespace

TokenResult Harness::redeem(Identity id, const ParResult& par, const std::string& location) {
  std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "authorization_code"},
                                                           {"code", queryOf(location)["code"]},
                                                           {"redirect_uri", par.redirect_uri},
                                                           {"code_verifier", par.verifier},
                                                           {"client_id", clientId(id)}};
  if (id == Identity::kPkjwt) {
    form.emplace_back("client_assertion_type",
                      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    form.emplace_back("client_assertion", assertion());
  }
  return tokenResult(post(id, "/token", form));
}

TokenResult Harness::refresh(Identity id, const std::string& refresh_token,
                             const std::string& scope) {
  std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "refresh_token"},
                                                           {"refresh_token", refresh_token},
                                                           {"client_id", clientId(id)}};
  if (!scope.empty()) form.emplace_back("scope", scope);
  return tokenResult(post(id, "/token", form));
}

TokenResult Harness::fullFlow(Identity id, ParResult* par_out) {
  ParResult p = par(id);
  if (p.status != 201) throw std::runtime_error("PAR failed: " + std::to_string(p.status));
  const std::string location = approve(p);
  TokenResult t = redeem(id, p, location);
  if (par_out != nullptr) *par_out = p;
  return t;
}

Json Harness::introspect(Identity caller, const std::string& token, int* status) {
  auto res = post(caller, "/introspect", {{"token", token}, {"client_id", clientId(caller)}});
  if (status != nullptr) *status = res ? res->status : -1;
  if (!res) return Json();
  auto body = parseJson(res->body);
  return body ? *body : Json(res->body);
}

int Harness::revoke(Identity caller, const std::string& token, const std::string& hint) {
  std::vector<std::pair<std::string, std::string>> form = {{"token", token},
                                                           {"client_id", clientId(caller)}};
  if (!hint.empty()) form.emplace_back("token_type_hint", hint);
  auto res = post(caller, "/revoke", form);
  return res ? res->status : -1;
}

Browser::Browser(const std::string& server_ca) {
  net::ClientConfig cc;
  cc.tls.ca_file = server_ca;
  cc.retry.max_attempts = 1;
  client_ = must(net::HttpClient::create(std::move(cc)), "browser");
}

void Browser::remember(const net::ClientResponse& res) {
  for (std::string_view set : res.headers.getAll("set-cookie")) {
    const std::size_t eq = set.find('=');
    const std::size_t semi = set.find(';');
    if (eq == std::string_view::npos || eq > semi) continue;
    const std::string name(set.substr(0, eq));
    const std::string value(
        set.substr(eq + 1, semi == std::string_view::npos ? semi : semi - eq - 1));
    const bool expired = set.find("Max-Age=0") != std::string_view::npos;
    if (expired || value.empty()) {
      cookies.erase(name);
    } else {
      cookies[name] = value;
    }
  }
}

std::string Browser::cookieHeader() const {
  std::string out;
  for (const auto& [k, v] : cookies) {
    if (!out.empty()) out += "; ";
    out += k + "=" + v;
  }
  return out;
}

Result<net::ClientResponse> Browser::get(const std::string& url) {
  net::ClientRequest req = request(net::Method::kGet, url);
  if (!cookies.empty()) req.headers.add("Cookie", cookieHeader());
  auto res = client_->send(std::move(req));
  if (res) remember(*res);
  return res;
}

Result<net::ClientResponse> Browser::postForm(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& f) {
  net::ClientRequest req = request(net::Method::kPost, url, net::encodeForm(f));
  req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  if (!cookies.empty()) req.headers.add("Cookie", cookieHeader());
  auto res = client_->send(std::move(req));
  if (res) remember(*res);
  return res;
}

std::string Browser::hiddenField(const std::string& html, const std::string& name) {
  const std::string marker = "name=\"" + name + "\" value=\"";
  const std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t start = at + marker.size();
  std::string v = html.substr(start, html.find('"', start) - start);
  const std::pair<const char*, const char*> entities[] = {
      {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}};
  for (const auto& [e, c] : entities) {
    for (std::size_t p = v.find(e); p != std::string::npos; p = v.find(e, p + 1)) {
      v.replace(p, std::string_view(e).size(), c);
    }
  }
  return v;
}

std::string Browser::authorizeWithLogin(const std::string& authorize_url,
                                        const std::string& username, const std::string& password,
                                        bool allow) {
  const std::string origin = authorize_url.substr(0, authorize_url.find('/', 8));
  auto login_page = get(authorize_url);
  if (!login_page || login_page->status != 200) throw std::runtime_error("no login page");
  auto logged_in =
      postForm(origin + "/login", {{"csrf", hiddenField(login_page->body, "csrf")},
                                   {"client_id", hiddenField(login_page->body, "client_id")},
                                   {"request_uri", hiddenField(login_page->body, "request_uri")},
                                   {"username", username},
                                   {"password", password}});
  if (!logged_in || logged_in->status != 303) {
    throw std::runtime_error("login failed: " +
                             (logged_in ? std::to_string(logged_in->status) : std::string("-")));
  }
  std::string next(*logged_in->headers.get("location"));
  if (next.starts_with("/")) next = origin + next;
  auto consent_page = get(next);
  if (!consent_page || consent_page->status != 200) throw std::runtime_error("no consent page");
  auto decided = postForm(origin + "/consent",
                          {{"csrf", hiddenField(consent_page->body, "csrf")},
                           {"client_id", hiddenField(consent_page->body, "client_id")},
                           {"request_uri", hiddenField(consent_page->body, "request_uri")},
                           {"decision", allow ? "allow" : "deny"}});
  if (!decided || decided->status != 303) throw std::runtime_error("consent failed");
  return std::string(*decided->headers.get("location"));
}

}  // namespace gridgate::authz::test
