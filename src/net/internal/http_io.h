// Feeding Beast's HTTP/1.1 parser from a Stream: the only Beast the server and client use (the
// parser; responses and requests are serialised by net/ itself). Included by server.cc and
// client.cc only.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string_view>

#include "net/internal/stream.h"

namespace gridgate::net::internal {

namespace beast = boost::beast;
namespace http = beast::http;

// Beast's own string_view type (boost::string_view in 1.74) to std::string_view.
template <class S>
std::string_view sv(const S& s) {
  return std::string_view(s.data(), s.size());
}

inline constexpr std::size_t kReadChunk = 4096;

// Reads from `stream` into `buffer` and parses until the parser has the whole header
// (`header_only`) or the whole message. Bytes past the message (a pipelined request) stay in
// `buffer`. Errors: the parser's (header_limit, body_limit, bad_*...), http::error::partial_message
// for a stream that ends inside a message, end_of_stream if it ends before any byte of it, or the
// stream's (timed_out, ...).
template <class Parser>
Awaitable<void> readMessage(Stream& stream, beast::flat_buffer& buffer, Parser& parser,
                            bool header_only, error_code& ec) {
  ec = {};
  for (;;) {
    if (buffer.size() > 0) {
      const std::size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == http::error::need_more) {
        ec = {};
      } else if (ec) {
        co_return;
      }
      if (header_only ? parser.is_header_done() : parser.is_done()) co_return;
      if (used > 0 && buffer.size() > 0) continue;
    }
    const std::size_t n = co_await stream.readSome(buffer.prepare(kReadChunk), ec);
    if (ec == asio::error::eof) {
      // Beast asserts got_some() in put_eof(): a stream that ends before any byte of the message
      // (a peer that closed a kept-alive connection, or died) must not reach it, or a build with
      // assertions aborts.
      if (!parser.got_some()) {
        ec = http::error::end_of_stream;
        co_return;
      }
      parser.put_eof(ec);
      if (ec) co_return;
      if (header_only ? parser.is_header_done() : parser.is_done()) co_return;
      ec = http::error::partial_message;
      co_return;
    }
    if (ec) co_return;
    buffer.commit(n);
  }
}

}  // namespace gridgate::net::internal
