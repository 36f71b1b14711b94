// The FAPI 2.0 client: discovery, PAR with PKCE, the authorization response, the token endpoint,
// introspection, revocation, the Perseus permission record, userinfo, ID tokens, resource calls
// with provenance checks. Every back-channel call goes over mTLS with the client's certificate;
// tokens are certificate-bound Bearer tokens.
//
//   ClientOptions o;
//   o.issuer = "https://localhost:8000";                  // AUTHENTICATION_API
//   o.cert_chain_file = "client-demo-bundle.pem";  o.key_file = "client-demo-key.pem";
//   o.ca_file = "server-ca.pem";
//   o.redirect_uri = "https://127.0.0.1:8020/callback";
//   o.resource_base_url = "https://localhost:8010";       // RESOURCE_API
//   GG_TRY(auto client, FapiClient::create(o));           // client_id: the certificate's SAN URI
//
//   // A web client (the sandbox's demo page): one user-agent session per browser.
//   Trace trace;                                             // optional: each step's HTTP exchange
//   GG_TRY(AuthorizationRequest req, client->pushAuthorizationRequest({}, &trace));
//   session.save(req);              // verifier, state, nonce: bound to THIS browser's session
//   redirect(req.authorization_url);                        // only client_id + request_uri
//   ... GET /callback?code&state&iss:
//   GG_TRY(AuthorizationResponse r, client->checkCallback(callback_url, session.request()));
//   if (!r.ok()) return show(r.error);                       // access_denied
//   GG_TRY(TokenResponse t, client->exchangeCode(r.code, session.request(), &trace));
//   GG_TRY(IdToken id, client->verifyIdToken(t.id_token, session.request().nonce));
//   GG_TRY(ResourceResponse data, client->getResource("/datasources", t.access_token));
//   GG_TRY(ProvenanceReport p, client->verifyProvenance(readings, {.interaction_id = ...}));
//   GG_TRY(Json permission, client->permissions(t.refresh_token));
//
//   // Everything at once, non-interactively (flow.h): client->runFlow({...}).
//
// A FapiClient is safe to share between threads (the sandbox serves many browsers with one):
// its state is the immutable options, two HTTP clients, and the discovered metadata and JWKS
// behind a mutex. Errors name the endpoint and the server's OAuth error; they are meant for the
// operator of the client (they hold no secret).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/callback.h"
#include "client/exchange.h"
#include "client/metadata.h"
#include "client/pkce.h"
#include "client/tokens.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "jose/jwk.h"
#include "jose/jwks.h"
#include "net/client.h"
#include "provenance/verifier.h"

namespace gridgate::client {

inline constexpr std::string_view kPerseusLicence =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05";
// The default scope: the licence, a refresh token, an ID token.
inline constexpr std::string_view kDefaultScope =
    "https://registry.core.trust.ib1.org/scheme/perseus/licence/energy-consumption-data/2024-12-05"
    " offline_access openid";

enum class AuthMethod {
  kTlsClientAuth,  // RFC 8705: the certificate is the credential (client_id in the body)
  kPrivateKeyJwt,  // RFC 7523 assertion (and still mTLS: tokens are certificate-bound)
};

struct ClientOptions {
  std::string issuer{};           // exact; metadata must say the same
  std::string client_id{};        // empty: the single SAN URI of the client certificate
  std::string cert_chain_file{};  // PEM, leaf first (leaf + issuer)
  std::string key_file{};         // its private key
  std::string ca_file{};          // trust for the servers' TLS; empty: the system store
  std::string redirect_uri{};     // default for PAR
  std::string scope = std::string(kDefaultScope);
  AuthMethod auth = AuthMethod::kTlsClientAuth;
  std::optional<jose::Jwk> assertion_key{};  // private_key_jwt: a private key (ES256/PS256/EdDSA)
  std::string resource_base_url{};           // for getResource() with a path
  std::string signing_ca_pem{};  // provenance: the signing root(s); empty: verifyProvenance fails
  const Clock* clock = nullptr;  // null: SystemClock
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds request_timeout{20000};
};

// What a PAR produced. Keep it with the user-agent session that will come back to the redirect
// URI (FAPI-CHECKLIST 87): the verifier, state and nonce are that session's secrets.
struct AuthorizationRequest {
  std::string authorization_url{};  // authorization_endpoint?client_id=..&request_uri=.. (86)
  std::string request_uri{};
  std::int64_t expires_in = 0;
  std::string client_id{};
  std::string redirect_uri{};
  std::string scope{};
  std::string state{};
  std::string nonce{};
  Pkce pkce{};
  Json par_response{};

