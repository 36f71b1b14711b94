// A small HTML template engine whose only interpolation escapes: the pages a person sees
// (login, consent, error, evidence) cannot carry markup from a client name, a scope or a state.
//
//   GG_TRY(Template page, Template::parse("consent.html", *webAsset("consent.html")));
//   Context ctx;
//   ctx.set("client_name", client_name)                 // escaped wherever it appears
//      .set("logged_in", true)
//      .set("licences", std::vector<Context>{...});      // {{#licences}}...{{/licences}}
//   GG_TRY(TrustedHtml html, page.render(ctx));
//
// Syntax:
//   {{name}}                 the value, HTML-escaped (& < > " ' become entities)
//   {{#name}}...{{/name}}    a section: once if name is true or a non-empty string, once per
//                            element of a list (the element's names shadow the outer ones), never
//                            if it is false, empty or absent
//   {{^name}}...{{/name}}    the inverse: only if name is false, empty or absent
//   {{trusted_html name}}    the one unescaped form: `name` must hold a TrustedHtml, which only a
//                            rendered Template or an embedded asset can produce, never a string
//   {{! comment }}
//
// The HTML context of every interpolation is checked when the template is parsed, so that a
// template mistake fails at start-up, not on a request: a value may appear in text or inside a
// quoted attribute value, and nowhere else (not in a tag, an attribute name, an unquoted value, an
// event-handler or style attribute, a comment, or <script>/<style>). In a URL attribute (href, src,
// action, formaction) a value that starts the attribute must be a relative path ("/x", not "//x")
// or an http(s) URL; anything else (javascript:, data:) renders as "about:invalid#blocked".
// A missing variable is a render error (kInternal) rather than an empty string: a misspelt name in
// a template should fail its test.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"

namespace gridgate::authz::ui {

class Template;

// HTML that is safe to insert unescaped. Only a rendered Template or an embedded web asset is one.
class TrustedHtml {
 public:
  TrustedHtml() = default;
  const std::string& str() const { return html_; }
  bool empty() const { return html_.empty(); }

 private:
  friend class Template;
  friend TrustedHtml trustedAsset(std::string_view embedded);
  explicit TrustedHtml(std::string html) : html_(std::move(html)) {}
  std::string html_;
};

// An embedded asset (web_assets.h) as trusted content, for the stylesheet inlined in <style>.
TrustedHtml trustedAsset(std::string_view embedded);

class Context;
using Value = std::variant<std::string, bool, TrustedHtml, std::vector<Context>>;

// Names and values for one render. Later set() calls of the same name replace earlier ones.
class Context {
 public:
  Context& set(std::string_view name, std::string value);
  Context& set(std::string_view name, const char* value) { return set(name, std::string(value)); }
  Context& set(std::string_view name, bool value);
  Context& set(std::string_view name, TrustedHtml value);
  Context& set(std::string_view name, std::vector<Context> list);
  const Value* find(std::string_view name) const;

 private:
  Context& put(std::string_view name, Value value);
  std::vector<std::pair<std::string, Value>> values_;
};

// &, <, >, " and ' as entities: safe in text and in quoted attribute values.
std::string escapeHtml(std::string_view text);

class Template {
 public:
  // kMalformed (with the line in the detail) for bad syntax, an unbalanced section, or an
  // interpolation in a context where escaping cannot make it safe.
  [[nodiscard]] static Result<Template> parse(std::string_view name, std::string_view source);
  [[nodiscard]] Result<TrustedHtml> render(const Context& context) const;

  struct Node;

 private:
  Template(std::string name, std::shared_ptr<const std::vector<Node>> nodes)
      : name_(std::move(name)), nodes_(std::move(nodes)) {}
  std::string name_;
  std::shared_ptr<const std::vector<Node>> nodes_;  // immutable: copies share it
};

}  // namespace gridgate::authz::ui
