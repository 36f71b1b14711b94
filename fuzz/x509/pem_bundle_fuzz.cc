// PEM bundle parsing: whatever parses re-encodes to a bundle that parses to the same DER.
#include <cstdlib>

#include "x509/certificate.h"
#include "x509/pem.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)gridgate::x509::scanPem(text);
  auto bundle = gridgate::x509::parsePemBundle(text);
  if (!bundle) return 0;
  auto again = gridgate::x509::parsePemBundle(gridgate::x509::toPemBundle(*bundle));
  if (!again || again->size() != bundle->size()) std::abort();
  for (std::size_t i = 0; i < bundle->size(); ++i) {
    if ((*again)[i].der() != (*bundle)[i].der()) std::abort();
    (void)(*bundle)[i].subjectDn();
    (void)(*bundle)[i].extendedKeyUsages();
    (void)(*bundle)[i].publicKey();
  }
  return 0;
}