  Json toJson() const;  // everything, the verifier included (a session store may use it)
  [[nodiscard]] static Result<AuthorizationRequest> fromJson(const Json& j);
};

struct ParOptions {
  std::string scope{};         // empty: ClientOptions::scope
  std::string redirect_uri{};  // empty: ClientOptions::redirect_uri
  // More parameters (authorization_details, prompt, ...). The client's own parameters
  // (client_id, response_type, state, nonce, code_challenge...) cannot be overridden.
  std::vector<std::pair<std::string, std::string>> extra{};
};

struct IdToken {
  Json header{};
  Json claims{};
};

struct ResourceResponse {
  std::string url{};
  int status = 0;
  std::string interaction_id{};  // sent, and echoed by the server
  std::string content_type{};
  std::string body{};
  std::optional<Json> json{};  // when the body is JSON
};

struct ProvenanceExpectations {
  std::string interaction_id{};  // transfer.transaction must equal it (when set)
  std::string measure{};         // transfer.parameters.measure (when set)
  std::string from{};            // transfer.parameters.from / to (when set)
  std::string to{};
};

struct ProvenanceReport {
  provenance::VerifiedRecord record{};
  Json summary{};  // signers, steps (decoded), the transfer's facts
};

// An unverified look inside a JWT (for display only: the access token is for the resource server,
// which verifies it).
struct DecodedJwt {
  Json header{};
  Json claims{};
};
[[nodiscard]] Result<DecodedJwt> decodeJwtUnverified(std::string_view jwt);

class FapiClient {
 public:
  // Loads the certificate (and derives client_id from it), checks the options; no network I/O.
  [[nodiscard]] static Result<std::unique_ptr<FapiClient>> create(ClientOptions options);
  ~FapiClient();
  FapiClient(const FapiClient&) = delete;
  FapiClient& operator=(const FapiClient&) = delete;

  const ClientOptions& options() const { return options_; }
  const std::string& clientId() const { return options_.client_id; }
  const Clock& clock() const { return *options_.clock; }
  // The mTLS HTTP client (the client certificate) and the user agent's (none).
  net::HttpClient& mtlsHttp() { return *mtls_; }
  net::HttpClient& browserHttp() { return *browser_; }

  // RFC 8414 then OpenID discovery, once; later calls return the cached metadata. kInvalidClaim
  // when the metadata's issuer is not the configured one (FAPI-CHECKLIST 85).
  [[nodiscard]] Result<ServerMetadata> discover(Trace* trace = nullptr);
  // Fetches again (after a configuration change at the server).
  [[nodiscard]] Result<ServerMetadata> rediscover(Trace* trace = nullptr);

  // POST the PAR endpoint (mTLS, plus a client assertion for private_key_jwt) with a fresh PKCE
  // verifier, state and nonce.
  [[nodiscard]] Result<AuthorizationRequest> pushAuthorizationRequest(const ParOptions& par = {},
                                                                      Trace* trace = nullptr);
  // The redirect back: redirect URI, iss and state checked (callback.h).
  [[nodiscard]] Result<AuthorizationResponse> checkCallback(std::string_view callback_url,
                                                            const AuthorizationRequest& request,
                                                            Trace* trace = nullptr);

