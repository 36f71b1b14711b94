#include "net/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace gridgate::net {

namespace {

struct Addr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

bool parseAddr(std::string_view text, Addr& out) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return false;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    out.v6 = false;
    return inet_pton(AF_INET, buf, out.bytes.data()) == 1;
  }
  out.v6 = true;
  return inet_pton(AF_INET6, buf, out.bytes.data()) == 1;
}

// ::ffff:a.b.c.d -> a.b.c.d
void unmapV4(Addr& a) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (a.v6 && std::memcmp(a.bytes.data(), kPrefix, 12) == 0) {
    a.v6 = false;
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
  }
}

bool prefixEqual(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                 unsigned prefix) {
  const unsigned full = prefix / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFU << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

}  // namespace

Result<Cidr> Cidr::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  Addr a;
  if (!parseAddr(text.substr(0, slash), a)) return fail(Errc::kInvalidArgument, "bad IP address");
  unmapV4(a);
  const unsigned max = a.v6 ? 128U : 32U;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    const std::string_view p = text.substr(slash + 1);
    const auto res = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (p.empty() || res.ec != std::errc() || res.ptr != p.data() + p.size() || prefix > max ||
        (p.size() > 1 && p.front() == '0')) {
      return fail(Errc::kInvalidArgument, "bad prefix length");
    }
  }
  std::array<std::uint8_t, 16> masked{};
  for (unsigned i = 0; i < prefix; ++i) {
    masked[i / 8] =
        static_cast<std::uint8_t>(masked[i / 8] | (a.bytes[i / 8] & (0x80U >> (i % 8))));
  }
  if (masked != a.bytes) return fail(Errc::kInvalidArgument, "host bits set beyond the prefix");
  Cidr c;
  c.v6_ = a.v6;
  c.bytes_ = a.bytes;
  c.prefix_ = prefix;
  return c;
}

bool Cidr::contains(std::string_view address) const {
  Addr a;
  if (!parseAddr(address, a)) return false;
  unmapV4(a);
  if (a.v6 != v6_) return false;
  return prefixEqual(a.bytes, bytes_, prefix_);
}

std::string Cidr::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof(buf));
  return std::string(buf) + '/' + std::to_string(prefix_);
}

}  // namespace gridgate::net
