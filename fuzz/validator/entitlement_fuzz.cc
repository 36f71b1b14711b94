// AARC entitlements: parsing never crashes; an accepted entitlement prints to a text that parses
// to an equal one, which satisfies itself.
#include <cstdlib>

#include "validator/entitlement.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridgate::validator;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (ValueSyntax syntax : {ValueSyntax::kAarcG002, ValueSyntax::kAarcG069}) {
    auto e = Entitlement::parse(text, syntax);
    if (!e) continue;
    auto again = Entitlement::parse(e->toString(), syntax);
    if (!again || again->toString() != e->toString()) std::abort();
    if (!e->satisfies(*e) || !again->satisfies(*e)) std::abort();
  }
  return 0;
}
