// What `gridgate sandbox` keeps in its directory (default .gridgate), and how it makes it:
//
//   DIR/gridgate.toml      the configuration (written once; yours to edit, except the ports and
//                          URLs, which the sandbox sets from --ports / --port-offset every start)
//   DIR/pki/               the dev trust framework (pki::init): CAs, the server certificate for
//                          localhost, the two demo client certificates, the signing certificate
//   DIR/state/gridgate.db  the SQLite store (users, grants, tokens, signing keys)
//   DIR/demo-users.txt     the demo users and their generated passwords (0600), one per line:
//                          "<username> <password>"
//   DIR/README.txt         this list, for whoever finds the directory
//
//   GG_TRY(sandbox::Ports ports, sandbox::parsePorts("9000,9001,9010,9020"));   // or withOffset
//   const sandbox::Layout files = sandbox::Layout::in(".gridgate");
//   if (reset) GG_TRY(sandbox::resetState(files));
//   GG_TRY(sandbox::Prepared p, sandbox::prepare(files, clock));   // PKI, config, README
//   GG_TRY(config::Document doc, config::Document::loadFile(files.config));
//   sandbox::applyPorts(doc, ports);
//   ... open the store ...
//   GG_TRY(std::vector<sandbox::DemoUser> users, sandbox::ensureDemoUsers(*store, files, clock));
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/document.h"
#include "core/clock.h"
#include "core/result.h"
#include "pki/layout.h"
#include "store/store.h"

namespace gridgate::cli::sandbox {

// The four listeners, in the order of --ports.
struct Ports {
  std::uint16_t authz_public = 8000;
  std::uint16_t authz_mtls = 8001;
  std::uint16_t resource = 8010;
  std::uint16_t demo = 8020;

  std::string issuer() const;           // https://localhost:<authz_public>
  std::string mtlsBaseUrl() const;      // https://localhost:<authz_mtls>
  std::string resourceBaseUrl() const;  // https://localhost:<resource>
  std::string demoBaseUrl() const;      // https://localhost:<demo>
  std::string demoRedirectUri() const;  // <demo base>/callback
  // The same redirect URI with 127.0.0.1 (the default of `gridgate client --redirect-uri`).
  std::string cliRedirectUri() const;

  // (port, what listens there, in words) for error messages.
  std::array<std::pair<std::uint16_t, std::string_view>, 4> described() const;
};

// "a,b,c,d": four distinct ports 1..65535. kInvalidArgument otherwise.
[[nodiscard]] Result<Ports> parsePorts(std::string_view text);
// The defaults plus `offset` (each result must stay within 1..65535).
[[nodiscard]] Result<Ports> withOffset(int offset);

struct Layout {
  std::filesystem::path dir;
  std::filesystem::path config;
  std::filesystem::path pki_dir;
  std::filesystem::path state_dir;
  std::filesystem::path users;
  std::filesystem::path users_checked;  // state/demo-users.checked: see ensureDemoUsers
  std::filesystem::path readme;
  pki::Layout pki;

  static Layout in(const std::filesystem::path& dir);
};

// Deletes what the sandbox generated in the directory (the files above, nothing else).
[[nodiscard]] Status resetState(const Layout& files);

struct Prepared {
  bool created_pki = false;     // pki::init made something
  bool created_config = false;  // gridgate.toml was written now
};

// Creates the directory (0700), the PKI (missing files only) and gridgate.toml and README.txt if
// absent.
[[nodiscard]] Result<Prepared> prepare(const Layout& files, const Clock& clock);

// The configuration the sandbox writes: paths relative to the directory (the file works with
// `gridgate serve --config DIR/gridgate.toml` too).
std::string configText(const Layout& files, const Ports& ports);

// Sets the ports and every URL derived from them (issuer, mTLS base URL, audiences, the
// resource server's base URL and issuer, the demo clients' redirect URIs) as overrides.
void applyPorts(config::Document& doc, const Ports& ports);

struct DemoUser {
  std::string username;
  std::string display_name;
  std::string password;
};
// The demo users' names and display names.
std::vector<DemoUser> demoUserNames();

// Makes sure each demo user exists in the store with the password in demo-users.txt: passwords
// are generated (and the file written, 0600) when the file lacks them; a user whose stored hash
// does not match is replaced. The Argon2 check is skipped when the passwords and stored hashes are
// those of the last check that passed (a fingerprint in state/demo-users.checked). Returns the
// users with their passwords.
[[nodiscard]] Result<std::vector<DemoUser>> ensureDemoUsers(store::Store& store,
                                                            const Layout& files,
                                                            const Clock& clock);

}  // namespace gridgate::cli::sandbox
