// Strict base64url: whatever decodes re-encodes to exactly the input (one encoding per value).
#include <cstdlib>

#include "core/base64.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bytes = gridgate::base64urlDecode(text)) {
    if (gridgate::base64urlEncode(*bytes) != text) std::abort();
  }
  if (auto bytes = gridgate::base64urlDecode(text, gridgate::Padding::kRequired)) {
    if (gridgate::base64urlEncode(*bytes, gridgate::Padding::kRequired) != text) std::abort();
  }
  return 0;
}
