#include "test_pki.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/base64.h"
#include "core/clock.h"
#include "core/random.h"
#include "crypto/digest.h"
#include "crypto/pkey.h"
#include "provenance/step.h"
#include "x509/certificate.h"

namespace gridgate::provenance::testing {
const TestPki& TestPki::instance() {
  // ctest runs every test in its own process: the PKI is made once per version of make_pki.sh
  // and kept in the build directory (made in a private directory, then renamed into place, so
  // that parallel tests never see half of it).
  static const TestPki pki = [] {
    const std::string script = std::string(GRIDGATE_TESTDATA_DIR) + "/provenance/make_pki.sh";
    std::ifstream in(script, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    TestPki p;
    p.dir = std::filesystem::path(GRIDGATE_BINARY_DIR) /
            ("provenance-test-pki-" + crypto::sha256Hex(ss.str()).substr(0, 16));
    if (std::filesystem::exists(p.dir / "root.pem")) return p;
    const std::filesystem::path tmp = p.dir.string() + ".tmp-" + randomToken(9);
    const std::string cmd =
        "bash '" + script + "' '" + tmp.string() + "' > '" + tmp.string() + ".log' 2>&1";
    if (std::system(cmd.c_str()) != 0) {
      ADD_FAILURE() << "make_pki.sh failed, see " << tmp << ".log";
      return p;
    }
    std::filesystem::remove(tmp.string() + ".log");
    std::error_code ec;
    std::filesystem::rename(tmp, p.dir, ec);
    if (ec) std::filesystem::remove_all(tmp, ec);  // another test got there first
    return p;
  }();
  return pki;
}

std::string TestPki::read(std::string_view file) const {
  std::ifstream in(dir / std::string(file), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Signer TestPki::signer(std::string_view name) const {
  auto s =
      Signer::fromPem(read(std::string(name) + ".key"), read(std::string(name) + "-bundle.pem"));
  if (!s) {
    ADD_FAILURE() << "signer " << name << ": " << s.error().detail;
    std::abort();
  }
  return *s;
}

Verifier TestPki::verifier(VerifierOptions options) const {
  auto v = Verifier::fromPem(read("root.pem"), std::move(options));
  if (!v) {
    ADD_FAILURE() << "verifier: " << v.error().detail;
    std::abort();
  }
  return *v;
}

std::int64_t TestPki::validTime() const {
  auto leaf = x509::Certificate::fromPem(read("edp.pem"));
  return leaf ? leaf->notBefore() + 3600 : 0;
}

Json handSignedRecord(const std::vector<Element>& elements, std::string_view leaf_name,
                      const std::vector<std::string>& issuer_names, std::int64_t when,
                      std::string_view trust_framework) {
  const TestPki& pki = TestPki::instance();
  auto key = crypto::PKey::fromPem(pki.read(std::string(leaf_name) + ".key"));
  auto leaf = x509::Certificate::fromPem(pki.read(std::string(leaf_name) + ".pem"));
  if (!key || !leaf) {
    ADD_FAILURE() << "hand signer: cannot read " << leaf_name;
    return Json::object();
  }
  Container c{elements, {leaf->serialDecimal(), formatUtc(when), ""}};
  // A P-384 key (which the verifier must refuse) signs with SHA-384, as it could.
  const auto scheme = key->type() == crypto::KeyType::kEcP384 ? crypto::SigScheme::kEcdsaSha384
                                                              : crypto::SigScheme::kEcdsaSha256;
  auto sig = crypto::sign(*key, scheme, asBytes(signingInput(trust_framework, c)));
  if (!sig) {
    ADD_FAILURE() << "hand signing: " << sig.error().detail;
    return Json::object();
  }
  c.signature.signature = base64urlEncode(*sig, Padding::kRequired);
  Json certs = Json::object();
  Json path = Json::array({leaf->toPem()});
  for (const std::string& name : issuer_names) {
    auto issuer = x509::Certificate::fromPem(pki.read(name + ".pem"));
    EXPECT_TRUE(issuer);
    path.push_back(issuer->serialDecimal());
    certs[issuer->serialDecimal()] = Json::array({issuer->toPem()});
  }
  certs[leaf->serialDecimal()] = path;
  auto origins = computeOrigins(c);
  EXPECT_TRUE(origins);
  return Json{{"ib1:provenance", trust_framework},
              {"origins", *origins},
              {"steps", containerToJson(c)},
              {"certificates", certs}};
}

std::vector<Element> perseusSteps(std::int64_t when) {
  const std::string ts = formatUtc(when);
  const std::string scheme = "https://registry.core.trust.ib1.org/scheme/perseus";
  std::vector<OrderedJson> steps = {
      {{"id", "cGVybWlzc2lvbi1zdGVw"},
       {"timestamp", ts},
       {"type", "permission"},
       {"scheme", scheme},
       {"account", "account-1"},
       {"allows", {{"licences", {scheme + "/licence/energy-consumption-data/2024-12-05"}}}},
       {"expires", "2027-01-01T00:00:00Z"}},
      {{"id", "b3JpZ2luLXN0ZXAtMDAw"},
       {"timestamp", ts},
       {"type", "origin"},
       {"scheme", scheme},
       {"sourceType", scheme + "/source-type/Meter"},
       {"external", true},
       {"permissions", {"cGVybWlzc2lvbi1zdGVw"}}},
      {{"id", "dHJhbnNmZXItc3RlcC0w"},
       {"timestamp", ts},
       {"type", "transfer"},
       {"scheme", scheme},
       {"of", "b3JpZ2luLXN0ZXAtMDAw"},
       {"parameters", {{"measure", "import"}, {"from", "2024-01-01"}, {"to", "2024-01-02"}}}},
  };
  std::vector<Element> out;
  for (const OrderedJson& s : steps) {
    auto enc = encodeStep(s);
    EXPECT_TRUE(enc) << enc.error().detail;
    out.push_back(Element{*enc});
  }
  return out;
}

}  // namespace gridgate::provenance::testing
