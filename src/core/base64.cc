#include "core/base64.h"

#include <array>

namespace gridgate {
namespace {

constexpr std::string_view kStd =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<std::int8_t, 256> makeTable(std::string_view alphabet) {
  std::array<std::int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
  }
  return table;
}
constexpr auto kStdTable = makeTable(kStd);
constexpr auto kUrlTable = makeTable(kUrl);

std::string encode(ByteView data, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) |
                            std::uint32_t{data[i + 2]};
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = data.size() - i;
  if (rest == 1) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

Result<Bytes> decode(std::string_view text, const std::array<std::int8_t, 256>& table,
                     Padding padding) {
  std::size_t pad_count = 0;
  while (pad_count < text.size() && pad_count < 2 && text[text.size() - 1 - pad_count] == '=') {
    ++pad_count;
  }
  const std::string_view body = text.substr(0, text.size() - pad_count);
  if (pad_count > 0 && padding == Padding::kForbidden) {
    return fail(Errc::kMalformed, "base64: padding not allowed");
  }
  const std::size_t rem = body.size() % 4;
  if (rem == 1) return fail(Errc::kMalformed, "base64: impossible length");
  const std::size_t expected_pad = rem == 0 ? 0 : 4 - rem;
  if (pad_count > 0 && pad_count != expected_pad) {
    return fail(Errc::kMalformed, "base64: wrong padding");
  }
  if (padding == Padding::kRequired && pad_count != expected_pad) {
    return fail(Errc::kMalformed, "base64: padding required");
  }

  Bytes out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : body) {
    const std::int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0) return fail(Errc::kMalformed, "base64: invalid character");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
    }
  }
  // Leftover bits (2 or 4) must be zero: otherwise two encodings would decode to the same bytes.
  if (bits > 0 && (acc & ((1U << bits) - 1)) != 0) {
    return fail(Errc::kMalformed, "base64: non-canonical trailing bits");
  }
  return out;
}

}  // namespace

std::string base64urlEncode(ByteView data, Padding padding) {
  return encode(data, kUrl, padding == Padding::kRequired);
}

std::string base64Encode(ByteView data) { return encode(data, kStd, true); }

Result<Bytes> base64urlDecode(std::string_view text, Padding padding) {
  return decode(text, kUrlTable, padding);
}

Result<Bytes> base64Decode(std::string_view text, Padding padding) {
  return decode(text, kStdTable, padding);
}

std::string hexEncode(ByteView data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const auto b : data) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xF]);
  }
  return out;
}

}  // namespace gridgate
