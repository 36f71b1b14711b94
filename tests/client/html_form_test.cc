// HTML form extraction: the project's own login and consent templates (web/), and the markup
// variations another provider's pages may use.
#include "client/html_form.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace gridgate::client {
namespace {

std::string readSource(const std::string& rel) {
  std::ifstream in(std::string(GRIDGATE_SOURCE_DIR) + "/" + rel);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(HtmlForm, ReadsTheBuiltInLoginTemplate) {
  const std::string html = readSource("web/login.html");
  ASSERT_FALSE(html.empty());
  auto page = parseHtml(html);
  ASSERT_TRUE(page) << page.error().detail;
  ASSERT_EQ(page->forms.size(), 1u);
  const HtmlForm& f = page->forms[0];
  EXPECT_EQ(f.method, "post");
  EXPECT_EQ(f.action, "{{login_path}}");
  ASSERT_NE(f.passwordField(), nullptr);
  ASSERT_NE(f.usernameField(), nullptr);
  EXPECT_EQ(f.passwordField()->name, "password");
  EXPECT_EQ(f.usernameField()->name, "username");
  // Hidden inputs go back as the page wrote them; the filled ones get the user's values.
  const auto data = formData(f, {{"username", "alice"}, {"password", "pw"}}, f.defaultSubmitter());
  EXPECT_EQ(data, (Pairs{{"csrf", "{{csrf}}"},
                         {"client_id", "{{client_id}}"},
                         {"request_uri", "{{request_uri}}"},
                         {"username", "alice"},
                         {"password", "pw"}}));
}

TEST(HtmlForm, ReadsTheBuiltInConsentTemplate) {
  auto page = parseHtml(readSource("web/consent.html"));
  ASSERT_TRUE(page) << page.error().detail;
  ASSERT_EQ(page->forms.size(), 2u);  // consent, and sign out
  const HtmlForm& consent = page->forms[0];
  EXPECT_EQ(consent.passwordField(), nullptr);
  const FormControl* allow = consent.submitterNamed({"allow"});
  const FormControl* deny = consent.submitterNamed({"deny"});
  ASSERT_NE(allow, nullptr);
  ASSERT_NE(deny, nullptr);
  EXPECT_EQ(formData(consent, {}, allow), (Pairs{{"csrf", "{{csrf}}"},
                                                 {"client_id", "{{client_id}}"},
                                                 {"request_uri", "{{request_uri}}"},
                                                 {"decision", "allow"}}));
  EXPECT_EQ(formData(consent, {}, deny).back(),
            (std::pair<std::string, std::string>{"decision", "deny"}));
  // The sign-out form has no allow button: it is never mistaken for consent.
  EXPECT_EQ(page->forms[1].submitterNamed({"allow", "approve"}), nullptr);
}

TEST(HtmlForm, DecodesEntitiesInAttributesAndText) {
  auto page = parseHtml(
      R"(<title>A &amp; B</title><h1>Allow &lt;Demo&gt; &#8211; &#x41;?</h1>)"
      R"(<form method=POST action="/c?a=1&amp;b=2"><input type=hidden name=csrf value="x&quot;y&#39;z">)"
      R"(<button type=submit name=d value=yes>  Allow
         &nbsp;</button></form>)");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->title, "A & B");
  EXPECT_EQ(page->heading, "Allow <Demo> \xE2\x80\x93 A?");
  const HtmlForm& f = page->forms.at(0);
  EXPECT_EQ(f.method, "post");
  EXPECT_EQ(f.action, "/c?a=1&b=2");
  EXPECT_EQ(f.controls.at(0).value, "x\"y'z");
  EXPECT_EQ(f.controls.at(1).label, "Allow \xC2\xA0");
  EXPECT_NE(f.submitterNamed({"yes"}), nullptr);
}

TEST(HtmlForm, SkipsScriptsStylesAndComments) {
  auto page = parseHtml(
      "<script>var s = '<form action=/evil><input type=password name=p>';</script>"
      "<style>form{}</style><!-- <form action=/old> -->"
      "<form action=/real><input name=u><input type=password name=p></form>");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->forms.size(), 1u);
  EXPECT_EQ(page->forms[0].action, "/real");
  EXPECT_EQ(page->forms[0].usernameField()->name, "u");
}

TEST(HtmlForm, SubmitsLikeABrowser) {
  auto page = parseHtml(R"(<form method="post">
      <input type="text" name="user" value="x">
      <input type="checkbox" name="remember" checked>
      <input type="checkbox" name="spam">
      <input type="radio" name="r" value="1"><input type="radio" name="r" value="2" checked>
      <input type="hidden" name="off" value="v" disabled>
      <input type="submit" name="go" value="Sign in">
      <select name="lang"><option value="en">English<option value="fr" selected>French</select>
      <select name="plain"><option>First<option>Second</select>
      <textarea name="note">
line &amp; more</textarea>
      <input name="noval">
      <button type="button" name="js">Nope</button>
    </form>)");
  ASSERT_TRUE(page);
  const HtmlForm& f = page->forms.at(0);
  EXPECT_EQ(f.action, "");
  EXPECT_EQ(formData(f, {}, nullptr), (Pairs{{"user", "x"},
                                             {"remember", "on"},
                                             {"r", "2"},
                                             {"lang", "fr"},
                                             {"plain", "First"},
                                             {"note", "line & more"},
                                             {"noval", ""}}));
  const FormControl* go = f.submitterNamed({"sign in"});
  ASSERT_NE(go, nullptr);
  EXPECT_EQ(formData(f, {}, go).at(3), (std::pair<std::string, std::string>{"go", "Sign in"}));
  EXPECT_EQ(f.submitButtons().size(), 1u);  // type=button is not a submit button
}

TEST(HtmlForm, FindsTheUsernameByAutocompleteOrPosition) {
  auto a = parseHtml(
      R"(<form><input name="search"><input name="login" autocomplete="username"><input type="password" name="pw"></form>)");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->forms[0].usernameField()->name, "login");
  auto b = parseHtml(
      R"(<form><input type="hidden" name="h"><input type="email" name="mail"><input type="password" name="pw"></form>)");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->forms[0].usernameField()->name, "mail");
  auto c = parseHtml(R"(<form><input type="password" name="pw"></form>)");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->forms[0].usernameField(), nullptr);
}

