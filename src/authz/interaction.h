// The seam between the OAuth protocol side of the authorization server (PAR, /authorize, codes,
// tokens) and the user-interaction side (login, consent, the built-in pages or an external
// login/consent service).
//
//   // protocol side, GET /authorize?client_id=...&request_uri=...
//   GG_TRY(PendingAuthorization pending, flow.lookup(client_id, request_uri));
//   return interaction.begin(req, pending);             // login page, or consent if logged in
//
//   // interaction side, POST /consent (CSRF-checked, user logged in)
//   GG_TRY(PendingAuthorization pending, flow.lookup(client_id, request_uri));
//   GG_TRY(std::string location, approved ? flow.approve(pending, decision)
//                                          : flow.deny(pending));
//   return net::Response::redirect303(location);
//
// lookup() may be called any number of times while the request is pending (reloading the page
// before login or consent finishes works: FAPI-CHECKLIST 34); approve() and deny() consume the
// request URI atomically, so a completed authorization cannot be replayed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "net/http.h"
#include "store/records.h"

namespace gridgate::authz {

struct ClientConfig;

// A pushed authorization request that a browser has brought to /authorize and that is still
// pending (known, not expired, not consumed, pushed by this client_id).
struct PendingAuthorization {
  std::string request_uri;       // as the browser presented it (never logged, never stored raw)
  std::string request_uri_hash;  // sha256Hex(request_uri): the store key
  store::ParRecord par;
  const ClientConfig* client = nullptr;  // owned by the immutable configuration
};

// What the user agreed to.
struct ConsentDecision {
  std::string subject;         // the logged-in user's `sub`
  std::int64_t auth_time = 0;  // when the user authenticated
  std::string scope;           // granted scope: a subset of the pushed scope
};

// Implemented by the protocol side.
class AuthorizationFlow {
 public:
  virtual ~AuthorizationFlow() = default;
  // kNotFound (unknown request URI or client), kExpired, kAlreadyUsed, kForbidden (pushed by
  // another client). The caller shows a local error page: never a redirect (FAPI-CHECKLIST 43).
  [[nodiscard]] virtual Result<PendingAuthorization> lookup(std::string_view client_id,
                                                            std::string_view request_uri) = 0;
  // Creates the grant (durably) and the code, consumes the request URI, and returns the redirect
  // URL to the client: redirect_uri?code=...&state=...&iss=...
  [[nodiscard]] virtual Result<std::string> approve(const PendingAuthorization& pending,
                                                    const ConsentDecision& decision) = 0;
  // Consumes the request URI and returns redirect_uri?error=access_denied&state=...&iss=...
  [[nodiscard]] virtual Result<std::string> deny(const PendingAuthorization& pending) = 0;
};

// Implemented by the interaction side (built-in pages, or the external login/consent mode).
class Interaction {
 public:
  virtual ~Interaction() = default;
  // Answers GET /authorize for a pending request: the login page, the consent page when a login
  // session exists, or a redirect to the external login service.
  [[nodiscard]] virtual net::Response begin(const net::Request& request,
                                            const PendingAuthorization& pending) = 0;
};

}  // namespace gridgate::authz
