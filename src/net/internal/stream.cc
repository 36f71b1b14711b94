#include "net/internal/stream.h"

#include <openssl/err.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

namespace gridgate::net::internal {

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kNever = SteadyClock::time_point::max();

int clampInt(std::size_t n) { return n > INT_MAX ? INT_MAX : static_cast<int>(n); }

// The BIO OpenSSL reads ciphertext from (memory filled by Stream::fill) and writes it through
// (straight to the non-blocking socket).
int bioRead(BIO* b, char* out, std::size_t len, std::size_t* readbytes) {
  auto* io = static_cast<Stream::TlsIo*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  const std::size_t avail = io->in.size() - io->in_off;
  if (avail == 0) {
    BIO_set_retry_read(b);
    return 0;
  }
  const std::size_t n = std::min(avail, len);
  std::memcpy(out, io->in.data() + io->in_off, n);
  io->in_off += n;
  if (io->in_off == io->in.size()) {
    io->in.clear();
    io->in_off = 0;
    if (io->in.capacity() > 16 * 1024) io->in.shrink_to_fit();
  }
  *readbytes = n;
  return 1;
}

int bioWrite(BIO* b, const char* data, std::size_t len, std::size_t* written) {
  auto* io = static_cast<Stream::TlsIo*>(BIO_get_data(b));
  BIO_clear_retry_flags(b);
  const ssize_t r = ::send(io->fd, data, len, MSG_NOSIGNAL);
  if (r >= 0) {
    *written = static_cast<std::size_t>(r);
    return 1;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(b);
  return 0;  // otherwise errno stays for SSL_ERROR_SYSCALL
}

long bioCtrl(BIO* /*b*/, int cmd, long /*num*/, void* /*ptr*/) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int bioCreate(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

BIO_METHOD* socketBioMethod() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "gridgate-socket");
    BIO_meth_set_read_ex(m, bioRead);
    BIO_meth_set_write_ex(m, bioWrite);
    BIO_meth_set_ctrl(m, bioCtrl);
    BIO_meth_set_create(m, bioCreate);
    return m;
  }();
  return method;
}

}  // namespace

// One timer per connection, re-armed only when a deadline moves earlier than the pending expiry:
// extending a deadline (every keep-alive request does) costs a clock read, not a timer
// cancellation. When the timer fires before the current deadline it re-arms itself.
struct Stream::Watchdog {
  explicit Watchdog(const asio::any_io_executor& ex) : timer(ex) {}
  asio::steady_timer timer;
  SteadyClock::time_point deadline = kNever;
  SteadyClock::time_point armed = kNever;  // expiry of the pending wait, kNever if none
  unsigned generation = 0;
  tcp::socket* socket = nullptr;  // null once the stream is destroyed
  bool expired = false;
};

namespace {

void arm(const std::shared_ptr<Stream::Watchdog>& w, SteadyClock::time_point at);

void onTimer(const std::shared_ptr<Stream::Watchdog>& w, unsigned generation, error_code ec) {
  if (generation != w->generation || w->socket == nullptr) return;  // superseded or gone
  w->armed = kNever;
  if (ec || w->deadline == kNever) return;
  if (w->deadline > SteadyClock::now()) {
    arm(w, w->deadline);
    return;
  }
  w->expired = true;
  error_code ignored;
  w->socket->cancel(ignored);  // the pending operation fails; translate() reports timed_out
}

void arm(const std::shared_ptr<Stream::Watchdog>& w, SteadyClock::time_point at) {
  w->armed = at;
  const unsigned generation = ++w->generation;
  w->timer.expires_at(at);
  w->timer.async_wait([w, generation](error_code ec) { onTimer(w, generation, ec); });
}

}  // namespace

Stream::Stream(tcp::socket socket, SSL_CTX* ctx, Role role)
    : socket_(std::move(socket)), watchdog_(std::make_shared<Watchdog>(socket_.get_executor())) {
  watchdog_->socket = &socket_;
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (ctx != nullptr) {
    // The BIO writes to the descriptor itself; it must not block.
    socket_.native_non_blocking(true, ignored);
    io_.fd = socket_.native_handle();
    ssl_.reset(SSL_new(ctx));
    BIO* bio = ssl_ ? BIO_new(socketBioMethod()) : nullptr;
    if (bio == nullptr) {
      ssl_.reset();
    } else {
      BIO_set_data(bio, &io_);
      SSL_set_bio(ssl_.get(), bio, bio);
      if (role == Role::kServer) {
        SSL_set_accept_state(ssl_.get());
      } else {
        SSL_set_connect_state(ssl_.get());
      }
    }
    tls_requested_ = true;
  }
}

Stream::~Stream() {
  watchdog_->socket = nullptr;
  watchdog_->timer.cancel();
}

void Stream::expiresAfter(SteadyClock::duration d) {
  Watchdog& w = *watchdog_;
  w.expired = false;
  w.deadline = SteadyClock::now() + d;
  if (w.deadline < w.armed) arm(watchdog_, w.deadline);
}

void Stream::expiresNever() {
  watchdog_->expired = false;
  watchdog_->deadline = kNever;
}

void Stream::translate(error_code& ec) const {
  if (ec == asio::error::operation_aborted && watchdog_->expired) ec = asio::error::timed_out;
}

Awaitable<bool> Stream::waitFor(int ssl_error, error_code& ec) {
  if (watchdog_->expired) {
    ec = asio::error::timed_out;
    co_return false;
  }
  if (ssl_error == SSL_ERROR_WANT_READ) {
    // Handshake: read straight into the BIO's buffer (emptied, and shrunk, as OpenSSL consumes).
    const std::size_t old = io_.in.size();
    io_.in.resize(old + 4096);
    const std::size_t n =
        co_await socket_.async_read_some(asio::buffer(io_.in.data() + old, 4096), ecToken(ec));
    io_.in.resize(old + (ec ? 0 : n));
  } else {
    co_await socket_.async_wait(tcp::socket::wait_write, ecToken(ec));
  }
  if (ec) {
    translate(ec);
    co_return false;
  }
  co_return true;
}

