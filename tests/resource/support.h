// Test support for the resource server: temp dirs, files, a dev trust framework made once per test
// binary (pki::init), and the provenance signer and verifier of that framework.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/files.h"
#include "pki/pki.h"
#include "provenance/signer.h"
#include "provenance/verifier.h"

namespace gridgate::resource::test {

// A temp dir named gridgate-resource-XXXXXX; files read and written whole (tests/common/files.h).
struct TempDir : test_support::TempDir {
  TempDir() : test_support::TempDir("gridgate-resource") {}
};
using test_support::readText;
using test_support::writeText;

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
