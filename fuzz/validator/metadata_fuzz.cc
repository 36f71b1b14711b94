// Authorization server metadata: never crashes; accepted documents name the expected issuer and
// only acceptable endpoint URLs.
#include <cstdlib>

#include "validator/discovery.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gridgate::validator;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = parseMetadata(text, "https://as.example");
  if (m) {
    if (m->issuer != "https://as.example") std::abort();
    for (const std::string* url : {&m->jwks_uri, &m->introspection_endpoint, &m->userinfo_endpoint,
                                   &m->mtls_introspection_endpoint}) {
      if (!url->empty() && !acceptableEndpointUrl(*url)) std::abort();
    }
  }
  (void)discoveryUrls(text.substr(0, 256));
  return 0;
}
