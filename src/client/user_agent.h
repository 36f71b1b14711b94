// The browser part of a flow, played without a browser: GET the authorization URL, follow
// redirects, fill in the login form and press the consent page's button, until the server
// redirects to the client's redirect URI. For `gridgate client flow`, tests and the sandbox.
//
//   UserAgent ua(http_client, clock);             // an HttpClient WITHOUT a client certificate
//   BrowserLogin login{.username = "alice", .password = pw, .consent = Consent::kAllow};
//   GG_TRY(BrowserOutcome out, ua.authorize(par.authorization_url, par.redirect_uri, login,
//   &trace)); GG_TRY(AuthorizationResponse r, parseCallback(out.callback_url, ...));
//
// What a page asks for is read from the page (html_form.h): a form with a password input is a
// login form (the user name goes into its username input); a form with a submit button labelled
// or valued "Allow" (or Approve, Accept, Authorize, Grant, Continue) is a consent form, pressed
// with that button (or Deny, Decline, Reject, Cancel for Consent::kDeny). Hidden inputs,
// CSRF tokens, action URLs and cookies come from the pages and are sent back as a browser would.
// Nothing is sent to another origin than the page's except by following a redirect; the
// redirect to the redirect URI is not followed (its URL, with the code, is the outcome).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "client/cookie_jar.h"
#include "client/exchange.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/result.h"
#include "net/client.h"

namespace gridgate::client {

enum class Consent { kAllow, kDeny };

struct BrowserLogin {
  std::string username{};
  std::string password{};
  Consent consent = Consent::kAllow;
  std::size_t max_requests = 20;  // redirects and form posts together
};

// One page the user agent saw, for the flow's report.
struct PageVisit {
  std::string url{};  // without its query (which may carry request ids)
  int status = 0;
  std::string heading{};  // <h1> (or <title>)
  std::string action{};   // what the user agent did: "redirect", "login", "allow", "deny"
};

struct BrowserOutcome {
  std::string callback_url{};  // the redirect URI with the response parameters (code: a secret)
  std::vector<PageVisit> pages{};
  Json toJson() const;  // pages only
};

class UserAgent {
 public:
  UserAgent(net::HttpClient& http, const Clock& clock = SystemClock::instance())
      : http_(&http), jar_(clock) {}

  // kUnauthenticated when the login form comes back after the credentials were sent (wrong user
  // name or password), kForbidden when a page shows an error and no form to go on with,
  // kLimitExceeded after max_requests, kUnavailable for transport failures, kMalformed for a page
  // the user agent cannot act on (its heading and alerts are in the detail).
  [[nodiscard]] Result<BrowserOutcome> authorize(std::string_view authorization_url,
                                                 std::string_view redirect_uri,
                                                 const BrowserLogin& login, Trace* trace = nullptr);

  CookieJar& cookies() { return jar_; }

 private:
  Result<net::ClientResponse> send(net::Method method, const std::string& url,
                                   const std::vector<std::pair<std::string, std::string>>& form,
                                   const std::vector<std::string>& secret_fields, Trace* trace);

  net::HttpClient* http_{};
  CookieJar jar_{};
};

}  // namespace gridgate::client