  [[nodiscard]] Result<TokenResponse> exchangeCode(std::string_view code,
                                                   const AuthorizationRequest& request,
                                                   Trace* trace = nullptr);
  // The same with the parts only (the CLI's `token --code --verifier`).
  [[nodiscard]] Result<TokenResponse> exchangeCode(std::string_view code,
                                                   std::string_view code_verifier,
                                                   std::string_view redirect_uri,
                                                   Trace* trace = nullptr);
  // scope: empty keeps the grant's scope; otherwise it may only narrow it.
  [[nodiscard]] Result<TokenResponse> refresh(std::string_view refresh_token,
                                              std::string_view scope = {}, Trace* trace = nullptr);

  // RFC 7662 response ({"active": false} for a dead token is a normal result).
  [[nodiscard]] Result<Json> introspect(std::string_view token, std::string_view type_hint = {},
                                        Trace* trace = nullptr);
  // RFC 7009.
  [[nodiscard]] Status revoke(std::string_view token, std::string_view type_hint = {},
                              Trace* trace = nullptr);
  // The Perseus permission record for a refresh token: the body {"permission": {...}}.
  [[nodiscard]] Result<Json> permissions(std::string_view refresh_token, Trace* trace = nullptr);
  [[nodiscard]] Result<Json> userinfo(std::string_view access_token, Trace* trace = nullptr);

  // Signature against the AS's JWKS (fetched once from jwks_uri, refetched once for an unknown
  // kid), iss = the issuer, aud contains client_id, exp, iat, and nonce when `nonce` is given.
  [[nodiscard]] Result<IdToken> verifyIdToken(std::string_view id_token, std::string_view nonce,
                                              Trace* trace = nullptr);

  // GET a resource: `path_or_url` is a path ("/datasources") under resource_base_url, or a full
  // https URL. The token goes only in the Authorization header (92), over mTLS; a fresh
  // x-fapi-interaction-id is sent and must come back. Non-2xx answers are errors
  // (kUnauthenticated for 401, kForbidden for 403, ...) whose detail has the WWW-Authenticate
  // error.
  [[nodiscard]] Result<ResourceResponse> getResource(std::string_view path_or_url,
                                                     std::string_view access_token,
                                                     Trace* trace = nullptr);
  // Verifies the provenance record of a readings response (its `provenance` member, or a bare
  // record) against ClientOptions::signing_ca_pem: chain and signatures, the outermost signer
  // holds the energy-data-provider role, the transfer step is to this client (and, when given,
  // carries the interaction id and the asked measure and dates).
  [[nodiscard]] Result<ProvenanceReport> verifyProvenance(
      std::string_view response_body, const ProvenanceExpectations& expect = {}) const;

 private:
  FapiClient(ClientOptions options, std::unique_ptr<net::HttpClient> mtls,
             std::unique_ptr<net::HttpClient> browser);

  Result<net::ClientResponse> send(net::ClientRequest request, Trace* trace,
                                   const std::vector<std::string>& secret_fields = {});
  // POST a form to an endpoint with client authentication.
  Result<net::ClientResponse> postAuthenticated(
      Endpoint endpoint, std::vector<std::pair<std::string, std::string>> form, Trace* trace);
  Result<std::string> clientAssertion(const std::string& audience) const;
  Result<jose::Jwks> jwks(bool refetch, Trace* trace);

  ClientOptions options_{};
  std::unique_ptr<net::HttpClient> mtls_{};
  std::unique_ptr<net::HttpClient> browser_{};
  std::optional<provenance::Verifier> provenance_{};

  mutable std::mutex mu_;
  std::optional<ServerMetadata> metadata_{};
  std::optional<jose::Jwks> jwks_{};
  std::int64_t jwks_fetched_at_ = 0;
};

// Maps an OAuth error response ({"error": ..., "error_description": ...}) of `what` to an Error:
// invalid_client/unauthorized_client -> kUnauthenticated, access_denied -> kForbidden,
// invalid_grant -> kInvalidClaim, 5xx -> kUnavailable, anything else -> kInvalidArgument.
Error oauthError(std::string_view what, const net::ClientResponse& response);

}  // namespace gridgate::client
