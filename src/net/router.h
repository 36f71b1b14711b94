// Method + path routing with {parameters}, for every gridgate server. No Asio or Beast here.
//
//   auto router = std::make_shared<net::Router>();
//   // Synchronous: the fast paths (a cached token validation, meter readings from memory).
//   router->get("/datasources/{id}/{measure}", [](const net::Request& req) {
//     return net::Response::json(200, readings(*req.params.get("id"), *req.params.get("measure")));
//   });
//   // Synchronous but blocking (SQLite): runs on the server's blocking pool, not the I/O thread.
//   router->post("/token", tokenEndpoint, net::RouteOptions{.offload = true});
//   // Asynchronous: answer later, from any thread, exactly once.
//   router->add(net::Method::kPost, "/introspect", [&](const net::Request& req, net::Respond done)
//   {
//     introspector.check(req.body, [done](Result<Json> r) { done(render(r)); });
//   });
//   server.setRouter("mtls", router);
//
// Matching: a literal segment beats a {parameter} at the same position; a parameter matches one
// non-empty segment and is percent-decoded ('+' stays '+'); "/a" and "/a/" are different paths.
// A path that matches no pattern is 404; one that matches with another method is 405 with `Allow`;
// HEAD is served by the GET route (the server drops the body) unless a HEAD route exists.
//
// Lifetime: the Request passed to an AsyncHandler stays valid until `Respond` is called (the
// connection waits for it). A Respond that is dropped without being called answers 500 and logs.
// Registration errors (bad pattern, duplicate route) throw std::invalid_argument: they happen at
// start-up, never on a request path.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "net/http.h"

namespace gridgate::net {

// Completes a request. Call exactly once, from any thread; later calls are ignored.
using Respond = std::function<void(Response)>;
using AsyncHandler = std::function<void(const Request&, Respond)>;
using SyncHandler = std::function<Response(const Request&)>;

struct RouteOptions {
  // Run a SyncHandler on the server's blocking thread pool (SQLite, file I/O, password hashing)
  // instead of the I/O thread. Ignored for an AsyncHandler, which chooses its own threads.
  bool offload = false;
  // Body limit for this route, instead of the listener's Limits::max_body_bytes.
  std::optional<std::size_t> max_body_bytes{};
};

class Router {
 public:
  struct Route {
    std::size_t id = 0;  // dense index, 0..routeCount()-1 (per-route metrics slots)
    Method method = Method::kGet;
    std::string pattern{};
    std::vector<std::string> param_names{};  // by parameter position
    SyncHandler sync;                        // exactly one of sync/async is set
    AsyncHandler async;
    RouteOptions options;
  };

  struct Match {
    enum class Kind {
      kFound,
      kNotFound,
      kMethodNotAllowed,
      kBadPath,  // a parameter that does not percent-decode, or a path not starting with '/'
    };
    Kind kind = Kind::kNotFound;
    const Route* route = nullptr;  // kFound
    PathParams params{};           // kFound
    std::string allow{};           // kMethodNotAllowed: "GET, HEAD, POST"
  };

  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void add(Method method, std::string_view pattern, SyncHandler handler, RouteOptions options = {});
  void add(Method method, std::string_view pattern, AsyncHandler handler,
           RouteOptions options = {});

  template <class H>
  void get(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    add(Method::kGet, pattern, wrap(std::forward<H>(handler)), options);
  }
  template <class H>
  void post(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    add(Method::kPost, pattern, wrap(std::forward<H>(handler)), options);
  }
  template <class H>
  void put(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    add(Method::kPut, pattern, wrap(std::forward<H>(handler)), options);
  }
  template <class H>
  void patch(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    add(Method::kPatch, pattern, wrap(std::forward<H>(handler)), options);
  }
  template <class H>
  void del(std::string_view pattern, H&& handler, RouteOptions options = {}) {
    add(Method::kDelete, pattern, wrap(std::forward<H>(handler)), options);
  }

  [[nodiscard]] Match match(Method method, std::string_view path) const;
  std::size_t routeCount() const { return routes_.size(); }
  const Route& route(std::size_t id) const { return *routes_[id]; }

 private:
  struct Node;

  template <class H>
  static auto wrap(H&& h) {
    if constexpr (std::is_invocable_r_v<Response, H, const Request&>) {
      return SyncHandler(std::forward<H>(h));
    } else {
      return AsyncHandler(std::forward<H>(h));
    }
  }
  Route& insert(Method method, std::string_view pattern, RouteOptions options);

  std::unique_ptr<Node> root_{};
  std::vector<std::unique_ptr<Route>> routes_{};
};

}  // namespace gridgate::net
