// The cookies of the login pages: parsing the Cookie header and writing Set-Cookie.
//
//   auto sid = cookieValue(req.headers, "__Host-gridgate-session");
//   resp.headers.add("Set-Cookie", setCookie("__Host-gridgate-session", id, Seconds(28800)));
//   resp.headers.add("Set-Cookie", clearCookie("__Host-gridgate-session"));
//
// Every cookie is `__Host-` prefixed, Secure, HttpOnly, SameSite=Lax and Path=/ with no Domain: the
// browser then refuses it from plain HTTP and from sibling subdomains (no cookie tossing), no
// script can read it, and it is not sent on cross-site POSTs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "net/http.h"

namespace gridgate::authz::ui {

// The value of cookie `name`; nullopt if absent, or if it appears more than once (a duplicate
// can only be planted, so neither value is trusted).
std::optional<std::string> cookieValue(const net::Headers& headers, std::string_view name);

// "name=value; Max-Age=N; Path=/; Secure; HttpOnly; SameSite=Lax"
std::string setCookie(std::string_view name, std::string_view value, Seconds max_age);
// The same attributes with an empty value and Max-Age=0: the browser deletes the cookie.
std::string clearCookie(std::string_view name);

}  // namespace gridgate::authz::ui
