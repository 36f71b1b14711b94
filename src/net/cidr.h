// IP address ranges for trusted-proxy configuration ("10.0.0.0/8", "::1/128", "192.0.2.7").
//
//   GG_TRY(Cidr proxies, Cidr::parse("10.0.0.0/8"));
//   if (proxies.contains("10.1.2.3")) ...        // textual peer address, as PeerInfo holds it
//
// IPv4-mapped IPv6 peers ("::ffff:10.1.2.3", what a dual-stack socket reports) match IPv4 ranges.
// Parsing is strict: no host bits set beyond the prefix ("10.0.0.1/8" is an error: it usually
// means a typo), prefix within 0..32 / 0..128, no zone ids.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace gridgate::net {

class Cidr {
 public:
  [[nodiscard]] static Result<Cidr> parse(std::string_view text);

  bool contains(std::string_view address) const;
  std::string toString() const;

 private:
  Cidr() = default;
  bool v6_ = false;
  std::array<std::uint8_t, 16> bytes_{};
  unsigned prefix_ = 0;
};

}  // namespace gridgate::net
