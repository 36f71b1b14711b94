// IB1 extension values: whatever decodes re-encodes to exactly the input (DER is canonical).
#include <cstdlib>

#include "x509/ib1.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const gridgate::ByteView der(data, size);
  if (auto roles = gridgate::x509::decodeIb1Roles(der); roles && !roles->empty()) {
    auto again = gridgate::x509::encodeIb1Roles(*roles);
    if (!again || gridgate::Bytes(der.begin(), der.end()) != *again) std::abort();
  }
  if (auto member = gridgate::x509::decodeIb1Member(der)) {
    auto again = gridgate::x509::encodeIb1Member(*member);
    if (!again || gridgate::Bytes(der.begin(), der.end()) != *again) std::abort();
  }
  return 0;
}
