// Cross-checks against the openssl CLI where no published vectors exist: tokens signed by
// `openssl` verify in gridgate, and gridgate's signatures verify in `openssl`, for PS256, ES384,
// ES256 and EdDSA. Also x5c: a certificate made by `openssl req` for the key is accepted, one for
// another key is refused.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/base64.h"
#include "core/random.h"
#include "jose/jws.h"
#include "jose_test_util.h"

namespace gridgate::jose {
namespace {

namespace fs = std::filesystem;
using testing::failsWith;
using testing::parseAndVerify;
using testing::readFile;

class OpensslCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gridgate-jose-" + randomToken(8));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  void write(const std::string& name, std::string_view data) const {
    std::ofstream(path(name), std::ios::binary) << data;
  }
  // Runs a shell command in the temp dir; true when it exits 0.
  bool sh(const std::string& cmd) const {
    const std::string full = "cd '" + dir_.string() + "' && " + cmd + " >>log.txt 2>&1";
    return std::system(full.c_str()) == 0;
  }

  fs::path dir_;
};

struct CliCase {
  Alg alg;
  const char* genpkey;  // openssl genpkey arguments
  const char* sign;     // openssl command: key.pem, in.txt -> sig.bin
  const char* verify;   // openssl command: pub.pem, in.txt, sig.bin -> exit status
  crypto::KeyType type;
};

const CliCase kCases[] = {
    {Alg::kPS256, "-algorithm RSA -pkeyopt rsa_keygen_bits:2048",
     "openssl dgst -sha256 -sign key.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 "
     "-sigopt rsa_mgf1_md:sha256 -out sig.bin in.txt",
     "openssl dgst -sha256 -verify pub.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 "
     "-sigopt rsa_mgf1_md:sha256 -signature sig.bin in.txt",
     crypto::KeyType::kRsa},
    {Alg::kES384, "-algorithm EC -pkeyopt ec_paramgen_curve:P-384",
     "openssl dgst -sha384 -sign key.pem -out sig.bin in.txt",
     "openssl dgst -sha384 -verify pub.pem -signature sig.bin in.txt", crypto::KeyType::kEcP384},
    {Alg::kES256, "-algorithm EC -pkeyopt ec_paramgen_curve:P-256",
     "openssl dgst -sha256 -sign key.pem -out sig.bin in.txt",
     "openssl dgst -sha256 -verify pub.pem -signature sig.bin in.txt", crypto::KeyType::kEcP256},
    {Alg::kEdDSA, "-algorithm ED25519",
     "openssl pkeyutl -sign -rawin -inkey key.pem -in in.txt -out sig.bin",
     "openssl pkeyutl -verify -pubin -rawin -inkey pub.pem -in in.txt -sigfile sig.bin",
     crypto::KeyType::kEd25519},
};