TEST(HtmlForm, ReadsAlerts) {
  auto page = parseHtml(
      R"(<h1>Sign in</h1><div class="alert" role="alert" id="e">Wrong <b>user name</b> or password.</div><form><input type=password name=p></form>)");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->alerts.size(), 1u);
  EXPECT_EQ(page->alerts[0], "Wrong user name or password.");
}

TEST(HtmlForm, ToleratesBrokenMarkup) {
  for (const std::string_view html :
       {"<form", "<form action=", "<form action=\"/x", "<input name=a value='b", "<<<>>>",
        "<form><input name=a></form></form></select></option>", "<textarea name=t>unterminated",
        "<script>never closed", "&#99999999; &#x110000; &bogus; &", "<select name=s><option>"}) {
    auto page = parseHtml(html);
    EXPECT_TRUE(page) << html;
  }
}

TEST(HtmlForm, ControlsOutsideFormsAreIgnored) {
  auto page = parseHtml(R"(<input name=a><form><input name=b></form><input name=c>)");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->forms.size(), 1u);
  ASSERT_EQ(page->forms[0].controls.size(), 1u);
  EXPECT_EQ(page->forms[0].controls[0].name, "b");
}

TEST(HtmlForm, Limits) {
  std::string many;
  for (int i = 0; i < 40; ++i) many += "<form></form>";
  EXPECT_EQ(parseHtml(many).error().code, Errc::kLimitExceeded);
  std::string controls = "<form>";
  for (int i = 0; i < 300; ++i) controls += "<input name=x>";
  EXPECT_EQ(parseHtml(controls).error().code, Errc::kLimitExceeded);
  EXPECT_EQ(parseHtml(std::string(2 * 1024 * 1024, 'a')).error().code, Errc::kLimitExceeded);
}

TEST(HtmlForm, DecodeEntities) {
  EXPECT_EQ(decodeEntities("&amp;&lt;&gt;&quot;&apos;&#39;&#x27;"), "&<>\"'''");
  EXPECT_EQ(decodeEntities("&unknown; & &;"), "&unknown; & &;");
  EXPECT_EQ(decodeEntities("&#0;&#xD800;"), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decodeEntities("&#x1F600;"), "\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace gridgate::client
