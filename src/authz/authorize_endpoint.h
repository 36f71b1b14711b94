// GET /authorize on the public listener (RFC 9126 4, FAPI 2.0 5.3.2.2).
//
//   AuthorizeEndpoint authorize(flow, interaction, config);
//   router.get("/authorize", [&](const net::Request& r) { return authorize.handle(r); },
//              {.offload = true});
//
// Only client_id and request_uri are read; every other parameter is ignored and never overrides
// what was pushed (FAPI-CHECKLIST 35). A request without a request_uri (plain query parameters,
// FAPI-CHECKLIST 31), a request URI that is unknown, pushed by another client (32), expired (33)
// or already completed (34), or a repeated parameter, gets a local error page: nothing here
// redirects to a URI that has not been verified (43). A pending request goes to the interaction
// side (login or consent page); reloading it before completion works. No CORS headers are ever
// sent, whatever the Origin (5).
#pragma once

#include <memory>

#include "authz/config.h"
#include "authz/interaction.h"
#include "net/http.h"

namespace gridgate::authz {

class AuthorizeEndpoint {
 public:
  AuthorizeEndpoint(AuthorizationFlow& flow, std::shared_ptr<const AuthzConfig> config)
      : flow_(flow), config_(std::move(config)) {}

  void setInteraction(std::shared_ptr<Interaction> interaction) {
    interaction_ = std::move(interaction);
  }

  // Blocking (reads the store): run on the blocking pool.
  net::Response handle(const net::Request& request) const;

 private:
  AuthorizationFlow& flow_;
  std::shared_ptr<const AuthzConfig> config_;
  std::shared_ptr<Interaction> interaction_;
};

}  // namespace gridgate::authz
