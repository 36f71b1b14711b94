// gridgate-bench-server: the server half of bench/net/vs_nginx.sh. One static JSON route served
// by net::Server exactly as a handler would serve it, with the listener's usual security headers,
// interaction id and metrics; the access log off (nginx's is off in the comparison too).
//
//   gridgate-bench-server --port 8443 --cert server.chain.pem --key server.key
//                         --client-ca client-ca.pem [--io-threads 1] [--plain]
// Prints "LISTENING <port>" and serves until SIGTERM/SIGINT.
#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/log.h"
#include "net/server.h"

int main(int argc, char** argv) {
  using namespace gridgate::net;
  std::signal(SIGPIPE, SIG_IGN);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  gridgate::log::configure("warn");
  ServerConfig cfg;
  cfg.io_threads = 1;
  cfg.blocking_threads = 1;
  cfg.access_log = false;
  ListenerConfig l;
  l.name = "bench";
  TlsServerConfig tls;
  bool plain = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value for %s\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--port") {
      l.port = static_cast<std::uint16_t>(std::stoi(next()));
    } else if (a == "--address") {
      l.address = next();
    } else if (a == "--cert") {
      tls.certificates.push_back({next(), ""});
    } else if (a == "--key") {
      if (tls.certificates.empty()) tls.certificates.push_back({"", ""});
      tls.certificates.back().key_file = next();
    } else if (a == "--client-ca") {
      tls.client_ca_file = next();
      tls.client_cert = ClientCertMode::kRequire;
    } else if (a == "--io-threads") {
      cfg.io_threads = static_cast<unsigned>(std::stoul(next()));
    } else if (a == "--plain") {
      plain = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (!plain) l.tls = tls;
  l.limits.max_connections = 100000;
  cfg.listeners.push_back(l);

  static const std::string kBody = R"({"meter":"m-1","unit":"kWh","readings":[1.25,1.5,0.75]})";
  auto router = std::make_shared<Router>();
  router->get("/json", [](const Request&) { return Response::jsonText(200, kBody); });

  Server server(std::move(cfg));
  server.setRouter(router);
  if (auto st = server.start(); !st) {
    std::fprintf(stderr, "gridgate-bench-server: %s\n", st.error().detail.c_str());
    return 1;
  }
  std::printf("LISTENING %u\n", static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  server.stopOnSignals();
  server.wait();
  return 0;
}
