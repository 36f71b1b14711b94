// Files for tests, shared by every test folder ("common/files.h"; tests/ is on each test's include
// path): a private temporary directory removed with its contents at the end of its scope, and
// whole-file reads and writes.
//
//   test_support::TempDir dir("gridgate-store");            // $TMPDIR/gridgate-store-XXXXXX, 0700
//   test_support::writeText(dir.path() / "a.txt", "text");
//   EXPECT_EQ(test_support::readText(dir.path() / "a.txt"), "text");
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace gridgate::test_support {

// A new directory prefix-XXXXXX under $TMPDIR, else /tmp (std::filesystem::temp_directory_path),
// made by mkdtemp (mode 0700). Throws when it cannot be made: nothing can be tested without it.
inline std::filesystem::path makeTempDir(std::string_view prefix) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    throw std::runtime_error("cannot make a temporary directory " + tmpl);
  }
  return tmpl;
}

// makeTempDir's directory, removed with its contents at the end of scope.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "gridgate-test") : path_(makeTempDir(prefix)) {}
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The whole file, bytes as they are; empty when it cannot be read (a test that needs the file
// fails on its content).
inline std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Replaces the file's content; throws when it cannot be written.
inline void writeText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace gridgate::test_support
