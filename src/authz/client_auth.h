// Client authentication at the back-channel endpoints (PAR, token, introspection, revocation,
// permissions): RFC 8705 tls_client_auth and self_signed_tls_client_auth, RFC 7523
// private_key_jwt. Nothing secret-based, and no public clients (FAPI 2.0 5.3.3.4).
//
//   GG_TRY(ClientAuthenticator auth, ClientAuthenticator::create(config, store, clock));
//   OAuthResult<AuthenticatedClient> who = auth.authenticate(req, form);
//   if (!who) return renderOAuthError(who.error(), req);       // 401 invalid_client
//   who->client->client_id;  who->thumbprint();                 // bind tokens to this certificate
//
// Rules, in order (each failure is invalid_client unless noted):
//   - an Authorization header (client_secret_basic), a client_secret parameter
//     (client_secret_post) or an HMAC-signed assertion (client_secret_jwt) is refused
//     (FAPI-CHECKLIST 13);
//   - client_id is required (FAPI-CHECKLIST 21), except that a private_key_jwt assertion may
//     carry it alone; a client_id and an assertion naming another client are refused;
//   - every request on the mTLS listener carries a verified certificate: the one tokens get bound
//     to;
//   - tls_client_auth: the certificate chains to the configured client CA at `now` (and is not
//     revoked when a CRL is configured), its single SAN URI equals the client_id (or its subject
//     DN equals the registered one: FAPI-CHECKLIST 19), and it holds the required IB1 role;
//   - self_signed_tls_client_auth: the certificate's public key is a key of the client's JWKS
//     (FAPI-CHECKLIST 20), and the certificate is within its validity;
//   - private_key_jwt: client_assertion_type jwt-bearer; the assertion verifies with a key of the
//     client's JWKS under PS256, ES256 or EdDSA only (FAPI-CHECKLIST 16); iss = sub = client_id;
//     aud = the issuer as a string (FAPI-CHECKLIST 14, 15); exp required and at most an hour
//     ahead; jti never seen before (remembered in the store's replay set until exp); iat/nbf per
//     the FAPI clock rule (FAPI-CHECKLIST 17, 18).
// A chain verification is cached per certificate thumbprint for a few minutes (TARGETS.md: never
// re-verify the same certificate on every request).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "authz/config.h"
#include "authz/oauth_error.h"
#include "core/clock.h"
#include "jose/jws.h"
#include "net/form.h"
#include "net/http.h"
#include "store/store.h"
#include "x509/trust_store.h"

namespace gridgate::authz {

struct AuthenticatedClient {
  const ClientConfig* client = nullptr;
  ClientAuthMethod method = ClientAuthMethod::kTlsClientAuth;
  std::shared_ptr<const net::ClientCertificate> certificate;  // presented on this request

  // x5t#S256 of the certificate (empty without one).
  const std::string& thumbprint() const;
};

class ClientAuthenticator {
 public:
  static constexpr std::string_view kJwtBearer =
      "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

  // Loads the client CA (and CRL) of the configuration and builds each private_key_jwt client's
  // verifier once.
  [[nodiscard]] static Result<std::shared_ptr<ClientAuthenticator>> create(
      std::shared_ptr<const AuthzConfig> config, std::shared_ptr<store::Store> store,
      const Clock& clock);

  // Blocking (the replay store): call on the blocking pool.
  [[nodiscard]] OAuthResult<AuthenticatedClient> authenticate(const net::Request& request,
                                                              const net::Form& form);

 private:
  ClientAuthenticator(std::shared_ptr<const AuthzConfig> config,
                      std::shared_ptr<store::Store> store, const Clock& clock)
      : config_(std::move(config)), store_(std::move(store)), clock_(clock) {}

  [[nodiscard]] OAuthResult<void> checkTlsClientAuth(const ClientConfig& client,
                                                     const net::ClientCertificate& cert);
  [[nodiscard]] OAuthResult<void> checkSelfSigned(const ClientConfig& client,
                                                  const net::ClientCertificate& cert);
  [[nodiscard]] OAuthResult<void> checkAssertion(const ClientConfig& client,
                                                 std::string_view assertion);
  // Chain verification against the client CA, cached per thumbprint.
  [[nodiscard]] Status verifyChainCached(const net::ClientCertificate& cert);

  std::shared_ptr<const AuthzConfig> config_;
  std::shared_ptr<store::Store> store_;
  const Clock& clock_;
  std::optional<x509::TrustStore> client_trust_;
  bool check_crl_ = false;
  std::map<std::string, jose::Verifier, std::less<>> assertion_verifiers_;

  struct CachedChain {
    bool ok = false;
    Error error;
    std::int64_t until = 0;
  };
  std::mutex cache_mu_;
  std::unordered_map<std::string, CachedChain> chain_cache_;
};

}  // namespace gridgate::authz
