// A TCP connection, optionally TLS, for net/'s server, client and load generator.
//
// TLS runs on the socket through a small BIO of our own, not asio::ssl::stream: ciphertext is
// read with Asio's own async_read_some (which, like nginx, skips the read that would return
// EAGAIN once a previous read drained the socket, and needs no epoll_ctl per wait) and handed to
// OpenSSL from memory; OpenSSL writes straight to the socket. A keep-alive request costs one
// read and one write system call. No BIO pair and no 34 KB of engine buffers per connection, and
// OpenSSL's own buffers are released while idle (SSL_MODE_RELEASE_BUFFERS): that is what keeps
// 1000 idle TLS connections cheap (TARGETS.md).
//
//   Stream s(std::move(socket), ctx, Stream::Role::kServer);
//   s.expiresAfter(limits.handshake_timeout);        // before every I/O (STYLE.md)
//   co_await s.handshake(ec);
//   s.expiresAfter(limits.idle_timeout);
//   std::size_t n = co_await s.readSome(buffer.prepare(4096), ec);   // ec == timed_out on expiry
//
// A deadline covers every operation started before the next expiresAfter(); when it passes, the
// pending operation fails with asio::error::timed_out. All calls on one stream must come from its
// executor (a strand).
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/ssl/error.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "net/internal/asio.h"
#include "net/internal/tls.h"

namespace gridgate::net::internal {

class Stream {
 public:
  enum class Role { kServer, kClient };

  // `ctx` null: plain TCP. Otherwise a TLS stream in the given role (handshake() before I/O).
  Stream(tcp::socket socket, SSL_CTX* ctx, Role role);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  bool tls() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_.get(); }
  tcp::socket& socket() { return socket_; }
  asio::any_io_executor executor() { return socket_.get_executor(); }

  void expiresAfter(std::chrono::steady_clock::duration d);
  void expiresNever();

  Awaitable<void> handshake(error_code& ec);
  // At least one byte, or an error (asio::error::eof at a clean end of stream).
  Awaitable<std::size_t> readSome(asio::mutable_buffer buf, error_code& ec);
  Awaitable<void> writeAll(std::string_view data, error_code& ec);
  // Sends TLS close_notify (if TLS) and FIN; does not wait for the peer.
  Awaitable<void> shutdown(error_code& ec);
  // After shutdown(): reads and discards what the peer still sends, until it closes or the
  // deadline, so that the kernel does not answer unread data with a reset that could destroy our
  // last response in flight (RFC 9112 section 9.6).
  Awaitable<void> drain(error_code& ec);

  // Cancels pending operations (they fail with operation_aborted) without a timeout.
  void cancel();
  void close();

  // True when the peer has closed or sent something while the connection sat unused (a pooled
  // client connection that must not be reused).
  bool peerClosedOrSentData();

 public:
  struct Watchdog;  // public for the timer callbacks in stream.cc; opaque outside it
  // What the BIO callbacks in stream.cc reach: the descriptor for writes, and ciphertext read
  // from the socket that OpenSSL has not consumed yet.
  struct TlsIo {
    int fd = -1;
    std::string in;
    std::size_t in_off = 0;
  };

 private:
  Awaitable<bool> waitFor(int ssl_error, error_code& ec);
  void translate(error_code& ec) const;
  error_code sslFailure(int ssl_error);

  Awaitable<bool> fill(asio::mutable_buffer scratch, error_code& ec);

  tcp::socket socket_;
  TlsIo io_;
  std::shared_ptr<Watchdog> watchdog_;
  SslPtr ssl_;
  bool tls_requested_ = false;
  bool fatal_ = false;  // OpenSSL forbids SSL_shutdown after a fatal error
};

}  // namespace gridgate::net::internal
