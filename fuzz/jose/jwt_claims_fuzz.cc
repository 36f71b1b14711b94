// JWT claims parsing and validation: never crashes, and a claim set that validates under the
// access-token rules really carries what those rules require.
#include <cstdlib>

#include "jose/jwt.h"

namespace {

using namespace gridgate;
using namespace gridgate::jose;

// A token whose header says typ at+jwt: validate() reads typ from the JWS.
const Jws& header() {
  static const Jws jws = [] {
    auto parsed = Jws::parse("eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.e30.AAAA");
    if (!parsed) std::abort();
    return std::move(*parsed);
  }();
  return jws;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto claims = JwtClaims::parse(text);
  if (!claims) return 0;
  (void)claims->hasScope("meter:read");
  (void)claims->cnfX5tS256();
  (void)claims->cnfJkt();
  static const FakeClock clock(1'700'000'000);
  const ClaimRules strict = ClaimRules::accessToken("https://as.example", "https://rs.example");
  if (validate(header(), *claims, strict, clock)) {
    const std::int64_t now = 1'700'000'000;
    if (claims->iss() != "https://as.example" || claims->jti().empty() || !claims->exp() ||
        *claims->exp() <= now || !claims->iat() || *claims->iat() > now + 10 ||
        (claims->nbf() && *claims->nbf() > now + 10)) {
      std::abort();
    }
  }
  ClaimRules loose;
  loose.require_exp = false;
  loose.leeway = Seconds(60);
  (void)validate(header(), *claims, loose, clock);
  (void)ClaimRules::clientAssertion("c1", "https://as.example");
  return 0;
}
