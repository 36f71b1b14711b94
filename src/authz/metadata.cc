#include "authz/metadata.h"

#include <set>

#include "authz/scope.h"

namespace gridgate::authz {

Json authorizationServerMetadata(const AuthzConfig& cfg) {
  const Json auth_methods = {"tls_client_auth", "self_signed_tls_client_auth", "private_key_jwt"};
  const Json assertion_algs = {"PS256", "ES256", "EdDSA"};
  const Json signing_alg = {std::string(jose::algName(cfg.signing.alg))};
  std::set<std::string> scopes{std::string(kScopeOpenid), std::string(kScopeOfflineAccess)};
  for (const ClientConfig& c : cfg.clients.all()) scopes.insert(c.scopes.begin(), c.scopes.end());

  Json m = Json::object();
  m["issuer"] = cfg.issuer;
  m["authorization_endpoint"] = cfg.authorizationEndpoint();
  m["pushed_authorization_request_endpoint"] = cfg.parEndpoint();
  m["require_pushed_authorization_requests"] = true;
  m["token_endpoint"] = cfg.tokenEndpoint();
  m["introspection_endpoint"] = cfg.introspectionEndpoint();
  m["revocation_endpoint"] = cfg.revocationEndpoint();
  m["userinfo_endpoint"] = cfg.userinfoEndpoint();
  m["jwks_uri"] = cfg.jwksUri();
  m["ib1_permission_endpoint"] = cfg.permissionEndpoint();
  m["mtls_endpoint_aliases"] = {
      {"pushed_authorization_request_endpoint", cfg.parEndpoint()},
      {"token_endpoint", cfg.tokenEndpoint()},
      {"introspection_endpoint", cfg.introspectionEndpoint()},
      {"revocation_endpoint", cfg.revocationEndpoint()},
      {"userinfo_endpoint", cfg.userinfoEndpoint()},
      {"ib1_permission_endpoint", cfg.permissionEndpoint()},
  };
  m["response_types_supported"] = {"code"};
  m["response_modes_supported"] = {"query"};
  m["grant_types_supported"] = {"authorization_code", "refresh_token"};
  m["code_challenge_methods_supported"] = {"S256"};
  m["authorization_response_iss_parameter_supported"] = true;
  m["token_endpoint_auth_methods_supported"] = auth_methods;
  m["token_endpoint_auth_signing_alg_values_supported"] = assertion_algs;
  m["introspection_endpoint_auth_methods_supported"] = auth_methods;
  m["introspection_endpoint_auth_signing_alg_values_supported"] = assertion_algs;
  m["revocation_endpoint_auth_methods_supported"] = auth_methods;
  m["revocation_endpoint_auth_signing_alg_values_supported"] = assertion_algs;
  m["tls_client_certificate_bound_access_tokens"] = true;
  m["id_token_signing_alg_values_supported"] = signing_alg;
  m["introspection_signing_alg_values_supported"] = signing_alg;
  m["subject_types_supported"] = {"public"};
  m["claims_supported"] = {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name"};
  m["scopes_supported"] = Json(std::vector<std::string>(scopes.begin(), scopes.end()));
  m["request_parameter_supported"] = false;
  m["request_uri_parameter_supported"] = false;
  bool details = false;
  std::set<std::string> detail_types;
  for (const ClientConfig& c : cfg.clients.all()) {
    details = details || !c.authorization_details_types.empty();
    detail_types.insert(c.authorization_details_types.begin(), c.authorization_details_types.end());
  }
  if (details) {
    m["authorization_details_types_supported"] =
        Json(std::vector<std::string>(detail_types.begin(), detail_types.end()));
  }
  return m;
}

}  // namespace gridgate::authz
