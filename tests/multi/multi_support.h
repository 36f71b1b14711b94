// What the multi-instance tests share: the sandbox's configuration split into one file for the
// authorization-server instances and one for the resource-server instances, and the login user
// written into the shared Redis store.
//
//   const auto ports = net::test::freePorts(7);
//   std::string text;
//   ASSERT_NO_FATAL_FAILURE(multi_test::sandboxConfigOnRedis(layout, sandbox_ports, redis.url(),
//   "",
//                                                            &text));
//   multi_test::SplitConfigs files;
//   ASSERT_NO_FATAL_FAILURE(multi_test::writeSplitConfigs(text, dir, &files));
//   ASSERT_NO_FATAL_FAILURE(multi_test::addRedisUser(redis.url(), "alice", "password"));
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authz/ui/password.h"
#include "authz/ui/users.h"
#include "cli/sandbox/files.h"
#include "core/clock.h"
#include "core/random.h"
#include "harness.h"  // tests/authz (and tests/net support: writeFileText)
#include "store/redis/redis_store.h"

namespace gridgate::multi_test {

struct SplitConfigs {
  std::string authz;     // [authz] and what precedes it; one CSRF key file for every instance
  std::string resource;  // [resource] and what precedes [authz]
};

// Prepares the sandbox's files (PKI, users file) in `files` and writes to *text its configuration
// for `ports` with [store] on the shared Redis at `redis_url` (plus `store_extra` lines).
inline void sandboxConfigOnRedis(const cli::sandbox::Layout& files,
                                 const cli::sandbox::Ports& ports, const std::string& redis_url,
                                 const std::string& store_extra, std::string* text) {
  auto prepared = cli::sandbox::prepare(files, SystemClock::instance());
  ASSERT_TRUE(prepared) << prepared.error().detail;
  std::string t = cli::sandbox::configText(files, ports);
  const std::string sqlite = "[store]\ntype = \"sqlite\"\npath = \"gridgate.db\"\n";
  const std::size_t at = t.find(sqlite);
  ASSERT_NE(at, std::string::npos) << t;
  t.replace(at, sqlite.size(),
            "[store]\ntype = \"redis\"\nurl = \"" + redis_url + "\"\n" + store_extra);
  *text = std::move(t);
}

// Writes DIR/authz.toml, DIR/resource.toml and DIR/csrf.key from a whole sandbox configuration.
inline void writeSplitConfigs(const std::string& text, const std::string& dir, SplitConfigs* out) {
  const std::size_t authz_at = text.find("[authz]\n");
  const std::size_t resource_at = text.find("\n[resource]\n");
  ASSERT_NE(authz_at, std::string::npos) << text;
  ASSERT_NE(resource_at, std::string::npos) << text;
  const std::string common = text.substr(0, authz_at);
  // A login form served by one instance is posted to another: one CSRF key for all.
  net::test::writeFileText(dir + "/csrf.key", randomToken(48));
  out->authz = dir + "/authz.toml";
  out->resource = dir + "/resource.toml";
  net::test::writeFileText(out->authz, common + text.substr(authz_at, resource_at - authz_at) +
                                           "\n[authz.interaction]\ncsrf_key_file = \"csrf.key\"\n");
  net::test::writeFileText(out->resource, common + text.substr(resource_at));
}

// The user of the built-in login page, in the Redis store every instance shares (small Argon2
// parameters: ASan is slow).
inline void addRedisUser(const std::string& url, std::string_view username,
                         std::string_view password) {
  store::RedisOptions o;
  o.url = url;
  auto db = store::openRedis(o);
  ASSERT_TRUE(db) << db.error().detail;
  auto user = authz::ui::createUser(
      (*db)->users(),
      {.username = std::string(username), .password = std::string(password), .display_name = ""},
      authz::ui::PasswordParams{.time_cost = 1, .memory_kib = 1024, .parallelism = 1},
      SystemClock::instance());
  ASSERT_TRUE(user) << user.error().detail;
}

}  // namespace gridgate::multi_test
