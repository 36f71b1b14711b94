#include "authz/ui/pages.h"

#include <cstdlib>
#include <map>
#include <string>

#include "authz/ui/web_assets.h"
#include "core/base64.h"
#include "core/log.h"
#include "crypto/digest.h"

namespace gridgate::authz::ui {

struct Pages::Impl {
  std::map<std::string, Template, std::less<>> templates;
  TrustedHtml css;
  std::string style_hash;  // 'sha256-...' of the inlined stylesheet
};

namespace {

constexpr std::string_view kTemplates[] = {"layout.html", "error.html",   "message.html",
                                           "login.html",  "consent.html", "evidence.html"};

const Pages::Impl& impl() {
  static const Pages::Impl* instance = [] {
    auto* p = new Pages::Impl();
    for (std::string_view name : kTemplates) {
      auto source = webAsset(name);
      if (!source) {
        log::error("web asset {} is not embedded", name);
        std::abort();
      }
      auto parsed = Template::parse(name, *source);
      if (!parsed) {
        log::error("web template does not parse: {}", parsed.error().detail);
        std::abort();
      }
      p->templates.emplace(std::string(name), std::move(*parsed));
    }
    auto css = webAsset("style.css");
    if (!css) {
      log::error("web asset style.css is not embedded");
      std::abort();
    }
    p->css = trustedAsset(*css);
    crypto::Sha256 digest = crypto::sha256(*css);
    p->style_hash = "'sha256-" + base64Encode(digest) + "'";
    return p;
  }();
  return *instance;
}

bool isHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '[' || c == ']' || c == ':';
}

}  // namespace

std::string originOf(std::string_view url) {
  std::string_view scheme;
  if (url.rfind("https://", 0) == 0) {
    scheme = "https://";
  } else if (url.rfind("http://", 0) == 0) {
    scheme = "http://";
  } else {
    return {};
  }
  std::string_view rest = url.substr(scheme.size());
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.empty() || authority.find('@') != std::string_view::npos) return {};
  for (char c : authority) {
    if (!isHostChar(c)) return {};
  }
  std::string out(scheme);
  for (char c : authority) out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string contentSecurityPolicy(std::string_view extra_form_action) {
  std::string form_action = "'self'";
  std::string origin = originOf(extra_form_action);
  if (!origin.empty() && origin == extra_form_action) form_action += " " + origin;
  return "default-src 'none'; style-src " + impl().style_hash + "; img-src 'self'; form-action " +
         form_action + "; frame-ancestors 'none'; base-uri 'none'";
}

void applyPageHeaders(net::Response& response, std::string_view csp) {
  response.header("Content-Type", "text/html; charset=utf-8");
  response.header("Content-Security-Policy", std::string(csp));
  response.header("X-Frame-Options", "DENY");
  response.header("Cache-Control", "no-store");
  response.header("Pragma", "no-cache");
  response.header("Referrer-Policy", "no-referrer");
  response.header("X-Content-Type-Options", "nosniff");
}

const Pages& pages() {
  static const Pages instance(&impl());
  return instance;
}

Result<TrustedHtml> Pages::render(std::string_view name, Context context,
                                  const PageBrand& brand) const {
  auto it = impl_->templates.find(name);
  if (it == impl_->templates.end()) {
    return fail(Errc::kInternal, "no template " + std::string(name));
  }
  context.set("provider", brand.provider_name);
  return it->second.render(context);
}

Result<std::string> Pages::document(std::string_view title, const TrustedHtml& content,
                                    const PageBrand& brand) const {
  Context ctx;
  ctx.set("title", std::string(title))
      .set("css", impl_->css)
      .set("content", content)
      .set("secure", true);
  GG_TRY(TrustedHtml html, render("layout.html", std::move(ctx), brand));
  return html.str();
}

Result<net::Response> Pages::page(int status, std::string_view name, std::string_view title,
                                  Context context, const PageBrand& brand,
                                  std::string_view extra_form_action) const {
  GG_TRY(TrustedHtml content, render(name, std::move(context), brand));
  GG_TRY(std::string html, document(title, content, brand));
  net::Response response = net::Response::html(status, std::move(html));
  applyPageHeaders(response, contentSecurityPolicy(extra_form_action));
  return response;
}

net::Response errorPage(int status, std::string_view title, std::string_view message,
                        const PageBrand& brand) {
  Context ctx;
  ctx.set("title", std::string(title))
      .set("message", std::string(message))
      .set("status", std::to_string(status));
  auto response = pages().page(status, "error.html", title, std::move(ctx), brand);
  if (response) return std::move(*response);
  // Only a template defect gets here (the tests render every page); answer without HTML.
  log::error("error page render failed: {}", response.error().detail);
  net::Response fallback = net::Response::text(status, std::string(title));
  applyPageHeaders(fallback, "default-src 'none'; frame-ancestors 'none'");
  return fallback;
}

}  // namespace gridgate::authz::ui
