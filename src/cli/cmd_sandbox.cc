// gridgate sandbox: the whole Perseus flow on one machine, in one process, with nothing to
// configure (docs/sandbox.md).
//
//   gridgate sandbox                        # .gridgate in the current directory
//   gridgate sandbox --dir /tmp/gg --reset  # start from nothing
//   gridgate sandbox --port-offset 100      # 8100, 8101, 8110, 8120
//   gridgate sandbox --ports 9000,9001,9010,9020
//
// Makes what is missing in the directory (the dev PKI, gridgate.toml, the demo users and their
// passwords: sandbox/files.h), then runs on 127.0.0.1, on one net::Server: the authorization
// server (public 8000, mTLS 8001), the resource server (8010) and the browser demo client (8020,
// sandbox/demo_client.h). Prints the URLs, the demo users, one copy-pastable `gridgate client
// flow` command, then the line "gridgate sandbox: ready". SIGINT (Ctrl-C) or SIGTERM stops it
// cleanly. Exit codes: 0 stopped cleanly; 1 start-up failure (a busy port: the message names it
// and how to choose others); 2 bad usage or configuration.

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "cli/sandbox/demo_client.h"
#include "cli/sandbox/files.h"
#include "cli/servers.h"
#include "config/document.h"
#include "core/clock.h"
#include "core/log.h"
#include "pki/files.h"
#include "pki/pki.h"

namespace gridgate::cli {
namespace {

namespace fs = std::filesystem;

struct SandboxOptions {
  std::string dir = ".gridgate";
  bool reset = false;
  int port_offset = 0;
  bool has_offset = false;
  std::string ports;
  std::string log_level;
};

int fatal(int code, const std::string& what) {
  std::cerr << "gridgate sandbox: " << what << "\n";
  return code;
}

// A word for a shell command line: as is when it is plainly safe, else in single quotes.
std::string shellWord(const std::string& s) {
  bool plain = !s.empty();
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '.' || c == '-' || c == '_' || c == ':' || c == ',' ||
                    c == '=' || c == '+' || c == '@';
    plain = plain && ok;
  }
  if (plain) return s;
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string selfPath() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("gridgate") : p.string();
}

// The clear message for a port that is taken (the server's error names listener and port).
std::string busyPortMessage(const std::string& detail, const sandbox::Ports& ports) {
  std::string which = "a port";
  for (const auto& [port, what] : ports.described()) {
    if (detail.find(":" + std::to_string(port) + ":") != std::string::npos) {
      which = "port " + std::to_string(port) + " (" + std::string(what) + ")";
    }
  }
  return which + " is already in use on 127.0.0.1 (" + detail +
         ").\nStop what uses it (perhaps another sandbox), or choose other ports: "
         "--port-offset 100 (8100, 8101, 8110, 8120) or --ports 9000,9001,9010,9020 "
         "(authorization server public, mTLS, resource server, demo page).";
}

// Where the start-up time goes, for `--log-level debug` ("sandbox: start-up: pki 40 ms, ...").
class PhaseTimer {
 public:
  void mark(std::string_view phase) {
    const auto now = std::chrono::steady_clock::now();
    text_ +=
        (text_.empty() ? "" : ", ") + std::string(phase) + " " +
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count()) +
        " ms";
    last_ = now;
  }
  const std::string& text() const { return text_; }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string text_;
};

