#include "cli/sandbox/files.h"

#include <sys/stat.h>

#include <charconv>
#include <cstdio>
#include <future>
#include <set>
#include <sstream>
#include <system_error>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "pki/files.h"
#include "pki/pki.h"

namespace gridgate::cli::sandbox {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";

std::string localhost(std::uint16_t port) { return "https://localhost:" + std::to_string(port); }

Result<std::uint16_t> parsePort(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) {
    return fail(Errc::kInvalidArgument, "not a port number: '" + std::string(text) + "'");
  }
  return static_cast<std::uint16_t>(value);
}

Status checkDistinct(const Ports& p) {
  const std::set<std::uint16_t> distinct{p.authz_public, p.authz_mtls, p.resource, p.demo};
  if (distinct.size() != 4) return fail(Errc::kInvalidArgument, "the four ports must differ");
  return ok();
}

// A TOML basic string (the paths and URLs written here are plain ASCII without quotes, but a
// directory name chosen by the user may hold anything).
std::string tomlString(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x",
                    static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A path of the PKI, relative to the sandbox directory (where gridgate.toml lives).
std::string pkiPath(const fs::path& p) {
  return tomlString((fs::path("pki") / p.filename()).generic_string());
}

constexpr std::string_view kReadmeMark = "This directory was made by `gridgate sandbox`";
constexpr std::string_view kReadme =
    "This directory was made by `gridgate sandbox` (docs/sandbox.md).\n"
    "\n"
    "  gridgate.toml      the configuration of the sandbox's servers; edit it freely, except the\n"
    "                     ports and the URLs made from them, which `gridgate sandbox` sets at\n"
    "                     every start (--ports / --port-offset). `gridgate serve --config\n"
    "                     gridgate.toml` runs the same servers without the demo page.\n"
    "  pki/               the dev trust framework (`gridgate pki`): its README.txt names each "
    "file\n"
    "  state/gridgate.db  the SQLite store: users, grants, tokens, signing keys\n"
    "  demo-users.txt     the demo users and their passwords (generated; keep it private)\n"
    "\n"
    "`gridgate sandbox --reset` deletes all of it and starts again.\n";

}  // namespace

std::string Ports::issuer() const { return localhost(authz_public); }
std::string Ports::mtlsBaseUrl() const { return localhost(authz_mtls); }
std::string Ports::resourceBaseUrl() const { return localhost(resource); }
std::string Ports::demoBaseUrl() const { return localhost(demo); }
std::string Ports::demoRedirectUri() const { return demoBaseUrl() + "/callback"; }
std::string Ports::cliRedirectUri() const {
  return "https://127.0.0.1:" + std::to_string(demo) + "/callback";
}

std::array<std::pair<std::uint16_t, std::string_view>, 4> Ports::described() const {
  return {{{authz_public, "authorization server, public listener"},
           {authz_mtls, "authorization server, mTLS listener"},
           {resource, "resource server"},
           {demo, "demo client page"}}};
}

Result<Ports> parsePorts(std::string_view text) {
  std::vector<std::uint16_t> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string_view item = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    GG_TRY(std::uint16_t port, parsePort(item));
    values.push_back(port);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (values.size() != 4) {
    return fail(Errc::kInvalidArgument,
                "--ports takes four ports: authorization server public, mTLS, resource server, "
                "demo page (e.g. 9000,9001,9010,9020)");
  }
  Ports p{values[0], values[1], values[2], values[3]};
  GG_TRY(checkDistinct(p));
  return p;
}

Result<Ports> withOffset(int offset) {
  const Ports base;
  const auto shift = [offset](std::uint16_t port) -> Result<std::uint16_t> {
    const int shifted = port + offset;
    if (shifted < 1 || shifted > 65535) {
      return fail(Errc::kInvalidArgument, "--port-offset " + std::to_string(offset) +
                                              " moves port " + std::to_string(port) +
                                              " outside 1..65535");
    }
    return static_cast<std::uint16_t>(shifted);
  };
  Ports p;
  GG_TRY(p.authz_public, shift(base.authz_public));
  GG_TRY(p.authz_mtls, shift(base.authz_mtls));
  GG_TRY(p.resource, shift(base.resource));
  GG_TRY(p.demo, shift(base.demo));
  return p;
}

