#include "free_port.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <mutex>
#include <random>
#include <set>

namespace gridgate::net::test {

namespace {

// Whether 127.0.0.1:port can be bound now (port 0: any), with SO_REUSEADDR as every server here
// binds; the port bound, or 0.
std::uint16_t bindLoopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  std::uint16_t bound = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  ::close(fd);
  return bound;
}

// The lowest port of the kernel's own range (net.ipv4.ip_local_port_range), 32768 when unreadable.
int ephemeralLow() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int low = 0;
  if (in >> low && low > 0) return low;
  return 32768;
}

}  // namespace

std::uint16_t freePort() {
  // A port the kernel picks itself (bind to port 0) comes from the range it also uses for the
  // local end of every outgoing connection: any test's connection could take it between this
  // call and the server's bind (seen in CI: "Address already in use"). Below that range only
  // explicit binds compete; picking at random keeps test processes running side by side apart.
  static std::mutex mu;
  static std::mt19937 rng(std::random_device{}());
  static std::set<std::uint16_t> given;
  std::lock_guard lock(mu);
  constexpr int kFirst = 10000;
  const int low = ephemeralLow();
  if (low - kFirst >= 1000) {
    std::uniform_int_distribution<int> pick(kFirst, low - 1);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const auto port = static_cast<std::uint16_t>(pick(rng));
      if (given.contains(port) || bindLoopback(port) != port) continue;
      given.insert(port);
      return port;
    }
  }
  // No room below the ephemeral range: let the kernel choose.
  for (;;) {
    const std::uint16_t port = bindLoopback(0);
    if (port != 0 && given.insert(port).second) return port;
  }
}

std::vector<std::uint16_t> freePorts(std::size_t n) {
  std::vector<std::uint16_t> ports;
  while (ports.size() < n) ports.push_back(freePort());
  return ports;
}

}  // namespace gridgate::net::test
