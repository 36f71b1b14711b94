// Test support for the resource server: temp dirs, files, a dev trust framework made once per test
// binary (pki::init), and the provenance signer and verifier of that framework.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

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

// An external program (nginx) started from argv with stdout/stderr to `log_file`, killed and
// reaped by the destructor; it dies with the test process (PR_SET_PDEATHSIG).
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  void stop();

 private:
  int pid_ = -1;
};

// A port that was free a moment ago; polling until 127.0.0.1:port accepts connections.
std::uint16_t freePort();
bool waitForPort(std::uint16_t port, std::chrono::milliseconds timeout);
// One HTTP/1.1 exchange over a plain TCP connection: the raw response text ("" on failure).
std::string rawExchange(std::uint16_t port, const std::string& request);
const provenance::Verifier& signingVerifier();

}  // namespace gridgate::resource::test
