// Helpers of the pki tests: a temp dir that removes itself, file reading, running a command.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

namespace gridgate::pki::testing {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gridgate-pki-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void spit(const fs::path& p, const std::string& s) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << s;
}

inline unsigned mode(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 0777u;
}

// Every file of a directory with its content: to show that a failed command wrote nothing.
inline std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    out[e.path().filename().string()] = slurp(e.path());
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
