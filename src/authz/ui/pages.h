// The HTML pages a person sees (DESIGN.md "Pages a person sees"), rendered from the templates in
// web/ with auto-escaping, and the headers every page carries.
//
//   // a local error page (FAPI-CHECKLIST 43: an unverifiable redirect never redirects)
//   return ui::errorPage(400, "This link cannot be used",
//                        "The sign-in link is incomplete or has expired.");
//
//   // a page of the interaction side
//   GG_TRY(TrustedHtml body, pages().render("consent.html", ctx));
//   return ui::pageResponse(200, pages().layout("Allow access?", body, brand), csp);
//
// Every page response has: Content-Type text/html; charset=utf-8, a strict Content-Security-Policy
// (default-src 'none'; the inlined stylesheet allowed by its hash; form-action 'self' plus, on the
// consent page, the origin of the client's redirect URI, because browsers apply form-action to the
// redirect that follows a form submission; frame-ancestors 'none'; base-uri 'none'),
// X-Frame-Options: DENY, Cache-Control: no-store, Referrer-Policy: no-referrer and
// X-Content-Type-Options: nosniff. No page loads or needs a script.
#pragma once

#include <string>
#include <string_view>

#include "authz/ui/template.h"
#include "core/result.h"
#include "net/http.h"

namespace gridgate::authz::ui {

// Who the pages speak for (the data provider's name in the header, the title and the text).
struct PageBrand {
  std::string provider_name = "Energy data provider";
};

// A local HTML error page: `title` and `message` are plain text (escaped), in words a person
// understands; never an internal detail. Usable from any thread.
net::Response errorPage(int status, std::string_view title, std::string_view message,
                        const PageBrand& brand = {});

// The Content-Security-Policy of the pages. `extra_form_action` (an origin such as
// "https://client.example:8443") is added to form-action when it is a well-formed http(s) origin
// and ignored otherwise (it comes from a client's redirect URI).
std::string contentSecurityPolicy(std::string_view extra_form_action = {});

// The origin ("https://host:port") of an http(s) URL, or "" if the URL has none that can be put
// into a CSP source list.
std::string originOf(std::string_view url);

// The parsed templates of web/, shared by every page. Parsed once, at first use; a template that
// does not parse is a build defect and aborts at start-up (the unit tests parse each one).
class Pages {
 public:
  // Renders web/<name> with `context` (the brand's provider name is set as "provider").
  [[nodiscard]] Result<TrustedHtml> render(std::string_view name, Context context,
                                           const PageBrand& brand) const;
  // The whole document: layout.html around `content`.
  [[nodiscard]] Result<std::string> document(std::string_view title, const TrustedHtml& content,
                                             const PageBrand& brand) const;
  // The page as a response with the headers above.
  [[nodiscard]] Result<net::Response> page(int status, std::string_view name,
                                           std::string_view title, Context context,
                                           const PageBrand& brand,
                                           std::string_view extra_form_action = {}) const;

  struct Impl;
  explicit Pages(const Impl* impl) : impl_(impl) {}

 private:
  const Impl* impl_;
};

const Pages& pages();

// Sets the page headers (CSP, framing, caching, referrer, sniffing) on a response.
void applyPageHeaders(net::Response& response, std::string_view csp);

}  // namespace gridgate::authz::ui
