// Logging through spdlog, and the helpers that keep secrets out of it.
//
//   log::info("token issued for client {} grant {}", client_id, grant_id);
//   log::warn("bad assertion from {}: {}", client_id, error.detail);
//   log::debug("request with token {}", redact(token));   // "<redacted 812 chars>"
//
// Secrets (tokens, codes, keys, passwords, cookies) are never logged; where a log line must refer
// to one, it uses redact(). A test greps the logs of a full flow for token and key material.
#pragma once

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>

namespace gridgate {

// Stands in for a secret in logs: only its length is shown.
std::string redact(std::string_view secret);

namespace log {

enum class Format { kText, kJson };

// Configures the process-wide logger (stderr). Level: trace|debug|info|warn|error|off.
void configure(std::string_view level, Format format = Format::kText);

template <class... Args>
void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}

}  // namespace log
}  // namespace gridgate
