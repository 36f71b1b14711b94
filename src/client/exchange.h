// A record of one HTTP request and its response, for showing a flow step by step (the sandbox's
// demo page, `gridgate client flow --trace`) and for error messages.
//
//   Trace trace;
//   GG_TRY(auto par, client.pushAuthorizationRequest({}, &trace));
//   for (const Exchange& x : trace) render(x.toJson());
//
// What is recorded is what went over the wire, except: Authorization, Cookie and Set-Cookie values
// are replaced by "<redacted N chars>", and form fields the caller marks secret (the user's
// password) likewise. Tokens, codes and the PKCE verifier in bodies are kept: showing them is the
// point of a demo. Treat a trace as secret material; the CLI prints one only when asked.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "net/client.h"

namespace gridgate::client {

struct Exchange {
  std::string method{};
  std::string url{};
  std::vector<std::pair<std::string, std::string>> request_headers{};
  std::string request_body{};
  int status = 0;  // 0: no response (the error says why)
  std::vector<std::pair<std::string, std::string>> response_headers{};
  std::string response_body{};
  std::string error{};  // transport failure
  std::int64_t duration_ms = 0;

  Json toJson() const;
};

using Trace = std::vector<Exchange>;

// Header values that are never recorded as sent.
bool isSecretHeader(std::string_view name);

// Builds the record of `request` and its outcome. `secret_fields` names form fields of the
// request body to redact.
Exchange recordExchange(const net::ClientRequest& request,
                        const Result<net::ClientResponse>& response, std::int64_t duration_ms,
                        const std::vector<std::string>& secret_fields = {});

}  // namespace gridgate::client
