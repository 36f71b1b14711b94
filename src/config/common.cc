#include "config/common.h"

#include <array>
#include <string_view>

namespace gridgate::config {

namespace {

bool oneOf(std::string_view v, std::initializer_list<std::string_view> allowed) {
  for (std::string_view a : allowed) {
    if (v == a) return true;
  }
  return false;
}

// The Redis keys of [store]; the URL itself is checked when the store opens (store/redis).
Result<RedisStoreSection> parseRedisKeys(const Section& s) {
  RedisStoreSection r;
  GG_TRY(r.url, s.string("url", r.url));
  GG_TRY(r.key_prefix, s.string("key_prefix", r.key_prefix));
  if (s.has("database")) {
    GG_TRY(std::int64_t db, s.integer("database", 0, 0, 1 << 20));
    r.database = static_cast<int>(db);
  }
  GG_TRY(r.username, s.optString("username"));
  GG_TRY(r.password, s.optString("password"));
  GG_TRY(std::int64_t pool, s.integer("pool_size", 8, 1, 1024));
  r.pool_size = static_cast<unsigned>(pool);
  GG_TRY(std::int64_t connect_ms, s.integer("connect_timeout_ms", 500, 1, 60'000));
  r.connect_timeout = std::chrono::milliseconds(connect_ms);
  GG_TRY(std::int64_t command_ms, s.integer("command_timeout_ms", 1000, 1, 60'000));
  r.command_timeout = std::chrono::milliseconds(command_ms);
  GG_TRY(r.expired_retention, s.duration("expired_retention", r.expired_retention));
  GG_TRY(r.revocation_log_retention,
         s.duration("revocation_log_retention", r.revocation_log_retention));
  if (r.revocation_log_retention.count() == 0) {
    return fail(Errc::kInvalidArgument, s.keyPath("revocation_log_retention") + " must be > 0");
  }
  return r;
}

}  // namespace

Result<ServerSection> parseServerSection(const Document& doc) {
  const Section s = doc.section("server");
  ServerSection out;
  GG_TRY(out.log_level, s.string("log_level", out.log_level));
  if (!oneOf(out.log_level, {"trace", "debug", "info", "warn", "error", "off"})) {
    return fail(Errc::kInvalidArgument,
                s.keyPath("log_level") + " must be trace, debug, info, warn, error or off");
  }
  GG_TRY(out.log_format, s.string("log_format", out.log_format));
  if (!oneOf(out.log_format, {"text", "json"})) {
    return fail(Errc::kInvalidArgument, s.keyPath("log_format") + " must be text or json");
  }
  GG_TRY(std::filesystem::path dir, s.filePath("state_dir"));
  if (dir.empty()) dir = doc.baseDir() / "state";
  out.state_dir = dir;
  GG_TRY(std::int64_t io, s.integer("io_threads", 1, 1, 64));
  out.io_threads = static_cast<unsigned>(io);
  GG_TRY(std::int64_t blocking, s.integer("blocking_threads", 4, 1, 256));
  out.blocking_threads = static_cast<unsigned>(blocking);
  GG_TRY(out.shutdown_timeout, s.duration("shutdown_timeout", out.shutdown_timeout));
  return out;
}

Result<StoreSection> parseStoreSection(const Document& doc, const ServerSection& server) {
  const Section s = doc.section("store");
  StoreSection out;
  GG_TRY(std::string type, s.string("type", "sqlite"));
  if (type != "sqlite" && type != "redis") {
    return fail(Errc::kInvalidArgument, s.keyPath("type") + " must be \"sqlite\" or \"redis\"");
  }
  GG_TRY(std::string path, s.string("path", "gridgate.db"));
  std::filesystem::path p(path);
  out.path = p.is_relative() ? (server.state_dir / p).lexically_normal() : p;
  GG_TRY(out.synchronous, s.string("synchronous", out.synchronous));
  if (!oneOf(out.synchronous, {"normal", "full", "extra"})) {
    return fail(Errc::kInvalidArgument,
                s.keyPath("synchronous") + " must be normal, full or extra");
  }
  if (type == "redis") {
    out.type = StoreType::kRedis;
    GG_TRY(out.redis, parseRedisKeys(s));
  }
  return out;
}

}  // namespace gridgate::config
