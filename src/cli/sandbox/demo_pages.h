// The pages of the sandbox's browser demo client (demo_client.h), server-rendered with the
// authorization server's escaping template engine (authz/ui/template.h) and its stylesheet plus a
// few rules of their own. No script; a strict Content-Security-Policy (the inlined stylesheet by
// its hash); readable from 320 px.
//
//   net::Response r = sandbox::startPage({.csrf = t, .provider = "Perseus Demo Energy", ...});
//   net::Response r = sandbox::resultPage(outcome_json, revoke_csrf, view);
//   GG_TRY(authz::ui::TrustedHtml svg, sandbox::readingsChart(readings_body_json));
//
// The result page renders the outcome JSON that DemoClient assembles (demo_client.cc says what
// each member holds); every value in it is escaped where it appears.
#pragma once

#include <string>
#include <string_view>

#include "authz/ui/template.h"
#include "core/json.h"
#include "core/result.h"
#include "net/http.h"

namespace gridgate::cli::sandbox {

struct PageView {
  std::string provider;          // the data provider's name ("Perseus Demo Energy")
  std::string client_name;       // the demo application's name
  std::string client_id;         // its application URL
  std::string authorize_origin;  // the AS's public origin: the start form's redirect goes there
};

// "eyJhbGciOiJFUzI1NiIs…(812 characters)…x3Fq": enough to recognise a secret, not to use it.
std::string abbreviate(std::string_view secret);

// A line chart (an area per run of measured half hours, missing reads marked) of the `data`
// readings of a resource server readings response, with day gridlines and a Wh axis.
// kMalformed when the body has no readings array.
[[nodiscard]] Result<authz::ui::TrustedHtml> readingsChart(const Json& readings_body);

// The Content-Security-Policy of every demo page.
std::string demoContentSecurityPolicy(std::string_view authorize_origin);

// GET /: what the demo does, and the button that starts it. `last_result`: a link to the result
// of this browser's previous run.
net::Response startPage(const PageView& view, std::string_view csrf, bool last_result);
// GET /result: the steps of `outcome`; `revoke_csrf` for the Revoke button.
net::Response resultPage(const PageView& view, const Json& outcome, std::string_view revoke_csrf);
// A page that says what went wrong, in words, with a link back to the start.
net::Response errorPage(const PageView& view, int status, std::string_view title,
                        std::string_view message);

}  // namespace gridgate::cli::sandbox
