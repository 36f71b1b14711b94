// Runs every negative vector of tests/testdata/x509 (see its README.md) through the function its
// file name selects; each must be refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "x509/certificate.h"
#include "x509/forwarded.h"
#include "x509/ib1.h"

namespace gridgate::x509 {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What the vector is given to; nullopt for files that are not vectors (README, the script).
std::optional<Status> run(const std::string& name, const std::string& content) {
  const auto toStatus = [](const auto& r) -> Status {
    if (r) return ok();
    return fail(r.error());
  };
  if (name.starts_with("roles-")) return toStatus(decodeIb1Roles(asBytes(content)));
  if (name.starts_with("member-")) return toStatus(decodeIb1Member(asBytes(content)));
  if (name.starts_with("cert-")) return toStatus(Certificate::fromDer(asBytes(content)));
  if (name.starts_with("pem-")) return toStatus(Certificate::fromPem(content));
  if (name.starts_with("fwd-")) {
    for (auto f :
         {ForwardedFormat::kUrlEncodedPem, ForwardedFormat::kPem, ForwardedFormat::kBase64Der,
          ForwardedFormat::kRfc9440, ForwardedFormat::kEnvoyXfcc}) {
      const std::string prefix = "fwd-" + std::string(forwardedFormatName(f)) + "-";
      if (name.starts_with(prefix)) return toStatus(decodeForwardedCert(f, content));
    }
    return fail(Errc::kInternal, "unknown format in vector name");
  }
  return std::nullopt;
}

TEST(NegativeVectors, EveryVectorIsRefused) {
  const fs::path dir = fs::path(GRIDGATE_TESTDATA_DIR) / "x509";
  int count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    auto status = run(name, readFile(entry.path()));
    if (!status) continue;
    ++count;
    EXPECT_FALSE(*status) << name << " was accepted";
    if (!*status) {
      EXPECT_NE(status->error().code, Errc::kInternal) << name;
    }
  }
  EXPECT_GE(count, 53);
}

}  // namespace
}  // namespace gridgate::x509
