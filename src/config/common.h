// The sections every gridgate server shares: [server] (process-wide settings) and [store] (the
// storage backend). Modules parse their own sections in their own files (authz/config.h,
// resource/...); listeners use config/listener.h.
//
//   GG_TRY(config::Document doc, config::Document::loadFile(path));
//   GG_TRY(config::ServerSection server, config::parseServerSection(doc));
//   GG_TRY(config::StoreSection store, config::parseStoreSection(doc, server));
//
// [server]
//   log_level = "info"            # trace|debug|info|warn|error|off
//   log_format = "text"           # text|json
//   state_dir = "/var/lib/gridgate"   # keys, the SQLite file and generated files live here
//   io_threads = 1
//   blocking_threads = 4
//   shutdown_timeout = "10s"
// [store]
//   type = "sqlite"               # sqlite | redis
//   path = "gridgate.db"          # relative to state_dir
//   synchronous = "full"          # normal|full|extra: an acknowledged consent survives a crash
//   # type = "redis" only (docs/deployment.md, docs/redis.md):
//   url = "redis://127.0.0.1:6379"  # redis://[[user]:password@]host[:port][/db] or unix:///p?db=N
//   key_prefix = "gridgate:"
//   database = 0                  # overrides the URL's
//   username = ""                 # Redis 6 ACL user; overrides the URL's
//   password = ""                 # better GRIDGATE_STORE_PASSWORD; overrides the URL's
//   pool_size = 8
//   connect_timeout_ms = 500
//   command_timeout_ms = 1000
//   expired_retention = "1h"      # expired codes/tokens/requests stay findable this long
//   revocation_log_retention = "1h"   # >= the access-token lifetime
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "config/document.h"
#include "core/clock.h"
#include "core/result.h"

namespace gridgate::config {

struct ServerSection {
  std::string log_level = "info";
  std::string log_format = "text";
  std::filesystem::path state_dir;
  unsigned io_threads = 1;
  unsigned blocking_threads = 4;
  Seconds shutdown_timeout{10};
};

enum class StoreType { kSqlite, kRedis };

// [store] when type = "redis" (store::RedisOptions says what each does).
struct RedisStoreSection {
  std::string url = "redis://127.0.0.1:6379";
  std::string key_prefix = "gridgate:";
  std::optional<int> database{};
  std::optional<std::string> username{};
  std::optional<std::string> password{};  // a secret: never logged
  unsigned pool_size = 8;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{1000};
  Seconds expired_retention{3600};
  Seconds revocation_log_retention{3600};
};

struct StoreSection {
  StoreType type = StoreType::kSqlite;
  std::filesystem::path path;        // absolute (state_dir applied)
  std::string synchronous = "full";  // normal|full|extra
  RedisStoreSection redis{};         // read only when type = "redis"
};

[[nodiscard]] Result<ServerSection> parseServerSection(const Document& doc);
[[nodiscard]] Result<StoreSection> parseStoreSection(const Document& doc,
                                                     const ServerSection& server);

}  // namespace gridgate::config
