// The body of a back-channel POST (PAR, token, introspection, revocation, permissions):
// application/x-www-form-urlencoded, parsed strictly, no parameter repeated (RFC 6749 3.1,
// FAPI-CHECKLIST 26).
//
//   OAuthResult<net::Form> form = requestForm(req);
//   if (!form) return renderOAuthError(form.error(), req);
#pragma once

#include "authz/oauth_error.h"
#include "net/form.h"
#include "net/http.h"

namespace gridgate::authz {

[[nodiscard]] OAuthResult<net::Form> requestForm(const net::Request& request);

// A parameter that must be present once and non-empty.
[[nodiscard]] OAuthResult<std::string> requiredParam(const net::Form& form, std::string_view name);

}  // namespace gridgate::authz
