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
//   type = "sqlite"               # the only backend so far ("redis" is planned)
//   path = "gridgate.db"          # relative to state_dir
//   synchronous = "full"          # normal|full|extra: an acknowledged consent survives a crash
#pragma once

#include <cstdint>
#include <filesystem>
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

enum class StoreType { kSqlite };

struct StoreSection {
  StoreType type = StoreType::kSqlite;
  std::filesystem::path path;        // absolute (state_dir applied)
  std::string synchronous = "full";  // normal|full|extra
};

[[nodiscard]] Result<ServerSection> parseServerSection(const Document& doc);
[[nodiscard]] Result<StoreSection> parseStoreSection(const Document& doc,
                                                     const ServerSection& server);

}  // namespace gridgate::config
