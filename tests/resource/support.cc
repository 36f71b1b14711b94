#include "support.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "pki/files.h"

namespace gridgate::resource::test {

const Framework& framework() {
  static TempDir dir;
  static const Framework f = [] {
    Framework out;
    out.dir = dir.path() / "framework";
    auto init = pki::init(
        {.dir = out.dir, .durable = false, .now = SystemClock::instance().unixSeconds() - 3600});
    if (!init) {
      ADD_FAILURE() << "pki::init: " << init.error().detail;
      std::abort();
    }
    out.layout = init->layout;
    out.ids = pki::sandboxIdentities();
    return out;
  }();
  return f;
}

std::shared_ptr<const provenance::Signer> providerSigner() {
  static const auto signer = [] {
    const auto& files = framework().layout.signing_provider;
    auto s = provenance::Signer::fromPem(*pki::readFile(files.key), *pki::readFile(files.bundle));
    if (!s) {
      ADD_FAILURE() << "signer: " << s.error().detail;
      std::abort();
    }
    return std::make_shared<const provenance::Signer>(std::move(*s));
  }();
  return signer;
}

const provenance::Verifier& signingVerifier() {
  static const provenance::Verifier v = [] {
    auto r = provenance::Verifier::fromPem(*pki::readFile(framework().layout.signing.ca));
    if (!r) std::abort();
    return std::move(*r);
  }();
  return v;
}

namespace {

int connectTo(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string rawExchange(std::uint16_t port, const std::string& request) {
  const int fd = connectTo(port);
  if (fd < 0) return {};
  timeval tv{.tv_sec = 5, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace gridgate::resource::test