Layout Layout::in(const fs::path& dir) {
  Layout l;
  l.dir = dir;
  l.config = dir / "gridgate.toml";
  l.pki_dir = dir / "pki";
  l.state_dir = dir / "state";
  l.users = dir / "demo-users.txt";
  l.users_checked = l.state_dir / "demo-users.checked";
  l.readme = dir / "README.txt";
  l.pki = pki::Layout::in(l.pki_dir);
  return l;
}

Status resetState(const Layout& files) {
  std::error_code ec;
  // Only a directory the sandbox made (its README.txt says so), or one without anything the
  // sandbox would delete: --dir pointed at the wrong place must not lose someone's pki/.
  const bool ours = pki::readFile(files.readme, 64 * 1024)
                        .map([](const std::string& t) { return t.rfind(kReadmeMark, 0) == 0; })
                        .value_or(false);
  if (!ours) {
    for (const fs::path& p :
         {files.config, files.users, files.readme, files.pki_dir, files.state_dir}) {
      if (fs::exists(p, ec)) {
        return fail(Errc::kInvalidArgument,
                    files.dir.string() +
                        " was not made by gridgate sandbox (no README.txt of it): --reset "
                        "deletes nothing there");
      }
    }
    return ok();
  }
  for (const fs::path& p : {files.config, files.users, files.readme}) {
    fs::remove(p, ec);
    if (ec) return fail(Errc::kIo, "cannot delete " + p.string() + ": " + ec.message());
  }
  for (const fs::path& p : {files.pki_dir, files.state_dir}) {
    fs::remove_all(p, ec);
    if (ec) return fail(Errc::kIo, "cannot delete " + p.string() + ": " + ec.message());
  }
  return ok();
}

Result<Prepared> prepare(const Layout& files, const Clock& clock) {
  Prepared out;
  std::error_code ec;
  fs::create_directories(files.dir, ec);
  if (ec) return fail(Errc::kIo, "cannot create " + files.dir.string() + ": " + ec.message());
  ::chmod(files.dir.c_str(), 0700);
  // A sandbox directory is made again with --reset; the ~35 fsyncs of a durable init would cost
  // about a third of a second of every first start.
  GG_TRY(pki::InitResult pki,
         pki::init({.dir = files.pki_dir, .durable = false, .now = clock.unixSeconds()}));
  out.created_pki = !pki.created.empty();
  if (!fs::exists(files.config)) {
    GG_TRY(pki::writeFileAtomic(files.config, configText(files, Ports{}), pki::FileMode::kSecret,
                                pki::Overwrite::kNo, pki::Sync::kNo));
    out.created_config = true;
  }
  if (!fs::exists(files.readme)) {
    GG_TRY(pki::writeFileAtomic(files.readme, kReadme, pki::FileMode::kPublic, pki::Overwrite::kNo,
                                pki::Sync::kNo));
  }
  return out;
}

