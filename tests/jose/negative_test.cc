// Runs every file of tests/testdata/jose/negative/ (see the README there) through verifyJwt and
// checks that it fails for the reason the README gives; the positive controls must pass.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "jose/jwt.h"
#include "jose_test_util.h"
#include "vectors.h"

namespace gridgate::jose {
namespace {

using testing::failsWith;
using testing::readFile;
using testing::testdata;

const std::map<std::string, Errc>& expected() {
  static const std::map<std::string, Errc> m = {
      {"alg_none_empty_sig.jws", Errc::kMalformed},
      {"alg_none_with_sig.jws", Errc::kUnsupported},
      {"hs256_ec_spki_pem_secret.jws", Errc::kUnsupported},
      {"hs256_ec_point_secret.jws", Errc::kUnsupported},
      {"es512_rfc7515_a4.jws", Errc::kUnsupported},
      {"alg_es256_signed_by_ed25519.jws", Errc::kBadSignature},
      {"alg_lowercase.jws", Errc::kUnsupported},
      {"es256_der_signature.jws", Errc::kBadSignature},
      {"jku_header.jws", Errc::kUnsupported},
      {"x5u_header.jws", Errc::kUnsupported},
      {"jwk_header_attacker_key.jws", Errc::kUnsupported},
      {"x5c_header.jws", Errc::kUnsupported},
      {"crit_unknown.jws", Errc::kUnsupported},
      {"crit_empty.jws", Errc::kMalformed},
      {"b64_false.jws", Errc::kUnsupported},
      {"kid_unknown.jws", Errc::kKeyNotFound},
      {"dup_alg_header.jws", Errc::kMalformed},
      {"header_not_object.jws", Errc::kMalformed},
      {"header_alg_not_string.jws", Errc::kMalformed},
      {"header_alg_missing.jws", Errc::kMalformed},
      {"header_invalid_utf8.jws", Errc::kMalformed},
      {"padded_signature.jws", Errc::kMalformed},
      {"padded_header.jws", Errc::kMalformed},
      {"standard_base64_char.jws", Errc::kMalformed},
      {"noncanonical_trailing_bits.jws", Errc::kMalformed},
      {"trailing_segment.jws", Errc::kMalformed},
      {"trailing_newline.jws", Errc::kMalformed},
      {"trailing_space.jws", Errc::kMalformed},
      {"leading_space.jws", Errc::kMalformed},
      {"one_dot.jws", Errc::kMalformed},
      {"no_dot.jws", Errc::kMalformed},
      {"empty.jws", Errc::kMalformed},
      {"signature_truncated.jws", Errc::kBadSignature},
      {"signature_stripped.jws", Errc::kMalformed},
      {"cut_at_100.jws", Errc::kMalformed},
      {"typ_jwt.jws", Errc::kInvalidClaim},
      {"typ_missing.jws", Errc::kInvalidClaim},
      {"expired.jws", Errc::kExpired},
      {"exp_missing.jws", Errc::kInvalidClaim},
      {"exp_string.jws", Errc::kMalformed},
      {"nbf_61s_ahead.jws", Errc::kNotYetValid},
      {"iat_61s_ahead.jws", Errc::kNotYetValid},
      {"iss_wrong.jws", Errc::kInvalidClaim},
      {"aud_wrong.jws", Errc::kInvalidClaim},
      {"aud_number.jws", Errc::kMalformed},
      {"jti_missing.jws", Errc::kInvalidClaim},
      {"payload_not_object.jws", Errc::kMalformed},
      {"payload_dup_sub.jws", Errc::kMalformed},
      {"payload_not_json.jws", Errc::kMalformed},
      {"oversized.jws", Errc::kLimitExceeded},
  };
  return m;
}

class NegativeVectors : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ed = Jwk::parseText(vectors::kRfc8037PublicJwk);
    auto ec = Jwk::parseText(vectors::kA3PublicJwk);
    ASSERT_TRUE(ed && ec);
    auto ed_kid = Jwk::fromKey(ed->key(), "ed-1");
    auto ec_kid = Jwk::fromKey(ec->key(), "ec-1");
    auto v = Verifier::Builder().allow(Alg::kEdDSA, *ed_kid).allow(Alg::kES256, *ec_kid).build();
    ASSERT_TRUE(v);
    verifier_ = std::make_unique<Verifier>(std::move(*v));
  }
  Status run(const std::string& token) const {
    auto r = verifyJwt(token, *verifier_, rules_, clock_);
    if (!r) return fail(r.error());
    return ok();
  }
  std::unique_ptr<Verifier> verifier_;
  ClaimRules rules_ = ClaimRules::accessToken("https://as.example", "https://rs.example");
  FakeClock clock_{1'700'000'000};
};

TEST_F(NegativeVectors, PositiveControlsVerify) {
  for (const char* f : {"valid_eddsa.jws", "valid_es256.jws"}) {
    const Status s = run(readFile(testdata(f)));
    EXPECT_TRUE(s) << f << ": " << (s ? "" : s.error().detail);
  }
}

TEST_F(NegativeVectors, EachFileFailsForItsDocumentedReason) {
  std::size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testdata("negative"))) {
    const std::string name = entry.path().filename().string();
    const auto it = expected().find(name);
    if (it == expected().end()) {
      ADD_FAILURE() << name << " is not listed in the test (and its README row)";
      continue;
    }
    EXPECT_TRUE(failsWith(run(readFile(entry.path().string())), it->second)) << name;
    ++seen;
  }
  EXPECT_EQ(seen, expected().size()) << "a listed vector file is missing";
}

}  // namespace
}  // namespace gridgate::jose
