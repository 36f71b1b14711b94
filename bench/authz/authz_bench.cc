// The protocol side's endpoint handlers, in-process: no TLS, no sockets, an in-memory SQLite
// store. What the handler logic itself costs per request (the whole-server figures, TLS and HTTP
// included, come from authz_load).
//
//   build/authz-release/bench/authz/authz_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "authz/authorization_server.h"
#include "config/document.h"
#include "core/log.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "net/form.h"
#include "pki/pki.h"
#include "store/sqlite/sqlite_store.h"
#include "x509/certificate.h"

namespace {

using namespace gridgate;
namespace fs = std::filesystem;

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";

template <class T>
T must(Result<T> r) {
  if (!r) {
    std::fprintf(stderr, "authz_bench: %s\n", r.error().detail.c_str());
    std::abort();
  }
  return std::move(*r);
}

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixture {
  fs::path dir;
  std::shared_ptr<store::Store> store;
  std::unique_ptr<authz::AuthorizationServer> as;
  net::Router pub, mtls;
  std::shared_ptr<const net::ClientCertificate> cert;
  std::string client_id;

  Fixture() {
    log::configure("off");
    char tmpl[] = "/tmp/gridgate-authz-bench-XXXXXX";
    dir = ::mkdtemp(tmpl);
    const auto layout = must(pki::init({.dir = dir, .now = std::time(nullptr)})).layout;
    client_id = pki::sandboxIdentities().demo_application;
    std::ostringstream t;
    t << "[authz]\nissuer = \"https://as.example\"\nmtls_base_url = \"https://mtls.as.example\"\n"
      << "resource_audiences = [\"https://api.example\"]\nclient_ca = \""
      << layout.client.verify_bundle.string()
      << "\"\n[authz.listeners.public]\ncert_chain = \"x\"\n"
      << "key = \"x\"\n[authz.listeners.mtls]\ncert_chain = \"x\"\nkey = \"x\"\nclient_ca = \"x\"\n"
      << "[[authz.clients]]\nclient_id = \"" << client_id << "\"\ndisplay_name = \"Bench\"\n"
      << "scopes = [\"" << kLicence << "\", \"offline_access\"]\n"
      << "redirect_uris = [\"https://client.example/cb\"]\n";
    auto doc = must(
        config::Document::parse(t.str(), "bench.toml", dir, config::DocumentOptions{.env = {}}));
    auto cfg = must(authz::parseAuthzConfig(doc));
    store = must(store::openSqlite({.path = store::kSqliteInMemory}));
    as = must(authz::AuthorizationServer::create({.config = cfg, .store = store}));
    as->addRoutes(pub, mtls);
    auto bundle = must(x509::parsePemBundle(readFile(layout.client_demo.bundle)));
    cert = std::make_shared<const net::ClientCertificate>(
        net::ClientCertificate{bundle.front(), bundle});
  }
  ~Fixture() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }

  net::Request post(const std::string& path,
                    const std::vector<std::pair<std::string, std::string>>& f) {
    net::Request r;
    r.method = net::Method::kPost;
    r.path = path;
    r.target = path;
    r.route = path;
    r.body = net::encodeForm(f);
    r.headers.add("Content-Type", "application/x-www-form-urlencoded");
    r.peer.listener = "mtls";
    r.peer.tls = true;
    r.peer.client_cert = cert;
    return r;
  }
  net::Response call(net::Router& router, const net::Request& r) {
    auto m = router.match(r.method, r.path);
    return m.route->sync(r);
  }
  struct Code {
    std::string code, verifier;
  };
  Code makeCode() {
    const std::string verifier = randomToken(48);
    net::Response par =
        call(mtls, post("/par", {{"client_id", client_id},
                                 {"response_type", "code"},
                                 {"redirect_uri", "https://client.example/cb"},
                                 {"scope", std::string(kLicence) + " offline_access"},
                                 {"code_challenge", crypto::sha256B64url(asBytes(verifier))},
                                 {"code_challenge_method", "S256"}}));
    const std::string uri = (*parseJson(par.body))["request_uri"];
    auto pending = must(as->flow().lookup(client_id, uri));
    std::string location = must(as->flow().approve(
        pending, {.subject = "bench", .auth_time = 1, .scope = pending.par.scope}));
    const std::size_t at = location.find("code=") + 5;
    return {location.substr(at, location.find('&', at) - at), verifier};
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Par(benchmark::State& state) {
  Fixture& f = fixture();
  const net::Request req = f.post("/par", {{"client_id", f.client_id},
                                           {"response_type", "code"},
                                           {"redirect_uri", "https://client.example/cb"},
                                           {"scope", std::string(kLicence)},
                                           {"code_challenge", std::string(43, 'a')},
                                           {"code_challenge_method", "S256"}});
  for (auto _ : state) {
    net::Response r = f.call(f.mtls, req);
    if (r.status != 201) state.SkipWithError("PAR failed");
  }
}
BENCHMARK(BM_Par);

void BM_TokenAuthorizationCode(benchmark::State& state) {
  Fixture& f = fixture();
  for (auto _ : state) {
    state.PauseTiming();
    Fixture::Code c = f.makeCode();
    const net::Request req = f.post("/token", {{"grant_type", "authorization_code"},
                                               {"code", c.code},
                                               {"redirect_uri", "https://client.example/cb"},
                                               {"code_verifier", c.verifier},
                                               {"client_id", f.client_id}});
    state.ResumeTiming();
    net::Response r = f.call(f.mtls, req);
    if (r.status != 200) state.SkipWithError("token failed");
  }
}
BENCHMARK(BM_TokenAuthorizationCode);

void BM_Introspect(benchmark::State& state) {
  Fixture& f = fixture();
  Fixture::Code c = f.makeCode();
  net::Response t = f.call(f.mtls, f.post("/token", {{"grant_type", "authorization_code"},
                                                     {"code", c.code},
                                                     {"redirect_uri", "https://client.example/cb"},
                                                     {"code_verifier", c.verifier},
                                                     {"client_id", f.client_id}}));
  const std::string token = (*parseJson(t.body))["access_token"];
  const net::Request req = f.post("/introspect", {{"token", token}, {"client_id", f.client_id}});
  for (auto _ : state) {
    net::Response r = f.call(f.mtls, req);
    if (r.body.find("\"active\":true") == std::string::npos) state.SkipWithError("inactive");
  }
}
BENCHMARK(BM_Introspect);

}  // namespace

BENCHMARK_MAIN();
