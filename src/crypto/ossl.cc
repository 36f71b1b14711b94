#include "crypto/ossl.h"

#include <openssl/err.h>

namespace gridgate::crypto {

Error opensslError(std::string_view what, Errc code) {
  std::string detail(what);
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    detail += ": ";
    detail += buf;
  }
  ERR_clear_error();
  return Error{code, std::move(detail)};
}

BioPtr memBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bioToString(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace gridgate::crypto
