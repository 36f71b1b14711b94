#include "client/user_agent.h"

#include <chrono>

#include "client/html_form.h"
#include "client/url.h"
#include "net/form.h"

namespace gridgate::client {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string withoutQuery(const std::string& url) {
  auto u = Url::parse(url);
  return u ? u->withoutQuery() : url.substr(0, url.find('?'));
}

std::string describe(const HtmlPage& page, int status) {
  std::string d = "HTTP " + std::to_string(status);
  const std::string& heading = page.heading.empty() ? page.title : page.heading;
  if (!heading.empty()) d += ", page \"" + heading + "\"";
  for (const std::string& a : page.alerts) {
    if (!a.empty()) d += ": " + a;
  }
  return d;
}

const std::vector<std::string_view>& wordsFor(Consent c) {
  static const std::vector<std::string_view> kAllow{"allow",     "approve", "accept",  "authorize",
                                                    "authorise", "grant",   "continue"};
  static const std::vector<std::string_view> kDeny{"deny", "decline", "reject", "cancel"};
  return c == Consent::kAllow ? kAllow : kDeny;
}

}  // namespace

Json BrowserOutcome::toJson() const {
  Json arr = Json::array();
  for (const PageVisit& p : pages) {
    Json j = {{"url", p.url}, {"status", p.status}, {"action", p.action}};
    if (!p.heading.empty()) j["heading"] = p.heading;
    arr.push_back(std::move(j));
  }
  return arr;
}

Result<net::ClientResponse> UserAgent::send(net::Method method, const std::string& url,
                                            const Pairs& form,
                                            const std::vector<std::string>& secret_fields,
                                            Trace* trace) {
  net::ClientRequest req;
  req.method = method;
  req.url = method == net::Method::kGet ? appendQuery(url, form) : url;
  if (method == net::Method::kPost) {
    req.body = net::encodeForm(form);
    req.headers.add("Content-Type", "application/x-www-form-urlencoded");
  }
  req.headers.add("Accept", "text/html");
  if (auto cookie = jar_.header(req.url)) req.headers.add("Cookie", std::move(*cookie));
  const auto started = std::chrono::steady_clock::now();
  const net::ClientRequest sent = req;
  Result<net::ClientResponse> res = http_->send(std::move(req));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  if (trace != nullptr) trace->push_back(recordExchange(sent, res, ms, secret_fields));
  if (res) jar_.store(sent.url, res->headers);
  return res;
}

Result<BrowserOutcome> UserAgent::authorize(std::string_view authorization_url,
                                            std::string_view redirect_uri,
                                            const BrowserLogin& login, Trace* trace) {
  GG_TRY(const Url redirect, Url::parse(redirect_uri));
  BrowserOutcome out;
  std::string url(authorization_url);
  net::Method method = net::Method::kGet;
  Pairs form;
  std::vector<std::string> secret_fields;
  bool login_sent = false;
  bool consent_sent = false;

  for (std::size_t n = 0; n < login.max_requests; ++n) {
    auto res = send(method, url, form, secret_fields, trace);
    if (!res) {
      return fail(res.error().code, "user agent: " + withoutQuery(url) + ": " + res.error().detail);
    }
    PageVisit& visit = out.pages.emplace_back();
    visit.url = withoutQuery(url);
    visit.status = res->status;

    if (isRedirect(res->status)) {
      const auto location = res->headers.get("location");
      if (!location) return fail(Errc::kMalformed, "redirect without Location from " + visit.url);
      GG_TRY(std::string next, resolveUrl(url, *location));
      visit.action = "redirect";
      GG_TRY(const Url next_url, Url::parse(next));
      if (next_url.withoutQuery() == redirect.withoutQuery()) {
        out.callback_url = std::move(next);
        return out;
      }
      if (res->status != 307 && res->status != 308) {
        method = net::Method::kGet;
        form.clear();
        secret_fields.clear();
      }
      url = std::move(next);
      continue;
    }

    const auto type = res->headers.get("content-type").value_or("");
    if (type.find("text/html") == std::string_view::npos) {
      return fail(res->status >= 400 ? Errc::kForbidden : Errc::kMalformed,
                  "user agent: " + visit.url + " answered HTTP " + std::to_string(res->status) +
                      " without an HTML page");
    }
    GG_TRY(const HtmlPage page, parseHtml(res->body));
    visit.heading = page.heading.empty() ? page.title : page.heading;

    const HtmlForm* login_form = nullptr;
    for (const HtmlForm& f : page.forms) {
      if (f.passwordField() != nullptr) {
        login_form = &f;
        break;
      }
    }
    if (login_form != nullptr) {
      if (login_sent) {
        return fail(Errc::kUnauthenticated,
                    "the login was refused (" + describe(page, res->status) + ")");
      }
      const FormControl* password = login_form->passwordField();
      const FormControl* username = login_form->usernameField();
      if (username == nullptr || username->name.empty() || password->name.empty()) {
        return fail(Errc::kMalformed, "login form without a named user name and password input");
      }
      GG_TRY(std::string action, resolveUrl(url, login_form->action));
      GG_TRY(const Url action_url, Url::parse(action));
      GG_TRY(const Url page_url, Url::parse(url));
      // The password goes only back to the origin that asked for it.
      if (action_url.origin() != page_url.origin()) {
        return fail(Errc::kForbidden,
                    "the login form posts to another origin: " + action_url.origin() + " (page " +
                        page_url.origin() + ")");
      }
      form = formData(*login_form,
                      {{username->name, login.username}, {password->name, login.password}},
                      login_form->defaultSubmitter());
      secret_fields = {password->name};
      method = login_form->method == "post" ? net::Method::kPost : net::Method::kGet;
      url = std::move(action);
      visit.action = "login";
      login_sent = true;
      continue;
    }

    const HtmlForm* consent_form = nullptr;
    const FormControl* button = nullptr;
    for (const HtmlForm& f : page.forms) {
      if (const FormControl* b = f.submitterNamed(wordsFor(login.consent))) {
        consent_form = &f;
        button = b;
        break;
      }
    }
    if (consent_form != nullptr) {
      if (consent_sent) {
        return fail(Errc::kMalformed, "the consent page came back after the decision (" +
                                          describe(page, res->status) + ")");
      }
      GG_TRY(std::string action, resolveUrl(url, consent_form->action));
      form = formData(*consent_form, {}, button);
      secret_fields.clear();
      method = consent_form->method == "post" ? net::Method::kPost : net::Method::kGet;
      url = std::move(action);
      visit.action = login.consent == Consent::kAllow ? "allow" : "deny";
      consent_sent = true;
      continue;
    }
    return fail(res->status >= 400 ? Errc::kForbidden : Errc::kMalformed,
                "user agent: " + visit.url + ": " + describe(page, res->status) +
                    " (no login or consent form)");
  }
  return fail(Errc::kLimitExceeded, "user agent: no redirect to the client after " +
                                        std::to_string(login.max_requests) + " requests");
}

}  // namespace gridgate::client
