#include "authz/ui/template.h"

#include <gtest/gtest.h>

#include <string>

#include "authz/ui/pages.h"
#include "authz/ui/web_assets.h"

namespace gridgate::authz::ui {
namespace {

std::string render(std::string_view source, const Context& ctx) {
  auto t = Template::parse("test", source);
  EXPECT_TRUE(t) << (t ? "" : t.error().detail);
  if (!t) return "<parse error>";
  auto html = t->render(ctx);
  EXPECT_TRUE(html) << (html ? "" : html.error().detail);
  return html ? html->str() : "<render error>";
}

void expectParseError(std::string_view source, std::string_view fragment) {
  auto t = Template::parse("bad", source);
  ASSERT_FALSE(t) << "parsed: " << source;
  EXPECT_EQ(t.error().code, Errc::kMalformed);
  EXPECT_NE(t.error().detail.find(fragment), std::string::npos) << t.error().detail;
}

constexpr std::string_view kAttack = R"(<script>alert('x')</script>"&)";

TEST(TemplateEscape, TextEscapesEveryMetacharacter) {
  Context ctx;
  ctx.set("v", std::string(kAttack));
  EXPECT_EQ(render("<p>{{v}}</p>", ctx),
            "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;</p>");
}

TEST(TemplateEscape, DoubleQuotedAttributeCannotBeClosed) {
  Context ctx;
  ctx.set("v", R"x(" autofocus onfocus="alert(1))x");
  EXPECT_EQ(render(R"(<input value="{{v}}">)", ctx),
            R"x(<input value="&quot; autofocus onfocus=&quot;alert(1)">)x");
}

TEST(TemplateEscape, SingleQuotedAttributeCannotBeClosed) {
  Context ctx;
  ctx.set("v", "' onmouseover='alert(1)");
  EXPECT_EQ(render("<a title='{{v}}'>x</a>", ctx),
            "<a title='&#39; onmouseover=&#39;alert(1)'>x</a>");
}

TEST(TemplateEscape, UrlAttributeRejectsScriptSchemes) {
  for (std::string_view bad :
       {"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "//evil.example/",
        "/\\evil.example", "vbscript:x", " javascript:x"}) {
    Context ctx;
    ctx.set("u", std::string(bad));
    EXPECT_EQ(render(R"(<a href="{{u}}">x</a>)", ctx), R"(<a href="about:invalid#blocked">x</a>)")
        << bad;
    EXPECT_EQ(render(R"(<form action="{{u}}"></form>)", ctx),
              R"(<form action="about:invalid#blocked"></form>)")
        << bad;
  }
}

TEST(TemplateEscape, UrlAttributeKeepsPathsAndHttpsUrlsEscaped) {
  Context ctx;
  ctx.set("u", "/consent?a=1&b=\"2\"").set("h", "https://client.example/cb?x=<y>");
  EXPECT_EQ(render(R"(<form action="{{u}}"></form>)", ctx),
            R"(<form action="/consent?a=1&amp;b=&quot;2&quot;"></form>)");
  EXPECT_EQ(render(R"(<a href="{{h}}">x</a>)", ctx),
            R"(<a href="https://client.example/cb?x=&lt;y&gt;">x</a>)");
}

TEST(TemplateEscape, UrlAttributeLaterInTheValueIsOnlyEscaped) {
  // The scheme is fixed by the template text; the value cannot change it.
  Context ctx;
  ctx.set("q", "javascript:x\"");
  EXPECT_EQ(render(R"(<a href="/search?q={{q}}">x</a>)", ctx),
            R"(<a href="/search?q=javascript:x&quot;">x</a>)");
}

TEST(TemplateEscape, TrustedHtmlOnlyFromTemplates) {
  Context inner;
  inner.set("name", "<b>");
  auto part = Template::parse("part", "<em>{{name}}</em>");
  ASSERT_TRUE(part);
  auto rendered = part->render(inner);
  ASSERT_TRUE(rendered);
  Context outer;
  outer.set("content", *rendered);
  EXPECT_EQ(render("<div>{{trusted_html content}}</div>", outer), "<div><em>&lt;b&gt;</em></div>");

  // A string under the same name is not trusted: rendering fails instead of emitting it raw.
  Context wrong;
  wrong.set("content", "<script>x</script>");
  auto t = Template::parse("t", "<div>{{trusted_html content}}</div>");
  ASSERT_TRUE(t);
  auto r = t->render(wrong);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kInternal);
}

TEST(TemplateEscape, ValueIsNeverReparsedAsTemplate) {
  Context ctx;
  ctx.set("v", "{{secret}}").set("secret", "s3cr3t");
  EXPECT_EQ(render("<p>{{v}}</p>", ctx), "<p>{{secret}}</p>");
}

TEST(TemplateParse, RefusesInterpolationWhereEscapingIsNotEnough) {
  expectParseError("<input {{attrs}}>", "outside text or a quoted attribute");
  expectParseError("<input value={{v}}>", "outside text or a quoted attribute");
  expectParseError("<{{tag}}>", "outside text or a quoted attribute");
  expectParseError("<a {{name}}=\"x\">", "outside text or a quoted attribute");
  expectParseError(R"x(<a onclick="go('{{v}}')">)x", "event handler");
  expectParseError(R"(<p style="color: {{c}}">)", "style attribute");
  expectParseError("<script>var x = '{{v}}';</script>", "<script> or <style>");
  expectParseError("<style>p { color: {{c}} }</style>", "<script> or <style>");
  expectParseError("<!-- {{v}} -->", "comment");
  expectParseError(R"(<a title="{{trusted_html x}}">)", "trusted_html only");
  expectParseError("{{{raw}}}", "{{{ is not supported");
  expectParseError("<p>{{v</p>", "unclosed {{");
  expectParseError("{{#a}}x", "unclosed {{#a");
  expectParseError("{{#a}}x{{/b}}", "unbalanced");
  expectParseError("{{ bad name }}", "bad tag name");
}

TEST(TemplateParse, ErrorNamesTheLine) { expectParseError("<p>\n\n<input {{x}}>", "bad:3:"); }

TEST(TemplateParse, ContextResumesAfterScriptAndComment) {
  Context ctx;
  ctx.set("v", "<x>");
  EXPECT_EQ(render("<style>p{}</style><p>{{v}}</p><!-- c --><b>{{v}}</b>", ctx),
            "<style>p{}</style><p>&lt;x&gt;</p><!-- c --><b>&lt;x&gt;</b>");
}

TEST(TemplateSections, BooleansStringsListsAndInverse) {
  Context a, b;
  a.set("d", "first");
  b.set("d", "<second>");
  Context ctx;
  ctx.set("yes", true).set("no", false).set("empty", "").set("items", std::vector<Context>{a, b});
  ctx.set("d", "outer");
  EXPECT_EQ(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}!N{{/no}}{{#empty}}E{{/empty}}"
                   "{{^missing}}M{{/missing}}|{{#items}}[{{d}}]{{/items}}|{{d}}",
                   ctx),
            "Y!NM|[first][&lt;second&gt;]|outer");
}

TEST(TemplateSections, SectionInsideTagIsAllowed) {
  Context ctx;
  ctx.set("err", true);
  EXPECT_EQ(render(R"(<input required{{#err}} aria-invalid="true"{{/err}}>)", ctx),
            R"(<input required aria-invalid="true">)");
}

TEST(TemplateRender, MissingVariableIsAnError) {
  auto t = Template::parse("t", "<p>{{nope}}</p>");
  ASSERT_TRUE(t);
  auto r = t->render(Context{});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("nope"), std::string::npos);
}

TEST(WebAssets, EveryTemplateIsEmbeddedAndParses) {
  for (std::string_view name : {"layout.html", "error.html", "message.html", "login.html",
                                "consent.html", "evidence.html"}) {
    auto source = webAsset(name);
    ASSERT_TRUE(source) << name;
    auto t = Template::parse(name, *source);
    EXPECT_TRUE(t) << (t ? "" : t.error().detail);
  }
  ASSERT_TRUE(webAsset("style.css"));
  EXPECT_FALSE(webAsset("missing.html"));
}

TEST(ErrorPage, EscapesAndCarriesThePageHeaders) {
  net::Response r = errorPage(400, "Bad <link>", "The link \"x\" & more <script>");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Bad &lt;link&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("The link &quot;x&quot; &amp; more &lt;script&gt;"), std::string::npos);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "text/html; charset=utf-8");
  std::string csp(r.headers.get("Content-Security-Policy").value_or(""));
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_NE(csp.find("form-action 'self'"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'sha256-"), std::string::npos);
  EXPECT_EQ(r.headers.get("X-Frame-Options").value_or(""), "DENY");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "no-store");
  EXPECT_EQ(r.headers.get("Referrer-Policy").value_or(""), "no-referrer");
  EXPECT_EQ(r.headers.get("X-Content-Type-Options").value_or(""), "nosniff");
  EXPECT_FALSE(r.headers.contains("Access-Control-Allow-Origin"));
}

TEST(ErrorPage, StyleHashMatchesTheInlinedStylesheet) {
  net::Response r = errorPage(404, "Not found", "No such page.");
  auto css = webAsset("style.css");
  ASSERT_TRUE(css);
  EXPECT_NE(r.body.find("<style>" + std::string(*css) + "</style>"), std::string::npos);
}

TEST(Csp, FormActionTakesOnlyAWellFormedOrigin) {
  EXPECT_NE(contentSecurityPolicy("https://client.example:8443")
                .find("form-action 'self' https://client.example:8443;"),
            std::string::npos);
  // Anything that is not exactly an origin (a path, a ';', a space, a quote) is dropped.
  for (std::string_view bad :
       {"https://client.example/cb", "https://a.example; script-src *",
        "https://a.example 'unsafe-inline'", "javascript:x", "", "https://user@a.example"}) {
    EXPECT_NE(contentSecurityPolicy(bad).find("form-action 'self';"), std::string::npos) << bad;
  }
  EXPECT_EQ(originOf("https://Client.Example:8443/cb?x=1"), "https://client.example:8443");
  EXPECT_EQ(originOf("http://127.0.0.1:9/cb"), "http://127.0.0.1:9");
  EXPECT_EQ(originOf("https://a.example;x/"), "");
}

}  // namespace
}  // namespace gridgate::authz::ui