std::string configText(const Layout& files, const Ports& ports) {
  const pki::Layout& k = files.pki;
  const pki::Identities ids = pki::sandboxIdentities();
  const std::string scopes = "[" + tomlString(kLicence) + ", \"offline_access\", \"openid\"]";
  const std::string redirects =
      "[" + tomlString(ports.demoRedirectUri()) + ", " + tomlString(ports.cliRedirectUri()) + "]";
  std::ostringstream t;
  t << "# gridgate sandbox configuration (written by `gridgate sandbox`; docs/sandbox.md).\n"
    << "# Relative paths are relative to this file's directory. The sandbox sets the ports and\n"
    << "# the URLs made from them at every start (--ports / --port-offset).\n\n"
    << "[server]\n"
    << "state_dir = \"state\"\n"
    << "log_level = \"warn\"\n\n"
    << "[store]\n"
    << "type = \"sqlite\"\n"
    << "path = \"gridgate.db\"\n\n"
    << "[authz]\n"
    << "issuer = " << tomlString(ports.issuer()) << "\n"
    << "mtls_base_url = " << tomlString(ports.mtlsBaseUrl()) << "\n"
    << "provider_name = \"Perseus Demo Energy\"\n"
    << "resource_audiences = [" << tomlString(ports.resourceBaseUrl()) << "]\n"
    << "client_ca = " << pkiPath(k.client.verify_bundle) << "\n"
    << "client_crl = " << pkiPath(k.client.crl) << "\n\n"
    << "[authz.signing]\n"
    << "alg = \"ES256\"\n"
    << "key_file = " << pkiPath(k.token_signing_key) << "\n\n"
    << "# hsts = false: a browser would otherwise apply HSTS to every port of localhost for a "
       "year\n"
    << "[authz.listeners.public]\n"
    << "port = " << ports.authz_public << "\n"
    << "hsts = false\n"
    << "cert_chain = " << pkiPath(k.server_leaf.bundle) << "\n"
    << "key = " << pkiPath(k.server_leaf.key) << "\n\n"
    << "[authz.listeners.mtls]\n"
    << "port = " << ports.authz_mtls << "\n"
    << "hsts = false\n"
    << "cert_chain = " << pkiPath(k.server_leaf.bundle) << "\n"
    << "key = " << pkiPath(k.server_leaf.key) << "\n"
    << "client_ca = " << pkiPath(k.client.verify_bundle) << "\n"
    << "crl = " << pkiPath(k.client.crl) << "\n\n"
    << "# The demo client applications of the PKI (pki/client-demo-*.pem, pki/client-other-*.pem)\n"
    << "[[authz.clients]]\n"
    << "client_id = " << tomlString(ids.demo_application) << "\n"
    << "display_name = \"Demo Carbon Accounting\"\n"
    << "auth_method = \"tls_client_auth\"\n"
    << "scopes = " << scopes << "\n"
    << "redirect_uris = " << redirects << "\n\n"
    << "[[authz.clients]]\n"
    << "client_id = " << tomlString(ids.other_application) << "\n"
    << "display_name = \"Other Carbon Accounting\"\n"
    << "auth_method = \"tls_client_auth\"\n"
    << "scopes = " << scopes << "\n"
    << "redirect_uris = " << redirects << "\n\n"
    << "[resource]\n"
    << "base_url = " << tomlString(ports.resourceBaseUrl()) << "\n"
    << "builtin_meters = true\n\n"
    << "[resource.signing]\n"
    << "key = " << pkiPath(k.signing_provider.key) << "\n"
    << "bundle = " << pkiPath(k.signing_provider.bundle) << "\n\n"
    << "[resource.token]\n"
    << "issuer = " << tomlString(ports.issuer()) << "\n"
    << "mode = \"jwt\"\n"
    << "ca_file = " << pkiPath(k.server.ca) << "\n\n"
    << "[resource.listener]\n"
    << "port = " << ports.resource << "\n"
    << "hsts = false\n"
    << "cert_chain = " << pkiPath(k.server_leaf.bundle) << "\n"
    << "key = " << pkiPath(k.server_leaf.key) << "\n"
    << "client_ca = " << pkiPath(k.client.verify_bundle) << "\n"
    << "crl = " << pkiPath(k.client.crl) << "\n";
  return t.str();
}

