#include "temp_dir.h"

#include <cstdlib>
#include <string>
#include <system_error>

namespace gridgate::store::conformance {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/gridgate-store-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) std::abort();  // nothing can be tested without it
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace gridgate::store::conformance
