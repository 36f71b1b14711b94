// The authorization server's configuration: [authz], its listeners and its clients, parsed once
// from the TOML document into immutable structs shared as shared_ptr<const AuthzConfig>.
//
//   GG_TRY(config::Document doc, config::Document::loadFile(path));
//   GG_TRY(std::shared_ptr<const AuthzConfig> cfg, parseAuthzConfig(doc));
//   const ClientConfig* client = cfg->clients.find(client_id);   // nullptr when unknown
//
// Issuer and endpoint URLs come only from here, never from a request's Host or scheme.
//
// [authz]
//   issuer = "https://auth.example"              # exact; `iss` of every token and redirect
//   provider_name = "Perseus Demo Energy"        # shown on pages
//   public_base_url = "https://auth.example"     # authorize, login, consent, evidence, JWKS
//   mtls_base_url = "https://mtls.auth.example"  # PAR, token, introspect, revoke, permissions...
//   resource_audiences = ["https://api.example"] # `aud` of access tokens
//   trust_framework = "https://registry.core.trust.ib1.org/trust-framework"
//   access_token_lifetime = "5m"     # FAPI-CHECKLIST 54: <= 10 min
//   id_token_lifetime = "5m"
//   code_lifetime = "60s"            # FAPI-CHECKLIST 39: <= 60 s
//   par_lifetime = "90s"             # FAPI-CHECKLIST 22: 30 s <= x < 600 s
//   grant_lifetime = "365d"          # permission `expires`
//   data_history = "365d"            # `dataAvailableFrom` = grant time - data_history
//   refresh_token_rotation = false   # FAPI-CHECKLIST 56: not rotated by default
//   refresh_token_grace = "60s"      # a rotated token stays usable this long
//   refresh_token_cert_binding = true   # refresh only with the certificate it was issued to
//   client_ca = "client-verify-bundle.pem"   # tls_client_auth: chains here (issuer + root)
//   client_crl = "client-crl.pem"            # optional
//   required_role = "<registry>/scheme/perseus/role/carbon-accounting-provider"   # default
// [authz.signing]
//   alg = "ES256"                    # or PS256 (FAPI-CHECKLIST 58)
//   key_file = ""                    # optional PKCS#8 PEM; otherwise generated into the store
//   rotation_delay = "24h"           # `gridgate keys rotate`: published now, signs after this
// [authz.messages]                   # IB1 revocation messages (mTLS to the client)
//   cert_chain = "provider-client-bundle.pem"
//   key = "provider-client-key.pem"
//   ca_file = "server-ca.pem"        # trust for the clients' servers; empty: system store
//   retry_base = "5s"
//   retry_max = "1h"
//   poll_interval = "2s"             # how often the outbox is checked for due messages
// [authz.listeners.public] / [authz.listeners.mtls]   (config/listener.h)
// [[authz.clients]]
//   client_id = "https://directory.core.trust.ib1.org/a/demo-accounting"   # application URL
//   display_name = "Demo Carbon Accounting"
//   auth_method = "tls_client_auth"  # | self_signed_tls_client_auth | private_key_jwt
//   required_role = "..."            # default [authz].required_role; "" for none
//   subject_dn = ""                  # tls_client_auth: match the subject DN instead of SAN URI
//   jwks = '{"keys": [...]}'         # or jwks_file: self_signed_tls_client_auth, private_key_jwt
//                                    # (self-signed: x5c = the certificate, self-signed with
//                                    # basicConstraints CA:TRUE so the handshake can anchor it)
//   scopes = ["<licence URL>", "offline_access", "openid"]
//   redirect_uris = ["https://client.example/callback"]
//   allow_any_https_redirect_uri = false   # any https URI when pushed through authenticated PAR
//   message_delivery_url = "https://client.example/messages"
//   introspect_any_token = false     # a resource server: may introspect every client's tokens
//   authorization_details_types = [] # RFC 9396 types it may push; empty: parameter refused
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/document.h"
#include "config/listener.h"
#include "core/clock.h"
#include "core/result.h"
#include "jose/alg.h"
#include "jose/jwks.h"

