// Free loopback ports for servers whose configuration must name their port before they start
// (the gridgate processes, nginx, redis-server): chosen below the kernel's ephemeral range, so
// that no outgoing connection of a test running beside this one can take it before it is bound.
//
//   const std::uint16_t port = net::test::freePort();
//   const std::vector<std::uint16_t> four = net::test::freePorts(4);  // all different
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gridgate::net::test {

// A loopback port that binds now and that this process was never given before.
std::uint16_t freePort();
// n such ports (so all different).
std::vector<std::uint16_t> freePorts(std::size_t n);

}  // namespace gridgate::net::test
