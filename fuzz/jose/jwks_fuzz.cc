// JWKS parsing: never crashes, and what it publishes again parses to the same keys.
#include <cstdlib>

#include "jose/jwks.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridgate;
  using namespace gridgate::jose;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto set = Jwks::parse(text);
  if (!set) return 0;
  const std::array all{Alg::kES256, Alg::kES384, Alg::kPS256, Alg::kEdDSA, Alg::kRS256};
  for (const Jwk& key : set->keys()) {
    if (key.hasPrivate()) std::abort();  // a public set never yields a private key
    for (const Alg alg : all) {
      for (const Jwk* c : set->select(alg, key.kid(), all)) {
        if (c->kid() != key.kid() || !c->canVerify(alg)) std::abort();
      }
    }
  }
  (void)set->select(Alg::kES256, std::nullopt, all);
  const std::string published = dumpJson(set->toPublicJson());
  for (const char* m : {"\"d\":", "\"p\":", "\"q\":", "\"dp\":", "\"dq\":", "\"qi\":"}) {
    if (published.find(m) != std::string::npos) std::abort();
  }
  auto again = Jwks::parse(published, JwksLimits{.max_bytes = published.size() + 1});
  if (!again || again->keys().size() != set->keys().size()) std::abort();
  for (std::size_t i = 0; i < set->keys().size(); ++i) {
    if (again->keys()[i].thumbprint() != set->keys()[i].thumbprint()) std::abort();
  }
  return 0;
}