namespace gridgate::authz {

// How a client authenticates (FAPI 2.0: no shared secrets, no public clients).
enum class ClientAuthMethod {
  kTlsClientAuth,            // RFC 8705 2.1: CA-issued certificate, SAN URI (or DN) = client
  kSelfSignedTlsClientAuth,  // RFC 8705 2.2: certificate whose key is in the client's JWKS
  kPrivateKeyJwt,            // RFC 7523 assertion signed with a key of the client's JWKS
};
std::string_view authMethodName(ClientAuthMethod m);

struct ClientConfig {
  std::string client_id;     // the application URL (https)
  std::string display_name;  // shown on the consent and evidence pages
  ClientAuthMethod auth_method = ClientAuthMethod::kTlsClientAuth;
  std::string required_role;  // IB1 role the certificate must hold; empty: none
  std::string subject_dn;     // tls_client_auth by DN (RFC 4514, as x509 prints it); empty: SAN
  std::optional<jose::Jwks> jwks;  // self_signed_tls_client_auth and private_key_jwt
  // PEM certificates of the client's JWKS x5c members (self_signed_tls_client_auth): the mTLS
  // listener must trust them to complete the handshake.
  std::vector<std::string> self_signed_certificates_pem;
  std::vector<std::string> scopes;  // allowed: licence URLs, offline_access, openid
  std::vector<std::string> redirect_uris;
  bool allow_any_https_redirect_uri = false;
  std::string message_delivery_url;  // empty: no revocation messages
  bool introspect_any_token = false;
  // RFC 9396 authorization_details types this client may push; empty: the parameter is refused.
  std::vector<std::string> authorization_details_types;

  bool allowsScope(std::string_view scope) const;
};

// The registered clients, by client_id. Immutable after parsing.
class ClientRegistry {
 public:
  ClientRegistry() = default;
  explicit ClientRegistry(std::vector<ClientConfig> clients);
  const ClientConfig* find(std::string_view client_id) const;
  const std::vector<ClientConfig>& all() const { return clients_; }

 private:
  std::vector<ClientConfig> clients_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

struct SigningConfig {
  jose::Alg alg = jose::Alg::kES256;
  std::filesystem::path key_file{};  // optional PKCS#8 PEM
  Seconds rotation_delay{24 * 3600};
};

struct MessagesConfig {
  std::filesystem::path cert_chain{};  // the provider's own client certificate (mTLS)
  std::filesystem::path key{};
  std::filesystem::path ca_file{};  // empty: the system store
  Seconds retry_base{5};
  Seconds retry_max{3600};
  Seconds poll_interval{2};
};

struct AuthzConfig {
  std::string issuer;
  std::string provider_name = "Energy data provider";  // who the pages speak for
  std::string public_base_url;
  std::string mtls_base_url;
  std::vector<std::string> resource_audiences;
  std::string trust_framework = "https://registry.core.trust.ib1.org/trust-framework";

  Seconds access_token_lifetime{300};
  Seconds id_token_lifetime{300};
  Seconds code_lifetime{60};
  Seconds par_lifetime{90};
  Seconds grant_lifetime{365 * 24 * 3600};
  Seconds data_history{365 * 24 * 3600};
  bool refresh_token_rotation = false;
  Seconds refresh_token_grace{60};
  bool refresh_token_cert_binding = true;

  std::filesystem::path client_ca;  // tls_client_auth trust anchors (PEM)
  std::filesystem::path client_crl;
  std::string required_role;

  SigningConfig signing;
  MessagesConfig messages;
  config::ListenerSection public_listener;
  config::ListenerSection mtls_listener;
  ClientRegistry clients;

  // Endpoint URLs, derived from the base URLs (never from a request).
  std::string authorizationEndpoint() const { return public_base_url + "/authorize"; }
  std::string jwksUri() const { return public_base_url + "/jwks"; }
  std::string evidenceUrl(std::string_view evidence_id) const {
    return public_base_url + "/evidence/" + std::string(evidence_id);
  }
  std::string parEndpoint() const { return mtls_base_url + "/par"; }
  std::string tokenEndpoint() const { return mtls_base_url + "/token"; }
  std::string introspectionEndpoint() const { return mtls_base_url + "/introspect"; }
  std::string revocationEndpoint() const { return mtls_base_url + "/revoke"; }
  std::string permissionEndpoint() const { return mtls_base_url + "/permissions"; }
  std::string userinfoEndpoint() const { return mtls_base_url + "/userinfo"; }
};

// Parses [authz] (with its listeners, signing, messages and clients) and checks it: URLs https,
// lifetimes in their FAPI bounds, client ids well-formed and unique, auth methods allowed.
[[nodiscard]] Result<std::shared_ptr<const AuthzConfig>> parseAuthzConfig(
    const config::Document& doc);

}  // namespace gridgate::authz
