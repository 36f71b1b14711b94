// The bounded JSON parser: never throws, never crashes, and what it accepts dumps and re-parses.
#include <cstdlib>

#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gridgate::JsonLimits limits;
  limits.max_depth = 16;
  auto doc = gridgate::parseJson(text, limits);
  if (doc) {
    const std::string again = gridgate::dumpJson(*doc);
    if (!gridgate::parseJson(again, limits)) std::abort();
  }
  return 0;
}
