// The one way net/ includes Asio. Used only inside net/ (and its tests and benchmarks).
//
// Boost 1.74's asio/awaitable.hpp uses std::exchange without including <utility>; g++ 12 no
// longer provides it transitively (STYLE.md, Async). Clang 14 additionally needs
// BOOST_ASIO_HAS_CO_AWAIT/BOOST_ASIO_HAS_STD_COROUTINE, which the build sets for clang.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
// clang-format on

namespace gridgate::net::internal {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;
template <class T = void>
using Awaitable = asio::awaitable<T>;

inline auto ecToken(error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

}  // namespace gridgate::net::internal
