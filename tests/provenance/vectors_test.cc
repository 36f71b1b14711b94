// The fixed vectors of tests/testdata/provenance/vectors, made by make_vectors.py (Python standard
// library + openssl CLI, implementing PERSEUS.md independently of gridgate; see the README there).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "provenance/canonical_json.h"
#include "provenance/record.h"
#include "provenance/verifier.h"

namespace gridgate::provenance {
namespace {

std::string readFile(const std::string& name) {
  std::ifstream in(std::string(GRIDGATE_TESTDATA_DIR) + "/provenance/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Verifier vectorVerifier() {
  auto v = Verifier::fromPem(readFile("pki/root.pem"));
  EXPECT_TRUE(v) << v.error().detail;
  return *v;
}

Result<VerifiedRecord> verifyFile(const std::string& name) {
  GG_TRY(Record r, Record::parse(readFile("vectors/" + name)));
  return vectorVerifier().verify(r);
}

TEST(VectorsTest, ProviderRecordVerifiesAndMatchesTheIndependentEncoder) {
  auto r = Record::parse(readFile("vectors/record.json"));
  ASSERT_TRUE(r) << r.error().detail;
  // The signing input gridgate computes is the script's, byte for byte.
  EXPECT_EQ(signingInput(r->trustFramework(), r->steps()),
            readFile("vectors/record.signing_input.txt"));
  auto v = vectorVerifier().verify(*r);
  ASSERT_TRUE(v) << v.error().detail;
  // Decoded steps equal what the script encoded, member order included; and re-encoding them
  // gives Python's json.dumps bytes (decodeStep insists on that too).
  auto expected = parseOrderedJson(readFile("vectors/record.steps.json"));
  ASSERT_TRUE(expected);
  ASSERT_EQ(v->steps.size(), expected->size());
  for (std::size_t i = 0; i < v->steps.size(); ++i) {
    EXPECT_EQ(*canonicalJson(v->steps[i].step), *canonicalJson((*expected)[i])) << i;
  }
  ASSERT_EQ(v->signatures.size(), 1u);
  const SignerInfo& s = v->signatures[0];
  EXPECT_EQ(s.serial, "123456");
  EXPECT_EQ(s.identity.organisation, "Example Energy Ltd");
  EXPECT_EQ(s.identity.application, "https://directory.core.trust.ib1.org/a/edp");
  EXPECT_EQ(s.identity.member, "https://directory.core.trust.ib1.org/m/edp");
  EXPECT_TRUE(requireRole(*v, kEnergyDataProviderRole));
  EXPECT_EQ(v->origins, std::vector<std::string>{"b3JpZ2luLTAwMDAwMDAx"});
  // Re-serialising gives the script's bytes (same member order, same escaping of the PEMs).
  std::string text = readFile("vectors/record.json");
  if (!text.empty() && text.back() == '\n') text.pop_back();
  EXPECT_EQ(r->serialize(), text);
}

TEST(VectorsTest, ApiResponseVerifies) {
  auto v = verifyFile("response.json");
  ASSERT_TRUE(v) << v.error().detail;
  EXPECT_EQ(v->steps.size(), 3u);
}

TEST(VectorsTest, NestedRecordVerifiesWithBothSigningInputs) {
  auto r = Record::parse(readFile("vectors/nested.json"));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(signingInput(r->trustFramework(), r->steps()),
            readFile("vectors/nested.signing_input.txt"));
  ASSERT_FALSE(r->steps().elements[0].isStep());
  EXPECT_EQ(signingInput(r->trustFramework(), r->steps().elements[0].nested()),
            readFile("vectors/nested.inner_signing_input.txt"));
  auto v = vectorVerifier().verify(*r);
  ASSERT_TRUE(v) << v.error().detail;
  ASSERT_EQ(v->signatures.size(), 2u);
  EXPECT_EQ(v->signatures[0].identity.organisation, "Carbon Counters Ltd");
  EXPECT_EQ(v->signatures[1].identity.organisation, "Example Energy Ltd");
  ASSERT_EQ(v->steps.size(), 4u);
  EXPECT_EQ(v->steps[0].included_by, std::vector<std::size_t>{0});
  EXPECT_EQ(v->steps[3].step["type"], "process");
}

TEST(VectorsTest, SignerWithoutTheRoleIsFlagged) {
  auto v = verifyFile("role-missing.json");
  ASSERT_TRUE(v) << v.error().detail;
  auto s = requireRole(*v, kEnergyDataProviderRole);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::kForbidden);
}

struct BadVector {
  const char* file;
  Errc code;
};

// README.md in the vectors' directory names each defect and how it was made.
TEST(VectorsTest, DefectiveVectorsFail) {
  const BadVector cases[] = {
      {"bad-altered-step.json", Errc::kBadSignature},
      {"bad-altered-timestamp.json", Errc::kBadSignature},
      {"bad-duplicate-key.json", Errc::kMalformed},
      {"bad-key-order.json", Errc::kMalformed},
      {"bad-leading-zero-serial.json", Errc::kMalformed},
      {"bad-nested-altered.json", Errc::kBadSignature},
      {"bad-origins.json", Errc::kInvalidClaim},
      {"bad-raw-signature.json", Errc::kBadSignature},
      {"bad-raw-utf8.json", Errc::kMalformed},
      {"bad-signed-after-expiry.json", Errc::kExpired},
      {"bad-signed-before-validity.json", Errc::kNotYetValid},
      {"bad-swapped-certificate.json", Errc::kUntrustedCertificate},
      {"bad-trust-framework.json", Errc::kBadSignature},
      {"bad-unpadded-signature.json", Errc::kMalformed},
      {"bad-unpadded-step.json", Errc::kMalformed},
      {"bad-uppercase-escape.json", Errc::kMalformed},
      {"bad-version.json", Errc::kUnsupported},
      {"bad-whitespace.json", Errc::kMalformed},
  };
  for (const BadVector& c : cases) {
    auto v = verifyFile(c.file);
    ASSERT_FALSE(v) << c.file << " verified";
    EXPECT_EQ(v.error().code, c.code) << c.file << ": " << v.error().detail;
  }
}

}  // namespace
}  // namespace gridgate::provenance
