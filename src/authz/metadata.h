// Authorization server metadata (RFC 8414), served at /.well-known/oauth-authorization-server and
// /.well-known/openid-configuration on the public listener; built once from the configuration
// (never from a request's Host: FAPI-CHECKLIST 8).
//
//   std::string body = dumpJson(authorizationServerMetadata(*config));
//
// FAPI-CHECKLIST 9: response_types_supported ["code"], code_challenge_methods_supported ["S256"],
// the PAR endpoint with require_pushed_authorization_requests, authorization_response_iss_
// parameter_supported, auth methods tls_client_auth / self_signed_tls_client_auth /
// private_key_jwt, tls_client_certificate_bound_access_tokens, signing algorithms PS256 / ES256 /
// EdDSA only. Checklist 7: the back-channel endpoints are mTLS-only and listed again in
// mtls_endpoint_aliases. Perseus: ib1_permission_endpoint.
#pragma once

#include "authz/config.h"
#include "core/json.h"

namespace gridgate::authz {

Json authorizationServerMetadata(const AuthzConfig& config);

}  // namespace gridgate::authz
