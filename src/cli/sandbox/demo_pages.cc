#include "cli/sandbox/demo_pages.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "authz/ui/pages.h"
#include "authz/ui/web_assets.h"
#include "core/base64.h"
#include "core/log.h"
#include "crypto/digest.h"

namespace gridgate::cli::sandbox {

using authz::ui::Context;
using authz::ui::Template;
using authz::ui::TrustedHtml;

namespace {

// Rules of the demo pages beyond web/style.css (which the authorization server's pages use).
constexpr std::string_view kDemoCss = R"css(
header.site.wide,
footer.site.wide,
main.card.wide {
  max-width: 60rem;
}
.steps {
  list-style: none;
  margin: 1rem 0 0;
  padding: 0;
  counter-reset: step;
}
.step h2::before {
  counter-increment: step;
  content: counter(step) ".";
  color: var(--muted);
}
.step {
  border-top: 1px solid var(--line);
  padding: 1rem 0 0.25rem;
}
.step h2 {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 0.25rem 0.75rem;
}
.step h3 {
  font-size: 0.9375rem;
  margin: 0.75rem 0 0.25rem;
  color: var(--muted);
}
pre.data {
  background: var(--bg);
  border: 1px solid var(--line);
  border-radius: 6px;
  padding: 0.625rem 0.75rem;
  margin: 0 0 0.5rem;
  font-size: 0.8125rem;
  line-height: 1.45;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  max-height: 26rem;
  overflow-y: auto;
}
.chart {
  margin: 0.75rem 0;
}
.chart svg {
  display: block;
  width: 100%;
  height: auto;
}
.chart .area {
  fill: var(--accent);
  fill-opacity: 0.3;
  stroke: var(--accent);
  stroke-width: 1.25;
}
.chart .grid {
  stroke: var(--line);
  stroke-width: 1;
}
.chart .missing {
  fill: var(--bad);
}
.chart text {
  fill: var(--muted);
  font-size: 13px;
}
.chart figcaption {
  color: var(--muted);
  font-size: 0.875rem;
}
.start {
  margin-top: 1.5rem;
}
)css";

// The layout: web/layout.html's structure, wider, with this page set's stylesheet.
constexpr std::string_view kLayout = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>{{title}} · {{client_name}}</title>
<style>{{trusted_html css}}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site wide">
<span class="brand"><span class="mark" aria-hidden="true"></span>{{client_name}}</span>
<span class="secure">gridgate sandbox · demo client</span>
</header>
<main id="main" class="card wide" tabindex="-1">
{{trusted_html content}}
</main>
<footer class="site wide">
<p>A demo client application of the sandbox, acting as a carbon-accounting provider ({{client_id}}) with its client certificate. Your data comes from {{provider}}.</p>
</footer>
</body>
</html>
)html";

