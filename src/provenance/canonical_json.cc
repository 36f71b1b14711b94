#include "provenance/canonical_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <system_error>

namespace gridgate::provenance {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendU16Escape(std::string& out, std::uint32_t unit) {
  out += "\\u";
  out += kHex[(unit >> 12) & 0xF];
  out += kHex[(unit >> 8) & 0xF];
  out += kHex[(unit >> 4) & 0xF];
  out += kHex[unit & 0xF];
}

// Decodes one UTF-8 sequence at `s[i]`, strictly: no overlong forms, no surrogates, nothing past
// U+10FFFF, no truncation. Advances `i`. Returns false if the bytes are not UTF-8.
bool nextCodePoint(std::string_view s, std::size_t& i, std::uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t min = 0;
  if (b0 < 0x80) {
    cp = b0;
    ++i;
    return true;
  }
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1Fu;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0Fu;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07u;
    min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - i < len) return false;
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += len;
  return true;
}

Status appendString(std::string& out, std::string_view s) {
  out += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path: a run of printable ASCII that needs no escape is copied as is.
    std::size_t run = i;
    while (run < s.size() && s[run] >= 0x20 && s[run] <= 0x7E && s[run] != '"' && s[run] != '\\') {
      ++run;
    }
    if (run > i) {
      out.append(s, i, run - i);
      i = run;
      continue;
    }
    std::uint32_t cp = 0;
    if (!nextCodePoint(s, i, cp)) return fail(Errc::kMalformed, "step json: invalid UTF-8");
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (cp >= 0x20 && cp <= 0x7E) {
      out += static_cast<char>(cp);
    } else if (cp < 0x10000) {
      appendU16Escape(out, cp);
    } else {
      const std::uint32_t v = cp - 0x10000;
      appendU16Escape(out, 0xD800 + (v >> 10));
      appendU16Escape(out, 0xDC00 + (v & 0x3FF));
    }
  }
  out += '"';
  return ok();
}

Status appendValue(std::string& out, const OrderedJson& v) {
  switch (v.type()) {
    case OrderedJson::value_t::null:
      out += "null";
      return ok();
    case OrderedJson::value_t::boolean:
      out += v.get<bool>() ? "true" : "false";
      return ok();
    case OrderedJson::value_t::number_integer:
      out += std::to_string(v.get<std::int64_t>());
      return ok();
    case OrderedJson::value_t::number_unsigned:
      out += std::to_string(v.get<std::uint64_t>());
      return ok();
    case OrderedJson::value_t::number_float: {
      const double d = v.get<double>();
      if (!std::isfinite(d)) return fail(Errc::kMalformed, "step json: NaN or infinity");
      out += pythonFloatRepr(d);
      return ok();
    }
    case OrderedJson::value_t::string:
      return appendString(out, v.get_ref<const std::string&>());
    case OrderedJson::value_t::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v) {
        if (!first) out += ',';
        first = false;
        GG_TRY(appendValue(out, e));
      }
      out += ']';
      return ok();
    }
    case OrderedJson::value_t::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, member] : v.items()) {
        if (!first) out += ',';
        first = false;
        GG_TRY(appendString(out, key));
        out += ':';
        GG_TRY(appendValue(out, member));
      }
      out += '}';
      return ok();
    }
    case OrderedJson::value_t::binary:
    case OrderedJson::value_t::discarded:
      return fail(Errc::kMalformed, "step json: not a JSON value");
  }
  return fail(Errc::kInternal, "step json: unknown value type");
}

}  // namespace

std::string pythonFloatRepr(double value) {
  // std::to_chars without a precision gives the shortest digits that round-trip (as Python's
  // repr does); only the layout differs, so take digits and exponent from the scientific form.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  if (res.ec != std::errc()) std::abort();  // 64 bytes always hold a double
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  std::string out;
  if (!sci.empty() && sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits += c;
  }
  int exp10 = 0;
  const std::string_view exp_text = sci.substr(e_pos + 1);
  const char* first = exp_text.data();
  if (*first == '+') ++first;
  std::from_chars(first, exp_text.data() + exp_text.size(), exp10);
  // Python (format_float_short, repr mode): value = 0.DIGITS x 10^decpt.
  const int decpt = exp10 + 1;
  const int ndigits = static_cast<int>(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (ndigits > 1) {
      out += '.';
      out.append(digits, 1);
    }
    const int e = decpt - 1;
    out += e < 0 ? "e-" : "e+";
    const int mag = e < 0 ? -e : e;
    if (mag < 10) out += '0';
    out += std::to_string(mag);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-decpt), '0');
    out += digits;
  } else if (decpt >= ndigits) {
    out += digits;
    out.append(static_cast<std::size_t>(decpt - ndigits), '0');
    out += ".0";
  } else {
    out.append(digits, 0, static_cast<std::size_t>(decpt));
    out += '.';
    out.append(digits, static_cast<std::size_t>(decpt));
  }
  return out;
}

Result<std::string> canonicalJsonString(std::string_view utf8) {
  std::string out;
  GG_TRY(appendString(out, utf8));
  return out;
}

Result<std::string> canonicalJson(const OrderedJson& value) {
  std::string out;
  GG_TRY(appendValue(out, value));
  return out;
}

}  // namespace gridgate::provenance
