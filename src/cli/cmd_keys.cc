// gridgate keys: the authorization server's token-signing keys (FAPI-CHECKLIST 58-60).
//
//   gridgate keys rotate --config gridgate.toml               # signs after [authz.signing]
//                                                             # rotation_delay (default 24h)
//   gridgate keys rotate --config gridgate.toml --delay 10m
//   gridgate keys list --config gridgate.toml                 # kid, alg, created, activates,
//                                                             # retired; never a private key
//
// A staged key is published in the JWKS at once (a running server re-reads the key store within
// 30 s) and signs only from its activation time, so verifiers have fetched it before they meet a
// token it signed. The previous key stays published until the longest token it signed expired.
// The key store is the one [store] names (SQLite or Redis), as for `gridgate serve`.
#include <iostream>
#include <memory>
#include <string>

#include "authz/config.h"
#include "authz/keys.h"
#include "cli/command.h"
#include "cli/store_setup.h"
#include "config/common.h"
#include "config/document.h"
#include "core/clock.h"

namespace gridgate::cli {
namespace {

struct KeysOptions {
  std::string config;
  std::string delay;
};

struct Loaded {
  std::shared_ptr<store::Store> store;
  std::shared_ptr<const authz::AuthzConfig> authz;
};

Result<Loaded> load(const KeysOptions& o) {
  GG_TRY(config::Document doc, config::Document::loadFile(o.config));
  GG_TRY(config::ServerSection server, config::parseServerSection(doc));
  GG_TRY(config::StoreSection store_section, config::parseStoreSection(doc, server));
  GG_TRY(std::shared_ptr<const authz::AuthzConfig> authz, authz::parseAuthzConfig(doc));
  // The store the servers of this file use ([store] type sqlite or redis), never a default one.
  GG_TRY(OpenedStore db, openStore(store_section));
  return Loaded{std::move(db.store), std::move(authz)};
}

int runRotate(const KeysOptions& o) {
  auto loaded = load(o);
  if (!loaded) {
    std::cerr << "keys rotate: " << loaded.error().detail << "\n";
    return 2;
  }
  Seconds delay = loaded->authz->signing.rotation_delay;
  if (!o.delay.empty()) {
    auto d = config::parseDuration(o.delay);
    if (!d) {
      std::cerr << "keys rotate: --delay: " << d.error().detail << "\n";
      return 2;
    }
    delay = *d;
  }
  auto staged = authz::SigningKeys::stage(loaded->store->keys(), loaded->authz->signing.alg, delay,
                                          SystemClock::instance());
  if (!staged) {
    std::cerr << "keys rotate: " << staged.error().detail << "\n";
    return 1;
  }
  std::cout << "staged " << staged->alg << " key " << staged->kid << ": published now, signs from "
            << formatUtc(staged->activates_at) << "\n";
  return 0;
}

int runList(const KeysOptions& o) {
  auto loaded = load(o);
  if (!loaded) {
    std::cerr << "keys list: " << loaded.error().detail << "\n";
    return 2;
  }
  auto keys = loaded->store->keys().list();
  if (!keys) {
    std::cerr << "keys list: " << keys.error().detail << "\n";
    return 1;
  }
  for (const store::SigningKey& k : *keys) {
    std::cout << k.kid << "  " << k.alg << "  created " << formatUtc(k.created_at)
              << "  signs from " << formatUtc(k.activates_at);
    if (k.retired_at) std::cout << "  retired " << formatUtc(*k.retired_at);
    std::cout << "\n";
  }
  return 0;
}

const Registration kKeys("keys", [](CLI::App& app) {
  auto opts = std::make_shared<KeysOptions>();
  CLI::App* keys = app.add_subcommand("keys", "the authorization server's signing keys");
  keys->require_subcommand(1);
  CLI::App* rotate = keys->add_subcommand("rotate", "stage a new signing key");
  rotate->add_option("--config,-c", opts->config, "the TOML configuration file")->required();
  rotate->add_option("--delay", opts->delay, "when it starts signing (default: rotation_delay)");
  rotate->callback([opts] { setExitCode(runRotate(*opts)); });
  CLI::App* list = keys->add_subcommand("list", "list the signing keys");
  list->add_option("--config,-c", opts->config, "the TOML configuration file")->required();
  list->callback([opts] { setExitCode(runList(*opts)); });
});

}  // namespace
}  // namespace gridgate::cli
