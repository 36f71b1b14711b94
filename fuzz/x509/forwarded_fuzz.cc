// Forwarded-certificate decoding, every format: the first byte selects the format, the rest is
// the header value. Whatever decodes must be a certificate that re-parses from its own DER and
// PEM to the same thumbprint.
#include <cstdlib>

#include "x509/forwarded.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gridgate::x509::ForwardedFormat;
  if (size == 0) return 0;
  static constexpr ForwardedFormat kFormats[] = {
      ForwardedFormat::kUrlEncodedPem, ForwardedFormat::kPem, ForwardedFormat::kBase64Der,
      ForwardedFormat::kRfc9440, ForwardedFormat::kEnvoyXfcc};
  const ForwardedFormat format = kFormats[data[0] % 5];
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  auto cert = gridgate::x509::decodeForwardedCert(format, value);
  if (!cert) return 0;
  auto again = gridgate::x509::Certificate::fromDer(cert->der());
  if (!again || again->thumbprint() != cert->thumbprint()) std::abort();
  auto from_pem = gridgate::x509::Certificate::fromPem(cert->toPem());
  if (!from_pem || from_pem->der() != cert->der()) std::abort();
  (void)cert->subjectDn();
  (void)cert->ib1Roles();
  (void)cert->ib1Member();
  (void)cert->sanUris();
  return 0;
}
