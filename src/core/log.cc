#include "core/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace gridgate {

std::string redact(std::string_view secret) {
  return "<redacted " + std::to_string(secret.size()) + " chars>";
}

namespace log {

void configure(std::string_view level, Format format) {
  auto logger = spdlog::get("gridgate");
  if (!logger) logger = spdlog::stderr_logger_mt("gridgate");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  if (format == Format::kJson) {
    // Messages are produced by gridgate's own code and contain no quotes that need escaping
    // beyond what callers already escape; access logs are built as JSON by the server itself.
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%v"})",
                        spdlog::pattern_time_type::utc);
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
}

}  // namespace log
}  // namespace gridgate
