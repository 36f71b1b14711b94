// A private temporary directory for a test, removed with its contents at the end of scope.
//
//   TempDir dir;
//   auto store = store::openSqlite({.path = dir.path() / "gridgate.db"});
#pragma once

#include <filesystem>

namespace gridgate::store::conformance {

class TempDir {
 public:
  TempDir();  // under $TMPDIR (else /tmp), mode 0700
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gridgate::store::conformance
