// The IB1 trust framework's certificate extensions (PERSEUS.md, Certificates).
//
//   GG_TRY(Bytes ext, encodeIb1Roles({"https://registry.../role/carbon-accounting-provider"}));
//   GG_TRY(std::vector<std::string> roles, decodeIb1Roles(ext));        // strict DER
//   GG_TRY(std::string member, decodeIb1Member(member_ext_der));
//
// roles  1.3.6.1.4.1.62329.1.1: DER SEQUENCE OF UTF8String, each a role URL;
// member 1.3.6.1.4.1.62329.1.3: DER UTF8String, the member URL.
// Decoding is strict: the bytes must be exactly the DER encoding (no BER, no trailing bytes), every
// element a UTF8String holding valid UTF-8 without NUL; any other inner type is an error, never
// skipped. Certificate::ib1Roles()/ib1Member() call these on the extension values.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "core/result.h"

namespace gridgate::x509 {

inline constexpr std::string_view kIb1RolesOid = "1.3.6.1.4.1.62329.1.1";
inline constexpr std::string_view kIb1ApplicationOid = "1.3.6.1.4.1.62329.1.2";  // retired
inline constexpr std::string_view kIb1MemberOid = "1.3.6.1.4.1.62329.1.3";

inline constexpr std::size_t kMaxIb1Roles = 32;
inline constexpr std::size_t kMaxIb1UrlLength = 2048;

[[nodiscard]] Result<Bytes> encodeIb1Roles(std::span<const std::string> roles);
[[nodiscard]] Result<Bytes> encodeIb1Member(std::string_view member);

[[nodiscard]] Result<std::vector<std::string>> decodeIb1Roles(ByteView der);
[[nodiscard]] Result<std::string> decodeIb1Member(ByteView der);

}  // namespace gridgate::x509
