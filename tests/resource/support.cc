#include "support.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "core/clock.h"
#include "pki/files.h"

namespace gridgate::resource::test {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gridgate-resource-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

const Framework& framework() {
  static TempDir dir;
  static const Framework f = [] {
    Framework out;
    out.dir = dir.path() / "framework";
    auto init = pki::init(
        {.dir = out.dir, .durable = false, .now = SystemClock::instance().unixSeconds() - 3600});
    if (!init) {
      ADD_FAILURE() << "pki::init: " << init.error().detail;
      std::abort();
    }
    out.layout = init->layout;
    out.ids = pki::sandboxIdentities();
    return out;
  }();
  return f;
}

std::shared_ptr<const provenance::Signer> providerSigner() {
  static const auto signer = [] {
    const auto& files = framework().layout.signing_provider;
    auto s = provenance::Signer::fromPem(*pki::readFile(files.key), *pki::readFile(files.bundle));
    if (!s) {
      ADD_FAILURE() << "signer: " << s.error().detail;
      std::abort();
    }
    return std::make_shared<const provenance::Signer>(std::move(*s));
  }();
  return signer;
}

const provenance::Verifier& signingVerifier() {
  static const provenance::Verifier v = [] {
    auto r = provenance::Verifier::fromPem(*pki::readFile(framework().layout.signing.ca));
    if (!r) std::abort();
    return std::move(*r);
  }();
  return v;
}

}  // namespace gridgate::resource::test
