#include "net/form.h"

#include <algorithm>

namespace gridgate::net {

namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool isValidUtf8(std::string_view s) {
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1FU;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0FU;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07U;
    } else {
      return false;  // continuation byte first, overlong lead (C0, C1), or > F4
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0U) != 0x80U) return false;
      cp = (cp << 6U) | (cc & 0x3FU);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;                            // surrogate
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

Result<std::string> percentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  bool high = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) return fail(Errc::kMalformed, "truncated percent-escape");
      const int hi = hexValue(in[i + 1]);
      const int lo = hexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return fail(Errc::kMalformed, "bad percent-escape");
      const auto byte = static_cast<unsigned char>((hi << 4) | lo);
      if (byte >= 0x80) high = true;
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return fail(Errc::kMalformed, "raw byte outside printable ASCII");
    } else {
      out.push_back(c);
    }
  }
  if (high && !isValidUtf8(out)) return fail(Errc::kMalformed, "decoded value is not UTF-8");
  return out;
}

const std::string* Form::get(std::string_view name) const {
  for (const auto& [k, v] : pairs_) {
    if (k == name) return &v;
  }
  return nullptr;
}

Result<std::string> Form::single(std::string_view name) const {
  const std::string* found = nullptr;
  for (const auto& [k, v] : pairs_) {
    if (k != name) continue;
    if (found != nullptr) return fail(Errc::kInvalidArgument, "repeated parameter");
    found = &v;
  }
  if (found == nullptr) return fail(Errc::kNotFound, "missing parameter");
  return *found;
}

std::vector<std::string_view> Form::getAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : pairs_) {
    if (k == name) out.emplace_back(v);
  }
  return out;
}

std::size_t Form::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(pairs_.begin(), pairs_.end(), [&](const Pair& p) { return p.first == name; }));
}

std::vector<std::string> Form::duplicates() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pairs_.size(); ++i) {
    const std::string& name = pairs_[i].first;
    if (std::find(out.begin(), out.end(), name) != out.end()) continue;
    for (std::size_t j = i + 1; j < pairs_.size(); ++j) {
      if (pairs_[j].first == name) {
        out.push_back(name);
        break;
      }
    }
  }
  return out;
}

Result<Form> parseForm(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.max_bytes) return fail(Errc::kLimitExceeded, "form too large");
  Form form;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      if (form.size() >= limits.max_pairs) return fail(Errc::kLimitExceeded, "too many pairs");
      const std::size_t eq = pair.find('=');
      const std::string_view raw_name = pair.substr(0, eq);
      const std::string_view raw_value =
          eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
      GG_TRY(std::string name, percentDecode(raw_name, true));
      GG_TRY(std::string value, percentDecode(raw_value, true));
      form.add(std::move(name), std::move(value));
    }
    start = end + 1;
  }
  return form;
}

Result<Form> parseQuery(std::string_view query, const FormLimits& limits) {
  return parseForm(query, limits);
}

std::string formEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (const char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4U]);
      out.push_back(kHex[u & 0x0FU]);
    }
  }
  return out;
}

std::string encodeForm(const std::vector<Form::Pair>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += formEncode(k);
    out.push_back('=');
    out += formEncode(v);
  }
  return out;
}

}  // namespace gridgate::net
