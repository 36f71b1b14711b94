// JWS compact parse + verify (pinned keys, header-jwk path) + JWT validation: never crashes,
// never throws, and whatever parses keeps its invariants.
#include <cstdlib>

#include "jose/jwt.h"

namespace {

using namespace gridgate;
using namespace gridgate::jose;

template <class T>
T must(Result<T> r) {
  if (!r) std::abort();
  return std::move(*r);
}

// The keys of the seed corpus: RFC 8037 A.1 (EdDSA, "ed-1"), RFC 7515 A.3 (ES256, "ec-1"),
// RFC 7520 RSA (RS256 and PS256, bilbo), and a fresh P-384 key (ES384).
const Verifier& verifier() {
  static const Verifier v = [] {
    const Jwk ed = must(Jwk::parseText(
        R"({"kty":"OKP","crv":"Ed25519","kid":"ed-1","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})"));
    const Jwk ec = must(Jwk::parseText(
        R"({"kty":"EC","crv":"P-256","kid":"ec-1","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})"));
    const Jwk rsa = must(Jwk::parseText(
        R"({"kty":"RSA","kid":"bilbo.baggins@hobbiton.example","e":"AQAB","n":"n4EPtAOCc9AlkeQHPzHStgAbgs7bTZLwUBZdR8_KuKPEHLd4rHVTeT-O-XV2jRojdNhxJWTDvNd7nqQ0VEiZQHz_AJmSCpMaJMRBSFKrKb2wqVwGU_NsYOYL-QtiWN2lbzcEe6XC0dApr5ydQLrHqkHHig3RBordaZ6Aj-oBHqFEHYpPe7Tpe-OfVfHd1E6cS6M1FZcD1NNLYD5lFHpPI9bTwJlsde3uhGqC0ZCuEHg8lhzwOHrtIQbS0FVbb9k3-tVTU4fg_3L_vniUFAKwuCLqKnS2BYwdq_mzSnbLY7h_qixoR7jig3__kRhuaxwUkRz5iaiQkqgc5gHdrNP5zw"})"));
    const Jwk p384 =
        must(Jwk::fromKey(must(crypto::PKey::generate(crypto::KeyType::kEcP384)), "p3"));
    return must(Verifier::Builder()
                    .allow(Alg::kEdDSA, ed)
                    .allow(Alg::kES256, ec)
                    .allow(Alg::kRS256, rsa)
                    .allow(Alg::kPS256, rsa)
                    .allow(Alg::kES384, p384)
                    .build());
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto jws = Jws::parse(text);
  if (jws) {
    // Invariants of a parsed token.
    if (jws->compact() != text) std::abort();
    if (text.substr(0, jws->signingInput().size()) != jws->signingInput()) std::abort();
    if (jws->signature().empty() || !jws->header().is_object()) std::abort();
    if (parseAlg(algName(jws->alg())).value_or(Alg::kES256) != jws->alg()) std::abort();
    (void)jws->kid();
    (void)jws->typ();
    (void)verifier().verify(*jws);
    const std::array allowed{Alg::kES256, Alg::kEdDSA, Alg::kPS256};
    (void)verifyWithHeaderJwk(*jws, allowed);
  }
  static const FakeClock clock(1'700'000'000);
  static const ClaimRules rules =
      ClaimRules::accessToken("https://as.example", "https://rs.example");
  (void)verifyJwt(text, verifier(), rules, clock);
  return 0;
}
