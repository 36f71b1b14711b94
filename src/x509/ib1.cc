#include "x509/ib1.h"

#include <openssl/asn1.h>

#include <algorithm>

#include "crypto/ossl.h"

namespace gridgate::x509 {
namespace {

using Asn1TypePtr = crypto::OsslPtr<ASN1_TYPE, ASN1_TYPE_free>;
using Asn1StringPtr = crypto::OsslPtr<ASN1_STRING, ASN1_STRING_free>;

void freeSequence(ASN1_SEQUENCE_ANY* seq) { sk_ASN1_TYPE_pop_free(seq, ASN1_TYPE_free); }
using SequencePtr = crypto::OsslPtr<ASN1_SEQUENCE_ANY, freeSequence>;

// Well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without control characters:
// the values are URLs, and a NUL or newline in one is an attack on whoever prints or compares it.
bool validUrlText(std::string_view s) {
  if (s.empty() || s.size() > kMaxIb1UrlLength) return false;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1fu;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0fu;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x80 && cp < 0xa0) return false;  // C1 controls
    i += len;
  }
  return true;
}

Result<Asn1TypePtr> utf8Type(std::string_view text) {
  if (!validUrlText(text)) return fail(Errc::kInvalidArgument, "IB1 value is not a valid URL text");
  Asn1StringPtr str(ASN1_STRING_type_new(V_ASN1_UTF8STRING));
  if (!str || ASN1_STRING_set(str.get(), text.data(), static_cast<int>(text.size())) != 1) {
    return crypto::opensslFailure("ASN1_STRING_set");
  }
  Asn1TypePtr type(ASN1_TYPE_new());
  if (!type) return crypto::opensslFailure("ASN1_TYPE_new");
  ASN1_TYPE_set(type.get(), V_ASN1_UTF8STRING, str.release());  // takes ownership
  return type;
}

Result<std::string> utf8Value(const ASN1_TYPE* type) {
  if (ASN1_TYPE_get(type) != V_ASN1_UTF8STRING) {
    return fail(Errc::kMalformed, "IB1 value is not a UTF8String");
  }
  const ASN1_STRING* s = type->value.utf8string;
  const std::string text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<std::size_t>(ASN1_STRING_length(s)));
  if (!validUrlText(text)) return fail(Errc::kMalformed, "IB1 value is not valid URL text");
  return text;
}

template <class T, int (*I2d)(const T*, unsigned char**)>
Result<Bytes> encodeDer(const T* value) {
  const int len = I2d(value, nullptr);
  if (len <= 0) return crypto::opensslFailure("i2d");
  Bytes out(static_cast<std::size_t>(len));
  unsigned char* p = out.data();
  if (I2d(value, &p) != len) return crypto::opensslFailure("i2d");
  return out;
}

int i2dSequence(const ASN1_SEQUENCE_ANY* seq, unsigned char** out) {
  return i2d_ASN1_SEQUENCE_ANY(seq, out);
}
int i2dType(const ASN1_TYPE* type, unsigned char** out) { return i2d_ASN1_TYPE(type, out); }

// d2i accepts some BER (indefinite and non-minimal lengths, constructed strings); the IB1 values
// are DER, so the input must be exactly what re-encoding the decoded value gives.
template <class T, int (*I2d)(const T*, unsigned char**)>
Status requireCanonical(const T* value, ByteView der) {
  GG_TRY(Bytes again, (encodeDer<T, I2d>(value)));
  if (!std::equal(again.begin(), again.end(), der.begin(), der.end())) {
    return fail(Errc::kMalformed, "IB1 extension is not DER");
  }
  return ok();
}

}  // namespace

Result<Bytes> encodeIb1Roles(std::span<const std::string> roles) {
  if (roles.empty()) return fail(Errc::kInvalidArgument, "no IB1 roles");
  if (roles.size() > kMaxIb1Roles) return fail(Errc::kLimitExceeded, "too many IB1 roles");
  SequencePtr seq(sk_ASN1_TYPE_new_null());
  if (!seq) return crypto::opensslFailure("sk_ASN1_TYPE_new_null");
  for (const std::string& role : roles) {
    GG_TRY(Asn1TypePtr type, utf8Type(role));
    if (sk_ASN1_TYPE_push(seq.get(), type.get()) <= 0) return crypto::opensslFailure("push");
    type.release();  // now owned by the stack
  }
  return encodeDer<ASN1_SEQUENCE_ANY, i2dSequence>(seq.get());
}

Result<Bytes> encodeIb1Member(std::string_view member) {
  GG_TRY(Asn1TypePtr type, utf8Type(member));
  return encodeDer<ASN1_TYPE, i2dType>(type.get());
}

Result<std::vector<std::string>> decodeIb1Roles(ByteView der) {
  if (der.size() > kMaxIb1Roles * (kMaxIb1UrlLength + 4) + 8) {
    return fail(Errc::kLimitExceeded, "IB1 roles extension too large");
  }
  const unsigned char* p = der.data();
  SequencePtr seq(d2i_ASN1_SEQUENCE_ANY(nullptr, &p, static_cast<long>(der.size())));
  if (!seq) return crypto::opensslFailure("IB1 roles: not a SEQUENCE", Errc::kMalformed);
  if (p != der.data() + der.size()) return fail(Errc::kMalformed, "bytes after IB1 roles");
  GG_TRY((requireCanonical<ASN1_SEQUENCE_ANY, i2dSequence>(seq.get(), der)));
  const int n = sk_ASN1_TYPE_num(seq.get());
  if (n > static_cast<int>(kMaxIb1Roles)) return fail(Errc::kLimitExceeded, "too many IB1 roles");
  std::vector<std::string> roles;
  roles.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    GG_TRY(std::string role, utf8Value(sk_ASN1_TYPE_value(seq.get(), i)));
    roles.push_back(std::move(role));
  }
  return roles;
}

Result<std::string> decodeIb1Member(ByteView der) {
  if (der.size() > kMaxIb1UrlLength + 8) return fail(Errc::kLimitExceeded, "IB1 member too large");
  const unsigned char* p = der.data();
  Asn1TypePtr type(d2i_ASN1_TYPE(nullptr, &p, static_cast<long>(der.size())));
  if (!type) return crypto::opensslFailure("IB1 member: not DER", Errc::kMalformed);
  if (p != der.data() + der.size()) return fail(Errc::kMalformed, "bytes after IB1 member");
  GG_TRY((requireCanonical<ASN1_TYPE, i2dType>(type.get(), der)));
  return utf8Value(type.get());
}

}  // namespace gridgate::x509
