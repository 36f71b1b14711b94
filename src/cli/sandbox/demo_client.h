// The sandbox's browser demo client (the seed's "perseus-demo-accounting/start" page): a web
// client application acting as the carbon-accounting provider, with its client certificate held
// server-side, that shows a person every step of a FAPI 2.0 flow.
//
//   GG_TRY(auto demo, sandbox::DemoClient::create({.client = fapi_options,   // cert, key, CA...
//                                                  .view = {.provider = "Perseus Demo Energy",
//                                                           ...}}));
//   servers.addListener(demo_listener, demo->router());    // TLS, no client certificate
//
// Routes (one user-agent session per browser, in a __Host- cookie):
//   GET  /          start page: what will happen, and a button (a form with a CSRF token)
//   POST /start     PAR with PKCE (mTLS) -> 303 to the authorization endpoint
//   GET  /callback  state, iss and redirect URI checked; code exchanged; then the access token
//                   decoded, the ID token verified, the permission record, the first meter's
//                   readings of the last seven days and their provenance record verified;
//                   -> 303 to /result (a reload cannot replay the code)
//   GET  /result    every step, with the HTTP bodies that matter, the chart, the provenance
//   POST /revoke    revokes the refresh token (and with it the grant), then shows that
//                   introspection calls the access token inactive and the resource server
//                   refuses it
// The session's verifier, state and nonce are bound to the browser that started the flow
// (FAPI-CHECKLIST 87): a callback in another browser finds no session and is refused. Sessions
// live in memory (bounded; oldest evicted) for `session_lifetime`.
//
// The handlers call the authorization and resource servers of the same process over TLS, so they
// run on a pool of their own: on the servers' blocking pool they could wait for work queued
// behind themselves.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "authz/ui/csrf.h"
#include "cli/sandbox/demo_pages.h"
#include "client/fapi_client.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "net/blocking_pool.h"
#include "net/router.h"

namespace gridgate::cli::sandbox {

struct DemoClientOptions {
  client::ClientOptions client{};  // issuer, certificate and key, CA, redirect URI, resource URL,
                                   // signing CA (provenance)
  PageView view{};
  std::size_t max_sessions = 1000;
  Seconds session_lifetime{3600};
  unsigned threads = 4;
};

class DemoClient {
 public:
  [[nodiscard]] static Result<std::unique_ptr<DemoClient>> create(DemoClientOptions options);
  ~DemoClient();
  DemoClient(const DemoClient&) = delete;
  DemoClient& operator=(const DemoClient&) = delete;

  std::shared_ptr<net::Router> router() const { return router_; }

  static constexpr std::string_view kCookie = "__Host-gridgate-demo";

 private:
  struct Session {
    std::int64_t created_at = 0;
    std::optional<client::AuthorizationRequest> request{};
    Json par_trace{};               // the PAR exchange, for the result page
    std::optional<Json> outcome{};  // what /result shows
    std::string access_token{};     // for the revocation demo
    std::string refresh_token{};
    std::string readings_path{};
  };

  explicit DemoClient(DemoClientOptions options);
  void registerRoutes();
  // The browser's session id from its cookie (nullopt: none, or a planted duplicate).
  static std::optional<std::string> sessionId(const net::Request& req);
  std::string sessionKey(const std::string& sid) const;
  // Runs `handler` on the demo pool; 503 if the pool is full.
  net::AsyncHandler offloaded(std::function<net::Response(const net::Request&)> handler);

  net::Response start(const net::Request& req);
  net::Response begin(const net::Request& req);
  net::Response callback(const net::Request& req);
  net::Response result(const net::Request& req);
  net::Response revoke(const net::Request& req);

  // The whole story after the callback: every step, until the first that fails.
  void completeFlow(Session& s, const client::AuthorizationRequest& request,
                    const client::AuthorizationResponse& response);

  DemoClientOptions options_;
  std::unique_ptr<client::FapiClient> client_;
  authz::ui::CsrfKey csrf_;
  std::shared_ptr<net::Router> router_;
  std::shared_ptr<net::BlockingPool> pool_;

  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // by sha256(session id)
};

}  // namespace gridgate::cli::sandbox
