// Base64 and base64url (RFC 4648), with the strict decoders JOSE needs.
//
//   std::string s = base64urlEncode(asBytes("hello"));        // "aGVsbG8"
//   Result<Bytes> b = base64urlDecode(s);                       // strict: no padding, no junk
//   Result<Bytes> p = base64urlDecode(padded, Padding::kRequired);  // IB1 provenance steps
//
// Decoders reject characters outside the alphabet, whitespace, padding where it is not allowed
// (or missing where it is required), and non-canonical trailing bits (a final character whose
// unused low bits are not zero), so that every byte string has exactly one accepted encoding.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"

namespace gridgate {

enum class Padding {
  kForbidden,  // JOSE: no '=' (RFC 7515 section 2)
  kRequired,   // '=' to a multiple of 4 characters
  kOptional,   // either, but if present it must be exact
};

std::string base64urlEncode(ByteView data, Padding padding = Padding::kForbidden);
std::string base64Encode(ByteView data);  // standard alphabet, padded

[[nodiscard]] Result<Bytes> base64urlDecode(std::string_view text,
                                            Padding padding = Padding::kForbidden);
[[nodiscard]] Result<Bytes> base64Decode(std::string_view text,
                                         Padding padding = Padding::kRequired);

}  // namespace gridgate
