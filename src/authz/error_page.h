// The local HTML error page of the protocol side's browser endpoint (GET /authorize): shown when
// the request cannot be tied to a client's verified redirect URI, so that the browser is never
// redirected (FAPI-CHECKLIST 43). Rendered by the interaction side's page renderer (authz/ui
// pages.h: escaped, strict CSP, frame-ancestors 'none').
//
//   return localErrorPage(400, "This sign-in link cannot be used", "It has expired.", brand);
#pragma once

#include <string_view>

#include "net/http.h"

namespace gridgate::authz {

// `title` and `message` are plain text in words a person understands; never an internal detail.
net::Response localErrorPage(int status, std::string_view title, std::string_view message,
                             std::string_view provider_name);

}  // namespace gridgate::authz