Awaitable<bool> Stream::fill(asio::mutable_buffer scratch, error_code& ec) {
  if (watchdog_->expired) {
    ec = asio::error::timed_out;
    co_return false;
  }
  // Ciphertext lands in the caller's (plaintext) buffer first, then is copied to the BIO: no
  // buffer of our own stays allocated while a connection waits idle.
  const std::size_t n = co_await socket_.async_read_some(scratch, ecToken(ec));
  if (ec) {
    translate(ec);
    co_return false;
  }
  io_.in.append(static_cast<const char*>(scratch.data()), n);
  co_return true;
}

error_code Stream::sslFailure(int ssl_error) {
  error_code ec;
  if (ssl_error == SSL_ERROR_ZERO_RETURN) {
    ec = asio::error::eof;
  } else if (ssl_error == SSL_ERROR_SYSCALL) {
    fatal_ = true;
    const int e = errno;
    ec = e != 0 ? error_code(e, boost::system::system_category()) : error_code(asio::error::eof);
  } else {
    fatal_ = true;
    const unsigned long err = ERR_peek_last_error();
    ec = error_code(static_cast<int>(err), asio::error::get_ssl_category());
  }
  ERR_clear_error();
  return ec;
}

Awaitable<void> Stream::handshake(error_code& ec) {
  ec = {};
  if (!tls_requested_) co_return;
  if (!ssl_) {
    ec = asio::error::no_memory;
    co_return;
  }
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_do_handshake(ssl_.get());
    if (r == 1) {
      if (io_.in.size() == io_.in_off) {
        io_.in.clear();
        io_.in.shrink_to_fit();  // an idle connection keeps no handshake buffer
        io_.in_off = 0;
      }
      co_return;
    }
    const int err = SSL_get_error(ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!co_await waitFor(err, ec)) co_return;
      continue;
    }
    ec = sslFailure(err);
    co_return;
  }
}

Awaitable<std::size_t> Stream::readSome(asio::mutable_buffer buf, error_code& ec) {
  ec = {};
  if (!ssl_) {
    if (watchdog_->expired) {
      ec = asio::error::timed_out;
      co_return 0;
    }
    const std::size_t n = co_await socket_.async_read_some(buf, ecToken(ec));
    translate(ec);
    co_return n;
  }
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_read(ssl_.get(), buf.data(), clampInt(buf.size()));
    if (r > 0) co_return static_cast<std::size_t>(r);
    const int err = SSL_get_error(ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ && buf.size() >= 512) {
      if (!co_await fill(buf, ec)) co_return 0;
      continue;
    }
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!co_await waitFor(err, ec)) co_return 0;
      continue;
    }
    ec = sslFailure(err);
    co_return 0;
  }
}

Awaitable<void> Stream::writeAll(std::string_view data, error_code& ec) {
  ec = {};
  if (!ssl_) {
    if (watchdog_->expired) {
      ec = asio::error::timed_out;
      co_return;
    }
    co_await asio::async_write(socket_, asio::buffer(data.data(), data.size()), ecToken(ec));
    translate(ec);
    co_return;
  }
  std::size_t off = 0;
  while (off < data.size()) {
    ERR_clear_error();
    errno = 0;
    // A retry after WANT_WRITE passes the same pointer and length, as OpenSSL requires.
    const int r = SSL_write(ssl_.get(), data.data() + off, clampInt(data.size() - off));
    if (r > 0) {
      off += static_cast<std::size_t>(r);
      continue;
    }
    const int err = SSL_get_error(ssl_.get(), r);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
      if (!co_await waitFor(err, ec)) co_return;
      continue;
    }
    ec = sslFailure(err);
    co_return;
  }
}

Awaitable<void> Stream::shutdown(error_code& ec) {
  ec = {};
  if (ssl_ && !fatal_ && SSL_is_init_finished(ssl_.get()) == 1) {
    // close_notify, once; a peer that does not read it loses nothing we still need to send.
    ERR_clear_error();
    const int r = SSL_shutdown(ssl_.get());
    if (r < 0) {
      const int err = SSL_get_error(ssl_.get(), r);
      if (err == SSL_ERROR_WANT_WRITE && co_await waitFor(err, ec)) {
        ERR_clear_error();
        SSL_shutdown(ssl_.get());
      }
      ERR_clear_error();
    }
  }
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

Awaitable<void> Stream::drain(error_code& ec) {
  std::array<char, 4096> scratch;
  std::size_t total = 0;
  // Raw bytes: after close_notify nothing the peer sends is of use to us.
  while (total < 1024 * 1024) {
    if (watchdog_->expired) {
      ec = asio::error::timed_out;
      co_return;
    }
    const std::size_t n = co_await socket_.async_read_some(asio::buffer(scratch), ecToken(ec));
    translate(ec);
    if (ec) co_return;
    total += n;
  }
}

void Stream::cancel() {
  error_code ignored;
  socket_.cancel(ignored);
}

void Stream::close() {
  error_code ignored;
  socket_.close(ignored);
}

bool Stream::peerClosedOrSentData() {
  if (ssl_ && (SSL_pending(ssl_.get()) > 0 || io_.in.size() > io_.in_off)) return true;
  char c = 0;
  const ssize_t r = ::recv(socket_.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (r > 0 || r == 0) return true;
  return !(errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace gridgate::net::internal
