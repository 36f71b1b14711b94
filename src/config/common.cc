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
  if (type != "sqlite") {
    return fail(Errc::kInvalidArgument, s.keyPath("type") + " must be \"sqlite\"");
  }
  GG_TRY(std::string path, s.string("path", "gridgate.db"));
  std::filesystem::path p(path);
  out.path = p.is_relative() ? (server.state_dir / p).lexically_normal() : p;
  GG_TRY(out.synchronous, s.string("synchronous", out.synchronous));
  if (!oneOf(out.synchronous, {"normal", "full", "extra"})) {
    return fail(Errc::kInvalidArgument,
                s.keyPath("synchronous") + " must be normal, full or extra");
  }
  return out;
}

}  // namespace gridgate::config
