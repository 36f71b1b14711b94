// The validator as a route wrapper for gridgate's router: the C++ counterpart of the seed's
// `@validator.introspects(scope=...)` decorator.
//
//   auto fetcher = std::make_shared<validator::http::NetFetcher>();
//   GG_TRY(auto v, validator::Validator::create(config, {.fetcher = fetcher}));
//   validator::http::HttpValidator guard(v, {.pool = pool});     // pool shared with the server
//
//   validator::RouteRequirements readings;
//   readings.require(validator::Requirement::scopes({kLicence}))
//           .require(validator::Requirement::certificateRole(kCarbonAccountingProvider))
//           .require(validator::Requirement::clientIdIsCertificateUri());
//   router->get("/datasources/{id}/{measure}",
//               guard.protect(readings, [](const net::Request& req, const validator::TokenInfo& t)
//               {
//                 return net::Response::json(200, readingsFor(*req.params.get("id"), t));
//               }));
//
// The token check runs before anything else. Checks that need no network (a cached validation,
// a JWT with loaded keys) answer on the I/O thread; a check that needs an issuer call
// (introspection, a JWKS fetch, discovery) runs on the blocking pool, never on the I/O thread,
// and the handler then runs there too. A refusal is answered with validator::render()'s status,
// WWW-Authenticate, Cache-Control: no-store and, for 503, Retry-After.
//
// The client certificate comes from the request's peer info (the TLS session, or a trusted
// proxy's header, both decoded once per connection by net), or from an application-supplied
// CertificateSource (the seed's client_cert_parser).
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "net/blocking_pool.h"
#include "net/http.h"
#include "net/router.h"
#include "validator/validator.h"

namespace gridgate::validator::http {

using ProtectedHandler = std::function<net::Response(const net::Request&, const TokenInfo&)>;
using ProtectedAsyncHandler =
    std::function<void(const net::Request&, const TokenInfo&, net::Respond)>;

// The client certificate of a request from wherever the deployment puts it: nullopt when none was
// presented; an error (answered 400 invalid_request) when its encoding is broken.
using CertificateSource =
    std::function<Result<std::optional<x509::Certificate>>(const net::Request&)>;

struct HttpValidatorOptions {
  // Where checks that need I/O run. Share the server's (ServerConfig::blocking_pool); null: the
  // HttpValidator makes its own pool of two threads.
  std::shared_ptr<net::BlockingPool> pool;
  // null: Request::peer.client_cert.
  CertificateSource certificate_source;
};

struct ProtectOptions {
  // Run the handler on the blocking pool even when the check was answered inline (handlers that
  // block: SQLite, files).
  bool offload_handler = false;
};

class HttpValidator {
 public:
  explicit HttpValidator(std::shared_ptr<const Validator> validator,
                         HttpValidatorOptions options = {});
  ~HttpValidator();

  [[nodiscard]] net::AsyncHandler protect(RouteRequirements route, ProtectedHandler handler,
                                          ProtectOptions options = {}) const;
  // The handler answers through `Respond`, from any thread, exactly once.
  [[nodiscard]] net::AsyncHandler protectAsync(RouteRequirements route,
                                               ProtectedAsyncHandler handler) const;

  // The response for a refused request (validator::render as a net::Response).
  net::Response refusal(const AuthError& error) const;
  const Validator& validator() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

// The parts of a net::Request the validator reads, as a RequestView (the strings and
// certificates stay owned by `request` and `cert`).
struct NetRequestView {
  RequestView view;
  std::array<std::string_view, 2> authorization{};
};
void fillRequestView(const net::Request& request, const x509::Certificate* cert,
                     std::span<const x509::Certificate> chain, NetRequestView& out);

}  // namespace gridgate::validator::http