std::string signingInput(Alg alg, std::string_view kid) {
  const Json header{{"alg", algName(alg)}, {"kid", kid}, {"typ", "at+jwt"}};
  return base64urlEncode(asBytes(dumpJson(header))) + "." +
         base64urlEncode(asBytes(R"({"iss":"https://as.example","sub":"alice"})"));
}

TEST_F(OpensslCli, OpensslSignsGridgateVerifies) {
  for (const CliCase& c : kCases) {
    SCOPED_TRACE(std::string(algName(c.alg)));
    ASSERT_TRUE(sh(std::string("openssl genpkey ") + c.genpkey + " -out key.pem"));
    ASSERT_TRUE(sh("openssl pkey -in key.pem -pubout -out pub.pem"));
    const std::string input = signingInput(c.alg, "cli");
    write("in.txt", input);
    ASSERT_TRUE(sh(c.sign));
    Bytes sig = toBytes(readFile(path("sig.bin")));
    if (const std::size_t coord = ecdsaCoordSize(c.alg)) {
      auto raw = crypto::ecdsaDerToRaw(sig, coord);  // openssl writes DER; JOSE wants r||s
      ASSERT_TRUE(raw);
      sig = *raw;
    }
    const std::string token = input + "." + base64urlEncode(sig);

    auto pub = crypto::PKey::fromPem(readFile(path("pub.pem")));
    ASSERT_TRUE(pub) << pub.error().detail;
    auto jwk = Jwk::fromKey(*pub, "cli", c.alg);
    ASSERT_TRUE(jwk);
    auto verifier = Verifier::Builder().allow(c.alg, *jwk).build();
    ASSERT_TRUE(verifier);
    EXPECT_TRUE(parseAndVerify(token, *verifier));
    std::string tampered = token;
    tampered[input.size() - 3] ^= 1;
    EXPECT_FALSE(parseAndVerify(tampered, *verifier));

    // The private key openssl made also imports through a JWK round trip and signs identically
    // verifiable tokens.
    auto priv = crypto::PKey::fromPem(readFile(path("key.pem")));
    ASSERT_TRUE(priv);
    auto priv_jwk = Jwk::fromKey(*priv, "cli", c.alg);
    auto again =
        Jwk::parse(*priv_jwk->toPrivateJson(), {.private_members = PrivateMembers::kRequire});
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_TRUE(again->key().samePublicKey(*pub));
  }
}

TEST_F(OpensslCli, GridgateSignsOpensslVerifies) {
  for (const CliCase& c : kCases) {
    SCOPED_TRACE(std::string(algName(c.alg)));
    auto key = crypto::PKey::generate(c.type);
    ASSERT_TRUE(key);
    write("pub.pem", *key->publicPem());
    auto signer = Signer::create(c.alg, *Jwk::fromKey(*key, "gg", c.alg));
    ASSERT_TRUE(signer);
    auto token = signer->sign(Json{{"typ", "at+jwt"}}, R"({"iss":"https://as.example"})");
    ASSERT_TRUE(token);
    auto jws = Jws::parse(*token);
    ASSERT_TRUE(jws);
    Bytes sig(jws->signature().begin(), jws->signature().end());
    if (const std::size_t coord = ecdsaCoordSize(c.alg)) {
      ASSERT_EQ(sig.size(), 2 * coord);
      auto der = crypto::ecdsaRawToDer(sig, coord);
      ASSERT_TRUE(der);
      sig = *der;
    }
    write("in.txt", jws->signingInput());
    write("sig.bin", asChars(sig));
    EXPECT_TRUE(sh(c.verify)) << readFile(path("log.txt"));
    // The check can fail: the same signature over another input is refused by openssl too.
    write("in.txt", std::string(jws->signingInput()) + "x");
    EXPECT_FALSE(sh(c.verify));
  }
}

TEST_F(OpensslCli, X5cMustHoldTheSameKey) {
  ASSERT_TRUE(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem"));
  ASSERT_TRUE(sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.pem"));
  ASSERT_TRUE(
      sh("openssl req -x509 -new -key key.pem -subj /CN=jose-test -days 1 -outform DER "
         "-out cert.der"));
  ASSERT_TRUE(
      sh("openssl req -x509 -new -key other.pem -subj /CN=jose-test -days 1 -outform DER "
         "-out other.der"));
  auto key = crypto::PKey::fromPem(readFile(path("key.pem")));
  ASSERT_TRUE(key);
  Json jwk = Jwk::fromKey(*key->publicOnly(), "x")->toPublicJson();
  jwk["x5c"] = {base64Encode(asBytes(readFile(path("cert.der"))))};
  auto good = Jwk::parse(jwk);
  ASSERT_TRUE(good) << good.error().detail;
  EXPECT_EQ(good->toPublicJson()["x5c"], jwk["x5c"]);
  jwk["x5c"] = {base64Encode(asBytes(readFile(path("other.der"))))};
  EXPECT_TRUE(failsWith(Jwk::parse(jwk), Errc::kInvalidArgument));
  jwk["x5c"] = {"not base64!"};
  EXPECT_TRUE(failsWith(Jwk::parse(jwk), Errc::kMalformed));
  jwk["x5c"] = Json::array();
  EXPECT_TRUE(failsWith(Jwk::parse(jwk), Errc::kMalformed));
}

}  // namespace
}  // namespace gridgate::jose
