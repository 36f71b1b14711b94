// Strict step decoding: never crashes; whatever decodes re-encodes to exactly the same text (the
// one-encoding-per-step property that makes signatures over encoded steps unambiguous).
#include <cstdlib>

#include "provenance/step.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto step = gridgate::provenance::decodeStep(text);
  if (step) {
    auto again = gridgate::provenance::encodeStep(*step);
    if (!again || *again != text) std::abort();
  }
  return 0;
}
