// Byte buffers and views, and the conversions between them and strings.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridgate {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView asBytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view asChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes toBytes(std::string_view s) { return {s.begin(), s.end()}; }
inline std::string toString(ByteView b) { return std::string(asChars(b)); }

// Lowercase hexadecimal.
std::string hexEncode(ByteView data);

}  // namespace gridgate
