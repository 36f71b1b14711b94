// gridgate serve: the servers of one configuration file (cli/servers.h): the authorization server
// ([authz]) and the resource server ([resource]) on one process, with graceful shutdown.
//
//   gridgate serve --config /etc/gridgate/gridgate.toml
//   gridgate serve --config gridgate.toml --log-level debug --public-port 8000 --mtls-port 8001
//   gridgate serve --config gridgate.toml --resource-port 8010
//   GRIDGATE_AUTHZ_ISSUER=https://auth.example gridgate serve --config gridgate.toml
//
// Flags override the environment, which overrides the file (config/document.h). The store is the
// one [store] names (SQLite or Redis; with Redis the revocation bus and its metrics are wired).
// SIGTERM or SIGINT stops accepting, lets in-flight requests finish (server.shutdown_timeout),
// stops the background work and exits 0. Exit codes: 0 stopped cleanly, 2 configuration error,
// 1 start-up failure.
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/servers.h"
#include "config/document.h"
#include "core/clock.h"
#include "core/log.h"

namespace gridgate::cli {
namespace {

struct ServeOptions {
  std::string config;
  std::string log_level;
  std::string state_dir;
  std::string issuer;
  int public_port = -1;
  int mtls_port = -1;
  int resource_port = -1;
};

int fatal(int code, const std::string& what) {
  std::cerr << "gridgate serve: " << what << "\n";
  log::error("serve: {}", what);
  return code;
}

int runServe(const ServeOptions& o) {
  auto doc = config::Document::loadFile(o.config);
  if (!doc) return fatal(2, doc.error().detail);
  if (!o.log_level.empty()) doc->setOverride("server.log_level", o.log_level);
  if (!o.state_dir.empty()) doc->setOverride("server.state_dir", o.state_dir);
  if (!o.issuer.empty()) doc->setOverride("authz.issuer", o.issuer);
  if (o.public_port >= 0) {
    doc->setOverride("authz.listeners.public.port", std::to_string(o.public_port));
  }
  if (o.mtls_port >= 0) doc->setOverride("authz.listeners.mtls.port", std::to_string(o.mtls_port));
  if (o.resource_port >= 0) {
    doc->setOverride("resource.listener.port", std::to_string(o.resource_port));
  }

  const Clock& clock = SystemClock::instance();
  auto servers = Servers::configure(*doc, clock);
  if (!servers) return fatal(2, servers.error().detail);
  Servers& s = **servers;
  if (auto st = s.open(); !st) {
    return fatal(st.error().code == Errc::kInvalidArgument ? 2 : 1, st.error().detail);
  }
  if (auto st = s.start(); !st) return fatal(1, "listeners: " + st.error().detail);
  s.server().stopOnSignals();

  // One line on stdout for supervisors and tests that wait for readiness.
  std::string ready = "gridgate serve: ready";
  if (s.hasAuthz()) {
    log::info("authorization server {} listening: public {} mtls {}", s.authzConfig().issuer,
              s.server().port("public"), s.server().port("mtls"));
    ready += " public=" + std::to_string(s.server().port("public")) +
             " mtls=" + std::to_string(s.server().port("mtls"));
  }
  if (s.hasResource()) {
    const auto port = s.server().port(resource::kListenerName);
    log::info("resource server {} listening: {}", s.resourceServe().config().base_url, port);
    ready += " resource=" + std::to_string(port);
  }
  std::cout << ready << std::endl;
  s.wait();
  log::info("servers stopped");
  return 0;
}

const Registration kServe("serve", [](CLI::App& app) {
  auto opts = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "run the servers of a configuration file");
  serve->add_option("--config,-c", opts->config, "the TOML configuration file")->required();
  serve->add_option("--log-level", opts->log_level, "trace|debug|info|warn|error|off");
  serve->add_option("--state-dir", opts->state_dir, "overrides server.state_dir");
  serve->add_option("--issuer", opts->issuer, "overrides authz.issuer");
  serve->add_option("--public-port", opts->public_port, "overrides authz.listeners.public.port");
  serve->add_option("--mtls-port", opts->mtls_port, "overrides authz.listeners.mtls.port");
  serve->add_option("--resource-port", opts->resource_port, "overrides resource.listener.port");
  serve->callback([opts] { setExitCode(runServe(*opts)); });
});

}  // namespace
}  // namespace gridgate::cli
