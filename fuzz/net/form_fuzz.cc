// The strict form/query parser: never crashes, accepts only what decodes to UTF-8, and what it
// accepts re-encodes and re-parses to the same ordered pairs (duplicates included).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/form.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto form = gridgate::net::parseForm(text);
  if (form) {
    for (const auto& [k, v] : form->pairs()) {
      if (!gridgate::net::isValidUtf8(k) || !gridgate::net::isValidUtf8(v)) std::abort();
    }
    auto again = gridgate::net::parseForm(gridgate::net::encodeForm(form->pairs()));
    if (!again || again->pairs() != form->pairs()) std::abort();
    const auto dups = form->duplicates();
    for (const auto& name : dups) {
      if (form->count(name) < 2) std::abort();
      if (form->single(name)) std::abort();
    }
  }
  auto plain = gridgate::net::percentDecode(text, false);
  if (plain && !gridgate::net::isValidUtf8(*plain)) std::abort();
  return 0;
}
