// Helpers of the pki tests: a temp dir that removes itself, file reading, running a command.
#pragma once

#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>

#include "common/files.h"

namespace gridgate::pki::testing {

namespace fs = std::filesystem;

// A temp dir named gridgate-pki-XXXXXX; files read and written whole (tests/common/files.h).
struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("gridgate-pki") {}
};
using test_support::readText;
using test_support::writeText;

inline unsigned mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777u;
}

// Every file of a directory with its content: to show that a failed command wrote nothing.
inline std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out[e.path().filename().string()] = readText(e.path());
  }
  return out;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout, and stderr when asked
};

// Runs `cmd` through the shell; stderr goes to `stderr_file` when given, else is merged.
inline CommandResult runCommand(const std::string& cmd, const std::string& stderr_file = {}) {
  const std::string full = cmd + (stderr_file.empty() ? " 2>&1" : " 2>'" + stderr_file + "'");
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return {};
  CommandResult r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline std::string quote(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace gridgate::pki::testing
