// gridgate-resource-bench-server: the server half of bench/resource/vs_nginx.sh. The resource
// server exactly as `gridgate serve` runs it (ResourceServe: validator in JWT mode, built-in
// meters, provenance signing), on one mTLS listener with one I/O thread, access log off; plus,
// on a second loopback listener, a minimal issuer that serves only its JWKS (fetched once at
// warm-up: every benchmarked request is a cached validation, as the target asks).
//
//   gridgate-resource-bench-server --dir /tmp/pki [--port 0] [--io-threads 1]
//
// Makes a dev trust framework in --dir (pki::init), then prints, one per line:
//   SERVER_CA <path>  CLIENT_CHAIN <path>  CLIENT_KEY <path>  SERVER_CHAIN <path>
//   SERVER_KEY <path>  CLIENT_CA <path>  SIGNING_CA <path>
//   TOKEN <jwt>        a day-long ES256 at+jwt bound to the demo client certificate
//   LISTENING <port>
// and serves until SIGTERM/SIGINT.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"
#include "jose/jwks.h"
#include "jose/jws.h"
#include "jose/jwt.h"
#include "net/server.h"
#include "pki/pki.h"
#include "resource/serve.h"

namespace {

using namespace gridgate;

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().detail.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

void must(Status s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "%s: %s\n", what, s.error().detail.c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  log::configure("warn");
  std::string dir;
  std::uint16_t port = 0;
  unsigned io_threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--dir") {
      dir = next();
    } else if (a == "--port") {
      port = static_cast<std::uint16_t>(std::stoi(next()));
    } else if (a == "--io-threads") {
      io_threads = static_cast<unsigned>(std::stoul(next()));
    } else {
      std::fprintf(stderr, "usage: %s --dir DIR [--port P] [--io-threads N]\n", argv[0]);
      return 2;
    }
  }
  if (dir.empty()) {
    std::fprintf(stderr, "--dir is required\n");
    return 2;
  }
  const Clock& clock = SystemClock::instance();
  const std::int64_t now = clock.unixSeconds();
  const pki::InitResult init =
      must(pki::init({.dir = dir, .force = true, .durable = false, .now = now - 3600}), "pki");
  const pki::Layout& files = init.layout;
  const pki::Identities ids = pki::sandboxIdentities();

  // The issuer: an ES256 key and its JWKS on a plain loopback listener.
  auto key = must(crypto::PKey::generate(crypto::KeyType::kEcP256), "key");
  auto signer = must(jose::Signer::create(jose::Alg::kES256, std::move(key), "bench-1"), "signer");
  auto jwks = must(jose::Jwks::fromKeys({signer.jwk()}), "jwks");
  const std::string jwks_body = dumpJson(jwks.toPublicJson());
  net::ServerConfig issuer_cfg;
  issuer_cfg.access_log = false;
  issuer_cfg.listeners.emplace_back().name = "issuer";
  auto issuer_router = std::make_shared<net::Router>();
  issuer_router->get("/jwks", [jwks_body](const net::Request&) {
    return net::Response::jsonText(200, jwks_body);
  });
  net::Server issuer_server(std::move(issuer_cfg));
  issuer_server.setRouter(issuer_router);
  must(issuer_server.start(), "issuer");
  const std::string issuer = "http://127.0.0.1:" + std::to_string(issuer_server.port());

  auto cfg = std::make_shared<resource::ResourceConfig>();
  cfg->base_url = "https://127.0.0.1";
  cfg->signing_key = files.signing_provider.key;
  cfg->signing_bundle = files.signing_provider.bundle;
  validator::IssuerConfig& as = cfg->token.issuers.emplace_back();
  as.issuer = issuer;
  as.discovery = false;
  as.jwks_uri = issuer + "/jwks";
  as.audiences = {cfg->base_url};
  cfg->listener.name = "resource";
  cfg->listener.port = port;
  cfg->listener.cert_chain = files.server_leaf.bundle;
  cfg->listener.key = files.server_leaf.key;
  cfg->listener.client_cert = config::ClientCertPolicy::kRequire;
  cfg->listener.client_ca = files.client.verify_bundle;

  auto pool = std::make_shared<net::BlockingPool>(1);
  auto metrics = std::make_shared<net::MetricsRegistry>();
  auto rs = must(resource::ResourceServe::fromConfig(
                     cfg, {.clock = &clock, .pool = pool, .metrics = metrics, .fetcher = nullptr}),
                 "resource");
  net::ServerConfig sc;
  sc.io_threads = io_threads;
  sc.access_log = false;
  sc.blocking_pool = pool;
  sc.metrics = metrics;
  must(rs->addListener(sc), "listener");
  net::Server server(std::move(sc));
  rs->attach(server);
  must(server.start(), "server");
  rs->warmUp();

  const auto client =
      must(x509::parsePemBundle(*pki::readFile(files.client_demo.bundle)), "client");
  const Json claims = {{"iss", issuer},
                       {"aud", cfg->base_url},
                       {"sub", "bench-user"},
                       {"client_id", ids.demo_application},
                       {"scope", std::string(resource::kPerseusLicence)},
                       {"iat", now},
                       {"exp", now + 24 * 3600},
                       {"jti", randomToken(16)},
                       {"grant_id", "bench-grant"},
                       {"cnf", {{"x5t#S256", client.front().thumbprint()}}}};
  const std::string token = must(jose::signJwt(signer, claims, "at+jwt"), "token");

  std::cout << "SERVER_CA " << files.server.ca.string() << "\n"
            << "SERVER_CHAIN " << files.server_leaf.bundle.string() << "\n"
            << "SERVER_KEY " << files.server_leaf.key.string() << "\n"
            << "CLIENT_CA " << files.client.verify_bundle.string() << "\n"
            << "CLIENT_CHAIN " << files.client_demo.bundle.string() << "\n"
            << "CLIENT_KEY " << files.client_demo.key.string() << "\n"
            << "SIGNING_CA " << files.signing.ca.string() << "\n"
            << "TOKEN " << token << "\n"
            << "LISTENING " << server.port("resource") << std::endl;
  server.stopOnSignals();
  server.wait();
  issuer_server.stop();
  issuer_server.wait();
  return 0;
}
