// store_crash_writer: the child of store_crash_test. Writes to a SQLite store and reports each
// write on stdout only after the store call returned success, so that the parent knows exactly
// which writes were acknowledged when it kills this process with SIGKILL.
//
//   store_crash_writer <db> one <full|normal>              one grant, then wait to be killed
//   store_crash_writer <db> stream <full|normal> <threads> writes until killed
//
// Lines (one write(2) each, atomic on a pipe): "ready", "grant <id>", "consumed <par hash>",
// "revoked <id>".
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_store.h"

namespace {

using gridgate::store::Grant;
using gridgate::store::ParRecord;
using gridgate::store::Store;

void report(std::string_view kind, std::string_view id) {
  std::string line(kind);
  if (!id.empty()) line.append(" ").append(id);
  line.push_back('\n');
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    std::_Exit(3);  // the parent is gone
  }
}

[[noreturn]] void die(std::string_view what, const gridgate::Error& error) {
  std::fprintf(stderr, "store_crash_writer: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               error.detail.c_str());
  std::_Exit(2);
}

Grant grant(const std::string& id) {
  return Grant{.id = id,
               .evidence_id = "ev-" + id,
               .client_id = "https://client.example/app",
               .subject = "sub-alice",
               .scope = "https://licence.example/l1",
               .authorization_details = "",
               .granted_at = 1'700'000'000,
               .expires_at = 1'731'536'000,
               .data_available_from = 0,
               .token_issued_at = 0,
               .token_expires_at = 0,
               .revoked_at = std::nullopt};
}

void stream(Store& store, int thread) {
  const std::string prefix = std::to_string(thread) + "-";
  ParRecord par;
  par.client_id = "https://client.example/app";
  par.expires_at = 4'000'000'000;
  for (long n = 0;; ++n) {
    const std::string id = "g-" + prefix + std::to_string(n);
    if (auto s = store.grants().create(grant(id)); !s) die("grant", s.error());
    report("grant", id);

    const std::string par_hash = "p-" + prefix + std::to_string(n);
    if (auto s = store.pars().create(par_hash, par); !s) die("par", s.error());
    if (auto s = store.pars().consume(par_hash, 1'700'000'000); !s) die("consume", s.error());
    report("consumed", par_hash);

    if (n > 0) {
      const std::string previous = "g-" + prefix + std::to_string(n - 1);
      auto revoked = store.grants().revoke(previous, 1'700'000'100);
      if (!revoked) die("revoke", revoked.error());
      report("revoked", previous);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <db> one|stream full|normal [threads]\n", argv[0]);
    return 64;
  }
  const std::string_view mode = argv[2];
  const std::string_view sync = argv[3];
  gridgate::store::SqliteOptions options;
  options.path = argv[1];
  options.synchronous = sync == "normal" ? gridgate::store::Synchronous::kNormal
                                         : gridgate::store::Synchronous::kFull;
  auto opened = gridgate::store::openSqlite(options);
  if (!opened) die("open", opened.error());
  std::shared_ptr<Store> store = *opened;
  report("ready", "");

  if (mode == "one") {
    if (auto s = store->grants().create(grant("g-once")); !s) die("grant", s.error());
    report("grant", "g-once");
    for (;;) ::pause();
  }
  const int threads = argc > 4 ? std::atoi(argv[4]) : 1;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&store, t] { stream(*store, t); });
  for (auto& w : workers) w.join();
  return 0;
}
