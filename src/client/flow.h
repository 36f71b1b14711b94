// The whole FAPI flow, non-interactively: what `gridgate client flow` runs, what the tests check,
// and the step list the sandbox's demo page can render.
//
//   FlowOptions o{.username = "alice", .password = pw};
//   FlowResult r = runFlow(*client, o);              // never throws; stops at the first failure
//   for (const FlowStep& s : r.steps) show(s.name, s.status, s.data, s.exchanges);
//   std::cout << dumpJson(r.toJson({.secrets = false}));   // --json: no tokens unless asked
//
// Steps, in order (each with its HTTP exchanges):
//   discovery    RFC 8414 metadata, issuer checked
//   par          PAR with PKCE S256, state, nonce; the authorization URL
//   authorize    the user agent: GET the authorization URL, log in, consent (user_agent.h)
//   callback     redirect URI, iss and state checked; access_denied stops the flow here
//   token        code + verifier at the token endpoint
//   id_token     signature against the JWKS, iss, aud, nonce, exp (skipped without openid)
//   datasources  GET /datasources (skipped without a resource URL)
//   readings     GET /datasources/{first}/{first measure}?from&to (or FlowOptions::resource_path)
//   provenance   the readings' record verified (skipped without a signing CA)
//   permissions  the permission record for the refresh token (skipped without one)
// A step that cannot run because of configuration is `skipped` with the reason; the first
// failing step ends the flow (`failed`, with the error) and `ok` is false.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/exchange.h"
#include "client/fapi_client.h"
#include "client/user_agent.h"
#include "core/json.h"

namespace gridgate::client {

struct FlowOptions {
  std::string username{};
  std::string password{};
  Consent consent = Consent::kAllow;
  ParOptions par{};
  // Empty: /datasources, then the readings of its first meter and measure.
  std::string resource_path{};
  // Readings period (YYYY-MM-DD); empty: the seven days before today (UTC).
  std::string from{};
  std::string to{};
};

enum class StepStatus { kOk, kFailed, kSkipped };
std::string_view stepStatusName(StepStatus s);

struct FlowStep {
  std::string name{};
  StepStatus status = StepStatus::kOk;
  std::string detail{};  // the error, or why the step was skipped
  Json data{};           // what the step produced, without secrets
  Json secrets{};        // tokens, code, verifier: shown only when asked
  Trace exchanges{};     // its HTTP exchanges (Exchange.h: secrets inside)
  std::int64_t duration_ms = 0;
};

struct FlowResult {
  bool ok = false;
  std::string error{};  // the failing step's detail
  Errc error_code = Errc::kInternal;
  std::vector<FlowStep> steps{};
  std::optional<AuthorizationRequest> request{};
  std::optional<TokenResponse> tokens{};

  struct JsonOptions {
    bool secrets = false;    // tokens, code, verifier, state, nonce
    bool exchanges = false;  // the HTTP exchanges of each step (they hold secrets too)
  };
  Json toJson(const JsonOptions& options) const;
  const FlowStep* step(std::string_view name) const;
};

FlowResult runFlow(FapiClient& client, const FlowOptions& options);

}  // namespace gridgate::client