int runSandbox(const SandboxOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  PhaseTimer phases;
  const Clock& clock = SystemClock::instance();

  if (o.has_offset && !o.ports.empty()) return fatal(2, "give --ports or --port-offset, not both");
  Result<sandbox::Ports> ports = sandbox::Ports{};
  if (!o.ports.empty()) ports = sandbox::parsePorts(o.ports);
  if (o.has_offset) ports = sandbox::withOffset(o.port_offset);
  if (!ports) return fatal(2, ports.error().detail);

  std::error_code ec;
  const fs::path dir = fs::absolute(o.dir, ec);
  if (ec) return fatal(2, "bad --dir " + o.dir);
  const sandbox::Layout files = sandbox::Layout::in(dir);
  if (o.reset) {
    if (auto st = sandbox::resetState(files); !st) return fatal(1, st.error().detail);
  }
  auto prepared = sandbox::prepare(files, clock);
  if (!prepared) return fatal(1, prepared.error().detail);
  phases.mark("files and PKI");

  auto doc = config::Document::loadFile(files.config);
  if (!doc) return fatal(2, doc.error().detail);
  sandbox::applyPorts(*doc, *ports);
  if (!o.log_level.empty()) doc->setOverride("server.log_level", o.log_level);
  auto configured = Servers::configure(*doc, clock);
  if (!configured) return fatal(2, files.config.string() + ": " + configured.error().detail);
  Servers& servers = **configured;
  phases.mark("configuration");
  if (!servers.hasAuthz() || !servers.hasResource()) {
    return fatal(2, files.config.string() + " needs both [authz] and [resource]");
  }
  if (auto st = servers.open(); !st) {
    return fatal(st.error().code == Errc::kInvalidArgument ? 2 : 1, st.error().detail);
  }
  phases.mark("store and authorization server");
  auto users = sandbox::ensureDemoUsers(*servers.store(), files, clock);
  if (!users) return fatal(1, "demo users: " + users.error().detail);
  phases.mark("demo users");

  // The browser demo client: the demo application, its certificate held here.
  const pki::Identities ids = pki::sandboxIdentities();
  auto signing_ca = pki::readFile(files.pki.signing.ca);
  if (!signing_ca) return fatal(1, signing_ca.error().detail);
  sandbox::DemoClientOptions demo_options;
  client::ClientOptions& c = demo_options.client;
  c.issuer = ports->issuer();
  c.cert_chain_file = files.pki.client_demo.bundle.string();
  c.key_file = files.pki.client_demo.key.string();
  c.ca_file = files.pki.server.ca.string();
  c.redirect_uri = ports->demoRedirectUri();
  c.resource_base_url = ports->resourceBaseUrl();
  c.signing_ca_pem = std::move(*signing_ca);
  c.clock = &clock;
  const authz::ClientConfig* registered = servers.authzConfig().clients.find(ids.demo_application);
  demo_options.view = {
      .provider = servers.authzConfig().provider_name,
      .client_name = registered != nullptr ? registered->display_name : std::string("Demo client"),
      .client_id = ids.demo_application,
      .authorize_origin = servers.authzConfig().public_base_url};
  auto demo = sandbox::DemoClient::create(std::move(demo_options));
  if (!demo) return fatal(1, "demo client: " + demo.error().detail);
  net::ListenerConfig demo_listener;
  demo_listener.name = "demo";
  demo_listener.address = "127.0.0.1";
  demo_listener.port = ports->demo;
  demo_listener.tls =
      net::TlsServerConfig{.certificates = {{.chain_file = files.pki.server_leaf.bundle.string(),
                                             .key_file = files.pki.server_leaf.key.string()}},
                           .client_cert = net::ClientCertMode::kNone};
  demo_listener.metrics_endpoint = false;
  demo_listener.security_headers.hsts = false;  // HSTS on localhost would outlive the sandbox
  servers.addListener(std::move(demo_listener), (*demo)->router());
  phases.mark("demo client");

  if (auto st = servers.start(); !st) {
    if (st.error().code == Errc::kIo &&
        st.error().detail.find("cannot listen") != std::string::npos) {
      return fatal(1, busyPortMessage(st.error().detail, *ports));
    }
    return fatal(1, st.error().detail);
  }
  servers.server().stopOnSignals();
  phases.mark("listeners and warm-up");
  log::debug("sandbox: start-up: {}", phases.text());
  const auto ready_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();

  const std::string users_file = files.users.string();
  std::ostringstream out;
  out << "gridgate sandbox: " << dir.string();
  if (prepared->created_pki || prepared->created_config) {
    out << " (made now:" << (prepared->created_pki ? " PKI" : "")
        << (prepared->created_config ? " configuration" : "") << ")";
  }
  out << "\n\n"
      << "  Demo client (open this)   " << ports->demoBaseUrl() << "/\n"
      << "  Authorization server      " << ports->issuer() << "   (mTLS endpoints "
      << ports->mtlsBaseUrl() << ")\n"
      << "  Resource server (mTLS)    " << ports->resourceBaseUrl() << "\n\n"
      << "  Demo users (sign in with one; also in " << users_file << "):\n";
  for (const sandbox::DemoUser& u : *users) {
    out << "    " << u.username << "  " << u.password << "\n";
  }
  out << "\n  The servers' certificates come from the sandbox's own CA, "
      << files.pki.server.ca.string()
      << ":\n  your browser will warn about them unless you import it.\n\n"
      << "  The whole flow from the command line (PAR, login, consent, token, data, provenance):\n"
      << "    sed -n 's/^" << users->front().username << " //p' " << shellWord(users_file)
      << " | AUTHENTICATION_API=" << ports->issuer() << " RESOURCE_API=" << ports->resourceBaseUrl()
      << " GRIDGATE_CLIENT_CERT=" << shellWord(files.pki.client_demo.bundle.string())
      << " GRIDGATE_CLIENT_KEY=" << shellWord(files.pki.client_demo.key.string())
      << " GRIDGATE_CLIENT_CA=" << shellWord(files.pki.server.ca.string())
      << " GRIDGATE_SIGNING_CA=" << shellWord(files.pki.signing.ca.string())
      << " GRIDGATE_REDIRECT_URI=" << ports->cliRedirectUri() << " " << shellWord(selfPath())
      << " client flow --user " << users->front().username << " --password-stdin\n\n"
      << "  Ready in " << ready_ms << " ms. Ctrl-C stops it.\n"
      << "gridgate sandbox: ready" << std::endl;
  std::cout << out.str() << std::flush;
  log::info("sandbox ready in {} ms", ready_ms);

  servers.wait();
  std::cout << "gridgate sandbox: stopped" << std::endl;
  return 0;
}

const Registration kSandbox("sandbox", [](CLI::App& app) {
  auto opts = std::make_shared<SandboxOptions>();
  CLI::App* sb = app.add_subcommand(
      "sandbox", "the whole flow on 127.0.0.1: authorization server, resource server, demo page");
  sb->add_option("--dir", opts->dir, "where the PKI, configuration, store and users live")
      ->capture_default_str();
  sb->add_flag("--reset", opts->reset, "delete what the sandbox generated in --dir first");
  sb->add_option("--port-offset", opts->port_offset, "add N to every port (8000, 8001, 8010, 8020)")
      ->each([opts](const std::string&) { opts->has_offset = true; });
  sb->add_option("--ports", opts->ports,
                 "four ports: authorization server public, mTLS, resource server, demo page");
  sb->add_option("--log-level", opts->log_level, "trace|debug|info|warn|error|off");
  sb->callback([opts] { setExitCode(runSandbox(*opts)); });
});

}  // namespace
}  // namespace gridgate::cli
