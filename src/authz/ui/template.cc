#include "authz/ui/template.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <string>

namespace gridgate::authz::ui {

struct Template::Node {
  enum class Kind {
    kText,      // literal template text
    kVar,       // {{name}}: escaped
    kUrlVar,    // {{name}} starting a URL attribute value: scheme-checked, then escaped
    kTrusted,   // {{trusted_html name}}
    kSection,   // {{#name}}
    kInverted,  // {{^name}}
  };
  Kind kind = Kind::kText;
  std::string text;  // literal text, or the variable/section name
  std::vector<Node> children;
};

TrustedHtml trustedAsset(std::string_view embedded) { return TrustedHtml(std::string(embedded)); }

Context& Context::put(std::string_view name, Value value) {
  for (auto& [n, v] : values_) {
    if (n == name) {
      v = std::move(value);
      return *this;
    }
  }
  values_.emplace_back(std::string(name), std::move(value));
  return *this;
}
Context& Context::set(std::string_view name, std::string value) {
  return put(name, Value(std::move(value)));
}
Context& Context::set(std::string_view name, bool value) { return put(name, Value(value)); }
Context& Context::set(std::string_view name, TrustedHtml value) {
  return put(name, Value(std::move(value)));
}
Context& Context::set(std::string_view name, std::vector<Context> list) {
  return put(name, Value(std::move(list)));
}
const Value* Context::find(std::string_view name) const {
  for (const auto& [n, v] : values_) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

enum class TagKind { kVar, kTrusted, kSection, kInverted, kClose, kComment };

struct Tag {
  TagKind kind;
  std::string name;
  std::size_t begin = 0;  // offset of "{{" in the source
  std::size_t end = 0;    // offset after "}}"
};

bool isNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::size_t lineOf(std::string_view source, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(
                 source.begin(), source.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

Error parseError(std::string_view name, std::string_view source, std::size_t offset,
                 std::string_view what) {
  return Error{Errc::kMalformed, std::string(name) + ":" + std::to_string(lineOf(source, offset)) +
                                     ": " + std::string(what)};
}

Result<std::vector<Tag>> scanTags(std::string_view name, std::string_view source) {
  std::vector<Tag> tags;
  std::size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    std::size_t close = source.find("}}", pos + 2);
    if (close == std::string_view::npos) return fail(parseError(name, source, pos, "unclosed {{"));
    std::string_view inner = source.substr(pos + 2, close - pos - 2);
    Tag tag{TagKind::kVar, {}, pos, close + 2};
    if (!inner.empty() && inner.front() == '{') {
      return fail(parseError(name, source, pos, "{{{ is not supported: use {{trusted_html name}}"));
    }
    if (!inner.empty() && inner.front() == '!') {
      tag.kind = TagKind::kComment;
    } else {
      std::string body = trim(inner);
      if (!body.empty() && (body.front() == '#' || body.front() == '^' || body.front() == '/')) {
        tag.kind = body.front() == '#'   ? TagKind::kSection
                   : body.front() == '^' ? TagKind::kInverted
                                         : TagKind::kClose;
        body = trim(std::string_view(body).substr(1));
      } else if (body.rfind("trusted_html", 0) == 0 && body.size() > 12 && isSpace(body[12])) {
        tag.kind = TagKind::kTrusted;
        body = trim(std::string_view(body).substr(12));
      }
      if (body.empty() || !std::all_of(body.begin(), body.end(), isNameChar)) {
        return fail(parseError(name, source, pos, "bad tag name '" + body + "'"));
      }
      tag.name = std::move(body);
    }
    tags.push_back(std::move(tag));
    pos = close + 2;
  }
  return tags;
}

// Where in the HTML a tag sits, decided by scanning the template text with every {{...}} tag
// replaced by one placeholder byte (tags are zero-width for the HTML structure).
enum class HtmlState {
  kText,
  kTagName,
  kInTag,
  kAttrName,
  kAfterAttrName,
  kBeforeValue,
  kValueDouble,
  kValueSingle,
  kValueUnquoted,
  kComment,
  kRawText,  // inside <script> or <style>
};

struct Placement {
  HtmlState state = HtmlState::kText;
  std::string attr;          // the attribute name, lowercased, for the attribute states
  bool value_start = false;  // nothing but section tags precede it in the attribute value
};

constexpr char kPlaceholder = '\x01';

bool isUrlAttribute(std::string_view attr) {
  return attr == "href" || attr == "src" || attr == "action" || attr == "formaction" ||
         attr == "poster" || attr == "cite" || attr == "xlink:href" || attr == "background";
}

bool isScriptOrStyleAttribute(std::string_view attr) {
  return attr.rfind("on", 0) == 0 || attr == "style" || attr == "srcdoc";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The placement of each tag, in order.
std::vector<Placement> placeTags(std::string_view source, const std::vector<Tag>& tags) {
  std::string skeleton;
  std::vector<bool> is_section;  // per placeholder: a section tag (does not start a value)
  std::size_t last = 0;
  for (const Tag& t : tags) {
    skeleton.append(source.substr(last, t.begin - last));
    skeleton.push_back(kPlaceholder);
    is_section.push_back(t.kind != TagKind::kVar && t.kind != TagKind::kTrusted);
    last = t.end;
  }
  skeleton.append(source.substr(last));

  std::vector<Placement> out;
  out.reserve(tags.size());
  HtmlState state = HtmlState::kText;
  std::string tag_name, attr, raw_end;
  bool closing_tag = false;
  bool value_start = false;
  std::size_t placeholder = 0;

  auto endTag = [&] {
    std::string t = lower(tag_name);
    if (!closing_tag && (t == "script" || t == "style")) {
      state = HtmlState::kRawText;
      raw_end = "</" + t;
    } else {
      state = HtmlState::kText;
    }
  };

  for (std::size_t i = 0; i < skeleton.size(); ++i) {
    char c = skeleton[i];
    if (c == kPlaceholder) {
      out.push_back(Placement{state, attr, value_start});
      if (!is_section[placeholder]) {
        value_start = false;
        // A value in a tag name or attribute name position is reported as that state; leave the
        // state machine where it is so that later tags get their own placement.
      }
      ++placeholder;
      continue;
    }
    switch (state) {
      case HtmlState::kText:
        if (c == '<') {
          if (skeleton.compare(i, 4, "<!--") == 0) {
            state = HtmlState::kComment;
            i += 3;
          } else if (i + 1 < skeleton.size() &&
                     (std::isalpha(static_cast<unsigned char>(skeleton[i + 1])) != 0 ||
                      skeleton[i + 1] == '/' || skeleton[i + 1] == '!' ||
                      skeleton[i + 1] == kPlaceholder)) {
            // "<{{x}}" would let a value choose the element: the value is in tag-name position.
            state = HtmlState::kTagName;
            tag_name.clear();
            closing_tag = skeleton[i + 1] == '/';
            if (closing_tag || skeleton[i + 1] == '!') ++i;
          }
        }
        break;
      case HtmlState::kTagName:
        if (isSpace(c)) {
          state = HtmlState::kInTag;
        } else if (c == '>') {
          endTag();
        } else if (c != '/') {
          tag_name += c;
        }
        break;
      case HtmlState::kInTag:
      case HtmlState::kAfterAttrName:
        if (c == '>') {
          endTag();
        } else if (c == '=' && state == HtmlState::kAfterAttrName) {
          state = HtmlState::kBeforeValue;
        } else if (!isSpace(c) && c != '/') {
          state = HtmlState::kAttrName;
          attr.assign(1, static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
        break;
      case HtmlState::kAttrName:
        if (c == '=') {
          state = HtmlState::kBeforeValue;
        } else if (isSpace(c)) {
          state = HtmlState::kAfterAttrName;
        } else if (c == '>') {
          endTag();
        } else if (c == '/') {
          state = HtmlState::kInTag;
        } else {
          attr += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        break;
      case HtmlState::kBeforeValue:
        if (c == '"') {
          state = HtmlState::kValueDouble;
          value_start = true;
        } else if (c == '\'') {
          state = HtmlState::kValueSingle;
          value_start = true;
        } else if (c == '>') {
          endTag();
        } else if (!isSpace(c)) {
          state = HtmlState::kValueUnquoted;
        }
        break;
      case HtmlState::kValueDouble:
        if (c == '"') {
          state = HtmlState::kInTag;
        } else {
          value_start = false;
        }
        break;
      case HtmlState::kValueSingle:
        if (c == '\'') {
          state = HtmlState::kInTag;
        } else {
          value_start = false;
        }
        break;
      case HtmlState::kValueUnquoted:
        if (isSpace(c)) {
          state = HtmlState::kInTag;
        } else if (c == '>') {
          endTag();
        }
        break;
      case HtmlState::kComment:
        if (skeleton.compare(i, 3, "-->") == 0) {
          state = HtmlState::kText;
          i += 2;
        }
        break;
      case HtmlState::kRawText:
        if (c == '<' && lower(skeleton.substr(i, raw_end.size())) == raw_end) {
          state = HtmlState::kTagName;
          closing_tag = true;
          tag_name = raw_end.substr(2);
          i += raw_end.size() - 1;
        }
        break;
    }
  }
  return out;
}

// Checks one interpolation against its HTML placement; returns the node kind it renders as.
Result<Template::Node::Kind> checkPlacement(const Tag& tag, const Placement& p,
                                            std::string_view name, std::string_view source) {
  using Kind = Template::Node::Kind;
  if (tag.kind == TagKind::kTrusted) {
    if (p.state == HtmlState::kText || p.state == HtmlState::kRawText) return Kind::kTrusted;
    return fail(parseError(name, source, tag.begin, "trusted_html only in text or <style>"));
  }
  switch (p.state) {
    case HtmlState::kText:
      return Kind::kVar;
    case HtmlState::kValueDouble:
    case HtmlState::kValueSingle:
      if (isScriptOrStyleAttribute(p.attr)) {
        return fail(
            parseError(name, source, tag.begin,
                       "no interpolation in event handler or style attribute '" + p.attr + "'"));
      }
      return isUrlAttribute(p.attr) && p.value_start ? Kind::kUrlVar : Kind::kVar;
    case HtmlState::kComment:
      return fail(parseError(name, source, tag.begin, "no interpolation in an HTML comment"));
    case HtmlState::kRawText:
      return fail(parseError(name, source, tag.begin, "no interpolation in <script> or <style>"));
    case HtmlState::kTagName:
    case HtmlState::kInTag:
    case HtmlState::kAttrName:
    case HtmlState::kAfterAttrName:
    case HtmlState::kBeforeValue:
    case HtmlState::kValueUnquoted:
      break;
  }
  return fail(parseError(name, source, tag.begin,
                         "interpolation outside text or a quoted attribute value"));
}

// A URL that starts an attribute value: a same-origin path or an http(s) URL. Everything else
// (javascript:, data:, vbscript:, protocol-relative //host) is replaced.
std::string filterUrl(std::string_view url) {
  auto starts = [&](std::string_view prefix) {
    return url.size() >= prefix.size() && lower(url.substr(0, prefix.size())) == prefix;
  };
  bool ok = (!url.empty() && url[0] == '/' && !starts("//") && !starts("/\\")) || url == "#" ||
            (!url.empty() && url[0] == '?') || starts("https://") || starts("http://");
  if (!ok) return "about:invalid#blocked";
  return std::string(url);
}

using Scopes = std::vector<const Context*>;

const Value* lookup(const Scopes& scopes, std::string_view name) {
  for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
    if (const Value* v = (*it)->find(name)) return v;
  }
  return nullptr;
}

bool truthy(const Value* v) {
  if (v == nullptr) return false;
  if (const auto* s = std::get_if<std::string>(v)) return !s->empty();
  if (const auto* b = std::get_if<bool>(v)) return *b;
  if (const auto* t = std::get_if<TrustedHtml>(v)) return !t->empty();
  return !std::get<std::vector<Context>>(*v).empty();
}

}  // namespace

Result<Template> Template::parse(std::string_view name, std::string_view source) {
  GG_TRY(std::vector<Tag> tags, scanTags(name, source));
  std::vector<Placement> placements = placeTags(source, tags);

  std::vector<Node> root;
  std::vector<std::vector<Node>*> stack{&root};
  std::vector<const Tag*> open;
  std::size_t last = 0;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const Tag& tag = tags[i];
    if (tag.begin > last) {
      stack.back()->push_back(
          Node{Node::Kind::kText, std::string(source.substr(last, tag.begin - last)), {}});
    }
    last = tag.end;
    switch (tag.kind) {
      case TagKind::kComment:
        break;
      case TagKind::kVar:
      case TagKind::kTrusted: {
        GG_TRY(Node::Kind kind, checkPlacement(tag, placements[i], name, source));
        stack.back()->push_back(Node{kind, tag.name, {}});
        break;
      }
      case TagKind::kSection:
      case TagKind::kInverted: {
        stack.back()->push_back(
            Node{tag.kind == TagKind::kSection ? Node::Kind::kSection : Node::Kind::kInverted,
                 tag.name,
                 {}});
        stack.push_back(&stack.back()->back().children);
        open.push_back(&tag);
        break;
      }
      case TagKind::kClose:
        if (open.empty() || open.back()->name != tag.name) {
          return fail(parseError(name, source, tag.begin, "unbalanced {{/" + tag.name + "}}"));
        }
        open.pop_back();
        stack.pop_back();
        break;
    }
  }
  if (!open.empty()) {
    return fail(parseError(name, source, open.back()->begin, "unclosed {{#" + open.back()->name));
  }
  if (last < source.size()) {
    stack.back()->push_back(Node{Node::Kind::kText, std::string(source.substr(last)), {}});
  }
  return Template(std::string(name), std::make_shared<const std::vector<Node>>(std::move(root)));
}

namespace {

Status renderNodes(const std::vector<Template::Node>& nodes, Scopes& scopes,
                   std::string_view template_name, std::string& out) {
  using Kind = Template::Node::Kind;
  for (const Template::Node& node : nodes) {
    switch (node.kind) {
      case Kind::kText:
        out += node.text;
        break;
      case Kind::kVar:
      case Kind::kUrlVar: {
        const Value* v = lookup(scopes, node.text);
        const auto* s = v != nullptr ? std::get_if<std::string>(v) : nullptr;
        if (s == nullptr) {
          return fail(Errc::kInternal, std::string(template_name) + ": {{" + node.text +
                                           "}} is missing or not a string");
        }
        out += escapeHtml(node.kind == Kind::kUrlVar ? filterUrl(*s) : *s);
        break;
      }
      case Kind::kTrusted: {
        const Value* v = lookup(scopes, node.text);
        const auto* t = v != nullptr ? std::get_if<TrustedHtml>(v) : nullptr;
        if (t == nullptr) {
          return fail(Errc::kInternal, std::string(template_name) + ": trusted_html " + node.text +
                                           " is missing or not TrustedHtml");
        }
        out += t->str();
        break;
      }
      case Kind::kSection: {
        const Value* v = lookup(scopes, node.text);
        if (!truthy(v)) break;
        if (const auto* list = std::get_if<std::vector<Context>>(v)) {
          for (const Context& item : *list) {
            scopes.push_back(&item);
            Status st = renderNodes(node.children, scopes, template_name, out);
            scopes.pop_back();
            GG_TRY(st);
          }
        } else {
          GG_TRY(renderNodes(node.children, scopes, template_name, out));
        }
        break;
      }
      case Kind::kInverted:
        if (!truthy(lookup(scopes, node.text))) {
          GG_TRY(renderNodes(node.children, scopes, template_name, out));
        }
        break;
    }
  }
  return ok();
}

}  // namespace

Result<TrustedHtml> Template::render(const Context& context) const {
  std::string out;
  Scopes scopes{&context};
  GG_TRY(renderNodes(*nodes_, scopes, name_, out));
  return TrustedHtml(std::move(out));
}

}  // namespace gridgate::authz::ui
