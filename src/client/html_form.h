// Reading the forms of an HTML page the way a browser submits them, so that `flow` can drive a
// login and consent page it did not write (the built-in pages, or a provider's own).
//
//   GG_TRY(HtmlPage page, parseHtml(response.body));
//   for (const HtmlForm& form : page.forms) {
//     if (const FormControl* pw = form.passwordField()) {           // a login form
//       const FormControl* user = form.usernameField();
//       auto pairs = formData(form, {{user->name, "alice"}, {pw->name, "secret"}},
//                             form.defaultSubmitter());
//       GG_TRY(std::string action, resolveUrl(page_url, form.action));
//     }
//   }
//
// Names and values come from the page: hidden inputs (CSRF tokens, request ids) are sent back as
// the page wrote them, and a caller only fills the controls it chose by their type (password,
// the username input) or the submit button it chose by its label. Deliberately small: forms,
// input, button, select/option and textarea; comments, <script> and <style> skipped; the
// `form=` attribute, <fieldset disabled> and scripts are not supported (the pages a FAPI flow
// needs work without JavaScript: DESIGN.md, Pages a person sees).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace gridgate::client {

struct FormControl {
  enum class Kind { kInput, kButton, kSelect, kTextarea };
  Kind kind = Kind::kInput;
  std::string type{};  // lowercased; input default "text", button default "submit"
  std::string name{};
  std::string value{};         // entities decoded
  std::string label{};         // a button's text (an input button's value)
  std::string autocomplete{};  // lowercased
  bool checked = false;
  bool disabled = false;

  bool isSubmit() const;
  // Controls a user types into: text, email, tel, number, search, url, password, or no type.
  bool isTextEntry() const;
};

struct HtmlForm {
  std::string method = "get";  // lowercased "get" or "post" (anything else reads as get)
  std::string action{};        // as written (decoded); empty means the page's own URL
  std::vector<FormControl> controls{};

  // The first enabled password input, or nullptr.
  const FormControl* passwordField() const;
  // The input for the user name: autocomplete="username" or "email" first, else the first
  // enabled text-entry input before the password field that is not a password itself.
  const FormControl* usernameField() const;
  std::vector<const FormControl*> submitButtons() const;
  // The first submit button (what pressing Enter submits), or nullptr.
  const FormControl* defaultSubmitter() const;
  // The submit button whose label or value equals one of `words` (ASCII case-insensitive,
  // whitespace trimmed), in the order the words are given; nullptr if none does.
  const FormControl* submitterNamed(const std::vector<std::string_view>& words) const;
};

struct HtmlPage {
  std::vector<HtmlForm> forms{};
  std::string title{};                // text of <title>
  std::string heading{};              // text of the first <h1>
  std::vector<std::string> alerts{};  // text of elements with role="alert"
};

struct HtmlLimits {
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_forms = 32;
  std::size_t max_controls = 256;  // per form
};

// kLimitExceeded past a bound. Malformed markup is read leniently, as a browser would.
[[nodiscard]] Result<HtmlPage> parseHtml(std::string_view html, const HtmlLimits& limits = {});

// The name/value pairs a browser would submit, in document order (HTML 4.10.21.4, reduced):
// enabled controls with a name; checkboxes and radios only when checked; buttons only when they
// are `submitter`; `fill` replaces the value of the controls with those names (the first of each
// name only).
std::vector<std::pair<std::string, std::string>> formData(
    const HtmlForm& form, const std::map<std::string, std::string>& fill,
    const FormControl* submitter);

// HTML character references: &amp; &lt; &gt; &quot; &apos; &nbsp; and numeric (&#39; &#x27;),
// as UTF-8. Unknown references stay as written.
std::string decodeEntities(std::string_view text);

}  // namespace gridgate::client
