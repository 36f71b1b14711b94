// The protocol side of the front channel: pushed authorization requests (RFC 9126) and their
// completion by the interaction side (authz/interaction.h).
//
//   Flow flow(ctx);
//   net::Response r = flow.par(req);                       // POST /par (mTLS), blocking
//   GG_TRY(PendingAuthorization p, flow.lookup(client_id, request_uri));   // GET /authorize
//   GG_TRY(std::string location, flow.approve(p, {.subject = sub, .auth_time = t, .scope = s}));
//
// PAR checks (each a 400 unless noted; FAPI-CHECKLIST 21-30): strict form without repeats; the
// client authenticated (401 invalid_client); no request_uri or request parameter inside;
// response_type=code (else unsupported_response_type); redirect_uri present, https (or http to a
// loopback host), registered or, for clients allowed to, any https URI; code_challenge present
// with code_challenge_method=S256; every scope allowed for the client (invalid_scope);
// authorization_details of the client's allowed types; state (<= 4096) and nonce (<= 512) kept
// exactly as sent. The answer: 201 {"request_uri": "urn:ietf:params:oauth:request_uri:<256 bits>",
// "expires_in": <par_lifetime>} (the stored lifetime itself).
//
// approve() consumes the request URI first (atomically: of two concurrent completions one wins),
// then writes the grant and the code durably, and only then returns the redirect: a consent
// acknowledged to the user survives a crash. The code is 256 random bits, lives code_lifetime
// (<= 60 s), and is bound to the client, the redirect URI and the PKCE challenge.
#pragma once

#include <string>
#include <string_view>

#include "authz/context.h"
#include "authz/interaction.h"
#include "net/http.h"

namespace gridgate::authz {

inline constexpr std::string_view kRequestUriPrefix = "urn:ietf:params:oauth:request_uri:";

class Flow final : public AuthorizationFlow {
 public:
  explicit Flow(AuthzContext ctx) : ctx_(std::move(ctx)) {}

  // POST /par.
  net::Response par(const net::Request& request);

  [[nodiscard]] Result<PendingAuthorization> lookup(std::string_view client_id,
                                                    std::string_view request_uri) override;
  [[nodiscard]] Result<std::string> approve(const PendingAuthorization& pending,
                                            const ConsentDecision& decision) override;
  [[nodiscard]] Result<std::string> deny(const PendingAuthorization& pending) override;

 private:
  AuthzContext ctx_;
};

}  // namespace gridgate::authz