constexpr std::string_view kStart = R"html(<p class="eyebrow">FAPI 2.0 · Perseus demo</p>
<h1>Connect your energy data</h1>
<p class="lead">{{client_name}} would like to read your smart-meter data from <strong>{{provider}}</strong> to work out your carbon footprint.</p>
<p>When you press the button, this client sends a pushed authorization request (PAR) with PKCE to {{provider}} over mutual TLS, then takes you to its sign-in page. After you sign in and agree, you come back here and see every step: the code verifier, the PAR response, the token response, the access token, the permission record, your meter data as a chart, and its verified provenance record.</p>
<p class="muted">Sign in with one of the demo users that <code>gridgate sandbox</code> printed when it started (they are also in <code>demo-users.txt</code> in the sandbox directory).</p>
<form method="post" action="/start" class="start">
<input type="hidden" name="csrf" value="{{csrf}}">
<button type="submit" class="button primary">Connect with {{provider}}</button>
</form>
{{#last_result}}<p class="signout"><a href="/result">See the result of your last connection</a></p>{{/last_result}}
)html";

constexpr std::string_view kResult = R"html(<p class="eyebrow">FAPI 2.0 · step by step</p>
<h1>{{heading}}</h1>
{{#error}}<div class="alert" role="alert">{{error}}</div>{{/error}}
<ol class="steps">
{{#steps}}<li class="step" id="{{id}}">
<h2>{{title}} <span class="status {{status_class}}">{{status_text}}</span></h2>
<p>{{explain}}</p>
{{#detail}}<p class="alert">{{detail}}</p>{{/detail}}
{{#has_chart}}{{trusted_html chart}}{{/has_chart}}
{{#blocks}}<h3>{{label}}</h3>
<pre class="data">{{text}}</pre>
{{/blocks}}</li>
{{/steps}}</ol>
{{#can_revoke}}<form method="post" action="/revoke" class="actions">
<input type="hidden" name="csrf" value="{{csrf}}">
<button type="submit" class="button secondary">Revoke this permission</button>
<a class="button primary" href="/">Start again</a>
</form>{{/can_revoke}}
{{^can_revoke}}<p class="start"><a class="button primary" href="/">Start again</a></p>{{/can_revoke}}
)html";

constexpr std::string_view kError = R"html(<p class="eyebrow">Something went wrong</p>
<h1>{{title}}</h1>
<div class="alert" role="alert">{{message}}</div>
<p class="start"><a class="button primary" href="/">Back to the start</a></p>
)html";

constexpr std::string_view kChart = R"html(<figure class="chart">
<svg viewBox="0 0 {{width}} {{height}}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">{{title}}</title>
<desc id="chart-desc">{{desc}}</desc>
{{#grid}}<line class="grid" x1="{{x1}}" y1="{{y1}}" x2="{{x2}}" y2="{{y2}}"></line>
{{/grid}}{{#areas}}<path class="area" d="{{d}}"></path>
{{/areas}}{{#missing}}<rect class="missing" x="{{x}}" y="{{y}}" width="{{w}}" height="{{h}}"></rect>
{{/missing}}{{#labels}}<text x="{{x}}" y="{{y}}" text-anchor="{{anchor}}">{{text}}</text>
{{/labels}}</svg>
<figcaption>{{caption}}</figcaption>
</figure>
)html";

struct Assets {
  std::string css;
  std::string style_hash;  // 'sha256-...'
  Template layout, start, result, error, chart;
};

Template mustParse(std::string_view name, std::string_view source) {
  auto t = Template::parse(name, source);
  if (!t) {
    // A template that does not parse is a defect of this file (its unit test parses each one).
    log::error("sandbox demo page template {}: {}", name, t.error().detail);
    std::abort();
  }
  return std::move(*t);
}

const Assets& assets() {
  static const Assets a = [] {
    Assets out{
        .css = std::string(authz::ui::webAsset("style.css").value_or("")) + std::string(kDemoCss),
        .style_hash = {},
        .layout = mustParse("demo_layout", kLayout),
        .start = mustParse("demo_start", kStart),
        .result = mustParse("demo_result", kResult),
        .error = mustParse("demo_error", kError),
        .chart = mustParse("demo_chart", kChart)};
    out.style_hash = "'sha256-" + base64Encode(crypto::sha256(asBytes(out.css))) + "'";
    return out;
  }();
  return a;
}

std::string fixed(double v, int decimals = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

net::Response render(const PageView& view, int status, std::string_view title, const Template& body,
                     Context ctx) {
  ctx.set("provider", view.provider).set("client_name", view.client_name);
  auto content = body.render(ctx);
  Result<TrustedHtml> html = content;
  if (content) {
    Context page;
    page.set("title", std::string(title))
        .set("client_name", view.client_name)
        .set("client_id", view.client_id)
        .set("provider", view.provider)
        .set("css", authz::ui::trustedAsset(assets().css))
        .set("content", *content);
    html = assets().layout.render(page);
  }
  net::Response r;
  if (!html) {
    log::error("sandbox demo page {}: {}", title, html.error().detail);
    r = net::Response::text(500, "the demo page could not be rendered");
  } else {
    r = net::Response::html(status, html->str());
  }
  authz::ui::applyPageHeaders(r, demoContentSecurityPolicy(view.authorize_origin));
  return r;
}

// Nice upper bound of an axis: 1, 2 or 5 times a power of ten.
double niceCeiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= v) return m * p;
  }
  return 10 * p;
}

}  // namespace

std::string abbreviate(std::string_view secret) {
  if (secret.size() <= 24) return std::string(secret);
  return std::string(secret.substr(0, 16)) + "\u2026(" + std::to_string(secret.size()) +
         " characters)\u2026" + std::string(secret.substr(secret.size() - 6));
}

std::string demoContentSecurityPolicy(std::string_view authorize_origin) {
  std::string form_action = "'self'";
  const std::string origin = authz::ui::originOf(authorize_origin);
  if (!origin.empty()) form_action += " " + origin;
  return "default-src 'none'; style-src " + assets().style_hash + "; img-src 'self'; form-action " +
         form_action + "; frame-ancestors 'none'; base-uri 'none'";
}

Result<TrustedHtml> readingsChart(const Json& body) {
  const Json* data = jsonMember(body, "data");
  if (data == nullptr || !data->is_array()) {
    return fail(Errc::kMalformed, "the readings response has no data array");
  }
  constexpr double kWidth = 720, kHeight = 240;
  constexpr double kLeft = 64, kRight = 8, kTop = 10, kBottom = 24;
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  const std::size_t n = data->size();

  std::vector<std::optional<double>> values;
  std::vector<std::string> starts;
  values.reserve(n);
  double max_value = 0, total = 0;
  std::size_t missing_count = 0;
  for (const Json& reading : *data) {
    std::optional<double> v;
    const Json* energy = jsonMember(reading, "energy");
    const Json* value = energy != nullptr ? jsonMember(*energy, "value") : nullptr;
    if (value != nullptr && value->is_number()) v = value->get<double>();
    if (v) {
      max_value = std::max(max_value, *v);
      total += *v;
    } else {
      ++missing_count;
    }
    values.push_back(v);
    const std::string* from = jsonString(reading, "from");
    starts.push_back(from != nullptr ? *from : std::string());
  }
  const double top = niceCeiling(max_value);
  const double step_x = n > 0 ? plot_w / static_cast<double>(n) : plot_w;
  const auto xAt = [&](std::size_t i) { return kLeft + step_x * static_cast<double>(i); };
  const auto yAt = [&](double v) { return kTop + plot_h - plot_h * (v / top); };
  const double base = kTop + plot_h;

  std::vector<Context> grid, areas, missing, labels;
  // Horizontal lines at 0, half and the top, labelled in Wh.
  for (double f : {0.0, 0.5, 1.0}) {
    const double y = yAt(top * f);
    grid.push_back(Context()
                       .set("x1", fixed(kLeft))
                       .set("y1", fixed(y))
                       .set("x2", fixed(kWidth - kRight))
                       .set("y2", fixed(y)));
    labels.push_back(Context()
                         .set("x", fixed(kLeft - 6))
                         .set("y", fixed(y + 4))
                         .set("anchor", "end")
                         .set("text", fixed(top * f, 0) + " Wh"));
  }
  // A vertical line where each UTC day starts, labelled with its date (MM-DD).
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& s = starts[i];
    if (s.size() < 19 || s.compare(11, 8, "00:00:00") != 0) continue;
    const double x = xAt(i);
    grid.push_back(Context()
                       .set("x1", fixed(x))
                       .set("y1", fixed(kTop))
                       .set("x2", fixed(x))
                       .set("y2", fixed(base)));
    labels.push_back(Context()
                         .set("x", fixed(x + 3))
                         .set("y", fixed(kHeight - 8))
                         .set("anchor", "start")
                         .set("text", s.substr(5, 5)));
  }
  // One filled area per run of measured half hours; a missing read breaks the line.
  std::string d;
  bool in_run = false;
  const auto closeRun = [&](std::size_t end) {
    d += "L" + fixed(xAt(end)) + " " + fixed(base) + "Z";
    areas.push_back(Context().set("d", d));
    d.clear();
    in_run = false;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (!values[i]) {
      if (in_run) closeRun(i);
      missing.push_back(Context()
                            .set("x", fixed(xAt(i)))
                            .set("y", fixed(base - 4))
                            .set("w", fixed(std::max(step_x, 1.5)))
                            .set("h", "4"));
      continue;
    }
    const double y = yAt(*values[i]);
    if (!in_run) {
      in_run = true;
      d = "M" + fixed(xAt(i)) + " " + fixed(base);
    }
    // A step for each half hour: flat across its slot.
    d += "L" + fixed(xAt(i)) + " " + fixed(y) + "L" + fixed(xAt(i + 1)) + " " + fixed(y);
  }
  if (in_run) closeRun(n);

  // "2024-06-21T11:00:00Z" -> "2024-06-21 11:00"
  const auto when = [](const std::string& t) {
    return t.size() >= 16 ? t.substr(0, 10) + " " + t.substr(11, 5) : t;
  };
  std::string last_end;
  if (n > 0) {
    const std::string* to = jsonString(data->back(), "to");
    last_end = to != nullptr ? *to : starts.back();
  }
  const std::string desc =
      std::to_string(n) + " half-hourly readings" +
      (n > 0 ? " from " + when(starts.front()) + " to " + when(last_end) + " UTC" : std::string()) +
      ", " + fixed(total / 1000.0, 2) + " kWh in total, peak " + fixed(max_value, 0) + " Wh, " +
      std::to_string(missing_count) + " missing";
  Context ctx;
  ctx.set("width", fixed(kWidth, 0))
      .set("height", fixed(kHeight, 0))
      .set("title", "Electricity per half hour")
      .set("desc", desc)
      .set("grid", std::move(grid))
      .set("areas", std::move(areas))
      .set("missing", std::move(missing))
      .set("labels", std::move(labels))
      .set("caption", "Energy per half hour (Wh): " + desc +
                          (missing_count > 0 ? " (marked red: not filled in or estimated)" : ""));
  return assets().chart.render(ctx);
}

net::Response startPage(const PageView& view, std::string_view csrf, bool last_result) {
  Context ctx;
  ctx.set("csrf", std::string(csrf)).set("last_result", last_result);
  return render(view, 200, "Connect your energy data", assets().start, std::move(ctx));
}

net::Response errorPage(const PageView& view, int status, std::string_view title,
                        std::string_view message) {
  Context ctx;
  ctx.set("title", std::string(title)).set("message", std::string(message));
  return render(view, status, title, assets().error, std::move(ctx));
}

net::Response resultPage(const PageView& view, const Json& outcome, std::string_view revoke_csrf) {
  std::vector<Context> steps;
  if (const Json* list = jsonMember(outcome, "steps"); list != nullptr && list->is_array()) {
    for (const Json& s : *list) {
      const std::string status = s.value("status", "ok");
      Context step;
      step.set("id", s.value("id", ""))
          .set("title", s.value("title", ""))
          .set("explain", s.value("explain", ""))
          .set("detail", s.value("detail", ""))
          .set("status_class", status == "ok"       ? "status-active"
                               : status == "failed" ? "status-revoked"
                                                    : "status-expired")
          .set("status_text", s.value("status_text", status));
      std::vector<Context> blocks;
      if (const Json* b = jsonMember(s, "blocks"); b != nullptr && b->is_array()) {
        for (const Json& block : *b) {
          blocks.push_back(Context()
                               .set("label", block.value("label", ""))
                               .set("text", block.value("text", "")));
        }
      }
      step.set("blocks", std::move(blocks));
      step.set("has_chart", false);
      if (const Json* chart = jsonMember(s, "chart"); chart != nullptr) {
        auto svg = readingsChart(*chart);
        if (svg) {
          step.set("has_chart", true).set("chart", std::move(*svg));
        } else {
          step.set("detail", "The readings could not be drawn: " + svg.error().detail);
        }
      }
      steps.push_back(std::move(step));
    }
  }
  Context ctx;
  ctx.set("heading", outcome.value("heading", "Your energy data"))
      .set("error", outcome.value("error", ""))
      .set("steps", std::move(steps))
      .set("can_revoke", outcome.value("can_revoke", false))
      .set("csrf", std::string(revoke_csrf));
  return render(view, 200, outcome.value("heading", "Result"), assets().result, std::move(ctx));
}

}  // namespace gridgate::cli::sandbox