void applyPorts(config::Document& doc, const Ports& ports) {
  doc.setOverride("authz.issuer", ports.issuer());
  doc.setOverride("authz.mtls_base_url", ports.mtlsBaseUrl());
  doc.setOverride("authz.resource_audiences", ports.resourceBaseUrl());
  doc.setOverride("authz.listeners.public.port", std::to_string(ports.authz_public));
  doc.setOverride("authz.listeners.mtls.port", std::to_string(ports.authz_mtls));
  const std::string redirects = ports.demoRedirectUri() + "," + ports.cliRedirectUri();
  doc.setOverride("authz.clients.0.redirect_uris", redirects);
  doc.setOverride("authz.clients.1.redirect_uris", redirects);
  doc.setOverride("resource.base_url", ports.resourceBaseUrl());
  doc.setOverride("resource.token.issuer", ports.issuer());
  doc.setOverride("resource.listener.port", std::to_string(ports.resource));
}

std::vector<DemoUser> demoUserNames() {
  return {{"alice", "Alice Example", ""}, {"bob", "Bob Example", ""}};
}

Result<std::vector<DemoUser>> ensureDemoUsers(store::Store& store, const Layout& files,
                                              const Clock& clock) {
  std::vector<DemoUser> users = demoUserNames();
  bool rewrite = false;
  if (fs::exists(files.users)) {
    GG_TRY(std::string text, pki::readFile(files.users, 64 * 1024));
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const std::size_t space = line.find(' ');
      if (space == std::string::npos) continue;
      const std::string name = line.substr(0, space);
      for (DemoUser& u : users) {
        if (u.username == name) u.password = line.substr(space + 1);
      }
    }
  }
  for (DemoUser& u : users) {
    if (u.password.size() < authz::ui::kMinPasswordBytes) {
      u.password = randomToken(12);  // 96 bits, 16 characters
      rewrite = true;
    }
  }
  if (rewrite) {
    std::string text;
    for (const DemoUser& u : users) text += u.username + " " + u.password + "\n";
    GG_TRY(pki::writeFileAtomic(files.users, text, pki::FileMode::kSecret, pki::Overwrite::kYes,
                                pki::Sync::kNo));
  }
  // Argon2id costs ~50 ms per user (more on a busy machine): the check is skipped when neither
  // the passwords nor the stored hashes changed since it last passed (the fingerprint of both,
  // kept in the state directory; the plain passwords are in demo-users.txt anyway), and otherwise
  // runs for the users in parallel.
  const auto fingerprint = [&]() -> std::string {
    std::string material;
    for (const DemoUser& u : users) {
      auto stored = store.users().findByUsername(u.username);
      material += u.username + "\n" + u.password + "\n" +
                  (stored ? stored->password_hash : std::string()) + "\n";
    }
    return crypto::sha256Hex(material);
  };
  auto checked = pki::readFile(files.users_checked, 1024);
  if (checked && *checked == fingerprint()) return users;

  const authz::ui::PasswordParams params{};
  const auto ensure = [&store, &params, &clock](const DemoUser& u) -> Status {
    auto existing = store.users().findByUsername(u.username);
    if (existing && authz::ui::verifyPassword(existing->password_hash, u.password)) return ok();
    if (existing) GG_TRY(store.users().remove(u.username));
    if (!existing && existing.error().code != Errc::kNotFound) return fail(existing.error());
    GG_TRY(authz::ui::createUser(
        store.users(),
        {.username = u.username, .password = u.password, .display_name = u.display_name}, params,
        clock));
    return ok();
  };
  std::vector<std::future<Status>> done;
  for (const DemoUser& u : users) done.push_back(std::async(std::launch::async, ensure, u));
  Status status = ok();
  for (auto& f : done) {
    Status st = f.get();
    if (!st && status) status = std::move(st);
  }
  GG_TRY(status);
  std::error_code ec;
  fs::create_directories(files.users_checked.parent_path(), ec);
  GG_TRY(pki::writeFileAtomic(files.users_checked, fingerprint(), pki::FileMode::kSecret,
                              pki::Overwrite::kYes, pki::Sync::kNo));
  return users;
}

}  // namespace gridgate::cli::sandbox
