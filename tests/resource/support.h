// Test support for the resource server: temp dirs, files, a dev trust framework made once per test
// binary (pki::init), and the provenance signer and verifier of that framework.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "pki/pki.h"
#include "provenance/signer.h"
#include "provenance/verifier.h"

namespace gridgate::resource::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string readText(const std::filesystem::path& path);
void writeText(const std::filesystem::path& path, const std::string& text);

// pki::init into a temp dir, certificates valid from an hour ago.
struct Framework {
  std::filesystem::path dir;
  pki::Layout layout;
  pki::Identities ids;
};
const Framework& framework();

std::shared_ptr<const provenance::Signer> providerSigner();

// One HTTP/1.1 exchange over a plain TCP connection: the raw response text ("" on failure).
std::string rawExchange(std::uint16_t port, const std::string& request);
const provenance::Verifier& signingVerifier();

}  // namespace gridgate::resource::test
