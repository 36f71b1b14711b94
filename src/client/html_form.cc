#include "client/html_form.h"

#include <charconv>
#include <optional>

namespace gridgate::client {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = lower(c);
  return out;
}

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Case-insensitive find of `needle` (lowercase) in `hay` from `pos`.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t pos) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  for (std::size_t i = pos; i + needle.size() <= hay.size(); ++i) {
    if (iequal(hay.substr(i, needle.size()), needle)) return i;
  }
  return std::string_view::npos;
}

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Whitespace runs become one space; leading and trailing whitespace removed.
std::string collapse(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (isSpace(c)) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

struct Tag {
  std::string name;  // lowercased
  bool closing = false;
  bool self_closing = false;
  std::vector<std::pair<std::string, std::string>> attrs;  // names lowercased, values decoded

  const std::string* attr(std::string_view n) const {
    for (const auto& [k, v] : attrs) {
      if (k == n) return &v;
    }
    return nullptr;
  }
  std::string attrOr(std::string_view n, std::string_view fallback = {}) const {
    const std::string* v = attr(n);
    return v ? *v : std::string(fallback);
  }
  bool has(std::string_view n) const { return attr(n) != nullptr; }
};

// Parses the tag starting at html[pos] == '<'; returns the position after '>' (or the end).
std::size_t readTag(std::string_view html, std::size_t pos, Tag& tag) {
  std::size_t i = pos + 1;
  if (i < html.size() && html[i] == '/') {
    tag.closing = true;
    ++i;
  }
  const std::size_t name_start = i;
  while (i < html.size() && !isSpace(html[i]) && html[i] != '>' && html[i] != '/') ++i;
  tag.name = lowered(html.substr(name_start, i - name_start));
  while (i < html.size()) {
    while (i < html.size() && isSpace(html[i])) ++i;
    if (i >= html.size()) break;
    if (html[i] == '>') return i + 1;
    if (html[i] == '/') {
      ++i;
      if (i < html.size() && html[i] == '>') {
        tag.self_closing = true;
        return i + 1;
      }
      continue;
    }
    const std::size_t an = i;
    while (i < html.size() && !isSpace(html[i]) && html[i] != '=' && html[i] != '>' &&
           !(html[i] == '/' && i + 1 < html.size() && html[i + 1] == '>')) {
      ++i;
    }
    std::string name = lowered(html.substr(an, i - an));
    while (i < html.size() && isSpace(html[i])) ++i;
    std::string value;
    if (i < html.size() && html[i] == '=') {
      ++i;
      while (i < html.size() && isSpace(html[i])) ++i;
      if (i < html.size() && (html[i] == '"' || html[i] == '\'')) {
        const char q = html[i];
        const std::size_t end = html.find(q, i + 1);
        const std::size_t stop = end == std::string_view::npos ? html.size() : end;
        value = decodeEntities(html.substr(i + 1, stop - i - 1));
        i = end == std::string_view::npos ? html.size() : end + 1;
      } else {
        const std::size_t vs = i;
        while (i < html.size() && !isSpace(html[i]) && html[i] != '>') ++i;
        value = decodeEntities(html.substr(vs, i - vs));
      }
    }
    if (!name.empty() && !tag.has(name)) tag.attrs.emplace_back(std::move(name), std::move(value));
  }
  return html.size();
}

// Text sinks the parser fills while an element is open.
struct Capture {
  enum class Target { kTitle, kHeading, kButton, kOption, kAlert };
  std::string tag;  // the element whose end tag stops the capture
  Target target = Target::kTitle;
  std::size_t control = 0;  // kButton: index of the button in the open form
  std::string text{};
  std::optional<std::string> option_value{};  // kOption: its value attribute
  bool option_selected = false;
};

}  // namespace

bool FormControl::isSubmit() const {
  if (kind == Kind::kButton) return type == "submit";
  return kind == Kind::kInput && (type == "submit" || type == "image");
}

bool FormControl::isTextEntry() const {
  if (kind != Kind::kInput) return false;
  return type == "text" || type == "email" || type == "tel" || type == "number" ||
         type == "search" || type == "url" || type == "password";
}

const FormControl* HtmlForm::passwordField() const {
  for (const FormControl& c : controls) {
    if (c.kind == FormControl::Kind::kInput && c.type == "password" && !c.disabled) return &c;
  }
  return nullptr;
}

const FormControl* HtmlForm::usernameField() const {
  for (const FormControl& c : controls) {
    if (c.isTextEntry() && c.type != "password" && !c.disabled &&
        (c.autocomplete == "username" || c.autocomplete == "email")) {
      return &c;
    }
  }
  for (const FormControl& c : controls) {
    if (c.kind == FormControl::Kind::kInput && c.type == "password") break;
    if (c.isTextEntry() && !c.disabled && !c.name.empty()) return &c;
  }
  return nullptr;
}

std::vector<const FormControl*> HtmlForm::submitButtons() const {
  std::vector<const FormControl*> out;
  for (const FormControl& c : controls) {
    if (c.isSubmit() && !c.disabled) out.push_back(&c);
  }
  return out;
}

const FormControl* HtmlForm::defaultSubmitter() const {
  const auto buttons = submitButtons();
  return buttons.empty() ? nullptr : buttons.front();
}

const FormControl* HtmlForm::submitterNamed(const std::vector<std::string_view>& words) const {
  const auto buttons = submitButtons();
  for (const std::string_view w : words) {
    for (const FormControl* b : buttons) {
      if (iequal(collapse(b->label), w) || iequal(collapse(b->value), w)) return b;
    }
  }
  return nullptr;
}

std::string decodeEntities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    const std::size_t semi = text.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(text[i++]);
      continue;
    }
    const std::string_view ent = text.substr(i + 1, semi - i - 1);
    std::optional<std::uint32_t> cp;
    if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      const std::string_view digits = ent.substr(hex ? 2 : 1);
      std::uint32_t v = 0;
      const auto r =
          std::from_chars(digits.data(), digits.data() + digits.size(), v, hex ? 16 : 10);
      if (!digits.empty() && r.ec == std::errc() && r.ptr == digits.data() + digits.size()) {
        cp = v;
      }
    } else if (ent == "amp") {
      cp = '&';
    } else if (ent == "lt") {
      cp = '<';
    } else if (ent == "gt") {
      cp = '>';
    } else if (ent == "quot") {
      cp = '"';
    } else if (ent == "apos") {
      cp = '\'';
    } else if (ent == "nbsp") {
      cp = 0xA0;
    }
    if (!cp) {
      out.push_back(text[i++]);
      continue;
    }
    appendUtf8(out, *cp);
    i = semi + 1;
  }
  return out;
}

Result<HtmlPage> parseHtml(std::string_view html, const HtmlLimits& limits) {
  if (html.size() > limits.max_bytes) {
    return fail(Errc::kLimitExceeded, "HTML page larger than " + std::to_string(limits.max_bytes));
  }
  HtmlPage page;
  // Indexes, not pointers: the vectors grow while parsing.
  std::optional<std::size_t> form;    // the open form
  std::optional<std::size_t> select;  // the open <select>, an index into its form's controls
  bool select_has_selected = false;
  bool select_has_option = false;
  std::vector<Capture> captures;
  bool have_title = false;
  bool have_heading = false;

  const auto controls = [&]() -> std::vector<FormControl>& { return page.forms[*form].controls; };
  const auto addControl = [&](FormControl c) -> Result<std::optional<std::size_t>> {
    if (!form) return std::optional<std::size_t>();
    if (controls().size() >= limits.max_controls) {
      return fail(Errc::kLimitExceeded, "too many form controls");
    }
    controls().push_back(std::move(c));
    return std::optional<std::size_t>(controls().size() - 1);
  };
  const auto finishOption = [&](Capture& cap) {
    if (!form || !select) return;
    const bool take = cap.option_selected ? !select_has_selected : !select_has_option;
    if (take) {
      controls()[*select].value =
          cap.option_value ? *cap.option_value : collapse(decodeEntities(cap.text));
    }
    select_has_option = true;
    select_has_selected = select_has_selected || cap.option_selected;
  };
  const auto closeCapture = [&](std::string_view tag_name) {
    for (std::size_t k = captures.size(); k-- > 0;) {
      if (captures[k].tag != tag_name) continue;
      Capture cap = std::move(captures[k]);
      captures.erase(captures.begin() + static_cast<std::ptrdiff_t>(k));
      switch (cap.target) {
        case Capture::Target::kTitle:
          page.title = collapse(decodeEntities(cap.text));
          break;
        case Capture::Target::kHeading:
          page.heading = collapse(decodeEntities(cap.text));
          break;
        case Capture::Target::kAlert:
          page.alerts.push_back(collapse(decodeEntities(cap.text)));
          break;
        case Capture::Target::kButton:
          if (form && cap.control < controls().size()) {
            controls()[cap.control].label = collapse(decodeEntities(cap.text));
          }
          break;
        case Capture::Target::kOption:
          finishOption(cap);
          break;
      }
      return;
    }
  };

  std::size_t pos = 0;
  while (pos < html.size()) {
    const std::size_t lt = html.find('<', pos);
    const std::string_view text =
        html.substr(pos, lt == std::string_view::npos ? std::string_view::npos : lt - pos);
    for (Capture& c : captures) c.text.append(text);
    if (lt == std::string_view::npos) break;
    if (html.substr(lt).starts_with("<!--")) {
      const std::size_t end = html.find("-->", lt + 4);
      pos = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    if (lt + 1 < html.size() && (html[lt + 1] == '!' || html[lt + 1] == '?')) {
      const std::size_t end = html.find('>', lt);
      pos = end == std::string_view::npos ? html.size() : end + 1;
      continue;
    }
    const char next = lt + 1 < html.size() ? html[lt + 1] : '\0';
    const bool tag_start =
        (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '/';
    if (!tag_start) {
      for (Capture& c : captures) c.text.push_back('<');
      pos = lt + 1;
      continue;
    }
    Tag tag;
    pos = readTag(html, lt, tag);

    if (!tag.closing && (tag.name == "script" || tag.name == "style")) {
      const std::size_t end = ifind(html, "</" + tag.name, pos);
      if (end == std::string_view::npos) break;
      const std::size_t gt = html.find('>', end);
      pos = gt == std::string_view::npos ? html.size() : gt + 1;
      continue;
    }
    if (tag.closing) {
      if (tag.name == "select" || tag.name == "form") closeCapture("option");
      closeCapture(tag.name);
      if (tag.name == "form") {
        form.reset();
        select.reset();
      } else if (tag.name == "select") {
        select.reset();
      }
      continue;
    }

    if (tag.name == "form") {
      if (page.forms.size() >= limits.max_forms) {
        return fail(Errc::kLimitExceeded, "too many forms");
      }
      HtmlForm& f = page.forms.emplace_back();
      f.method = lowered(tag.attrOr("method", "get"));
      if (f.method != "post") f.method = "get";
      f.action = tag.attrOr("action");
      form = page.forms.size() - 1;
      select.reset();
    } else if (tag.name == "input") {
      FormControl c;
      c.kind = FormControl::Kind::kInput;
      c.type = lowered(tag.attrOr("type", "text"));
      if (c.type.empty()) c.type = "text";
      c.name = tag.attrOr("name");
      c.value = tag.attrOr("value", c.type == "checkbox" || c.type == "radio" ? "on" : "");
      c.label = c.value;
      c.autocomplete = lowered(tag.attrOr("autocomplete"));
      c.checked = tag.has("checked");
      c.disabled = tag.has("disabled");
      GG_TRY(addControl(std::move(c)));
    } else if (tag.name == "button") {
      FormControl c;
      c.kind = FormControl::Kind::kButton;
      c.type = lowered(tag.attrOr("type", "submit"));
      if (c.type != "button" && c.type != "reset") c.type = "submit";
      c.name = tag.attrOr("name");
      c.value = tag.attrOr("value");
      c.disabled = tag.has("disabled");
      GG_TRY(const std::optional<std::size_t> added, addControl(std::move(c)));
      if (added) {
        Capture cap;
        cap.tag = "button";
        cap.target = Capture::Target::kButton;
        cap.control = *added;
        captures.push_back(std::move(cap));
      }
    } else if (tag.name == "textarea") {
      FormControl c;
      c.kind = FormControl::Kind::kTextarea;
      c.type = "textarea";
      c.name = tag.attrOr("name");
      c.disabled = tag.has("disabled");
      // RCDATA: everything up to </textarea> is text; a first newline is not part of the value.
      const std::size_t end = ifind(html, "</textarea", pos);
      const std::size_t stop = end == std::string_view::npos ? html.size() : end;
      c.value = decodeEntities(html.substr(pos, stop - pos));
      if (c.value.starts_with("\r\n")) {
        c.value.erase(0, 2);
      } else if (c.value.starts_with('\n')) {
        c.value.erase(0, 1);
      }
      GG_TRY(addControl(std::move(c)));
      const std::size_t gt = end == std::string_view::npos ? end : html.find('>', end);
      pos = gt == std::string_view::npos ? html.size() : gt + 1;
    } else if (tag.name == "select") {
      FormControl c;
      c.kind = FormControl::Kind::kSelect;
      c.type = "select";
      c.name = tag.attrOr("name");
      c.disabled = tag.has("disabled");
      GG_TRY(select, addControl(std::move(c)));
      select_has_selected = false;
      select_has_option = false;
    } else if (tag.name == "option") {
      closeCapture("option");  // </option> is optional
      if (select) {
        Capture cap;
        cap.tag = "option";
        cap.target = Capture::Target::kOption;
        if (const std::string* v = tag.attr("value")) cap.option_value = *v;
        cap.option_selected = tag.has("selected");
        captures.push_back(std::move(cap));
      }
    } else if (tag.name == "title" && !have_title) {
      have_title = true;
      captures.push_back({.tag = "title", .target = Capture::Target::kTitle});
    } else if (tag.name == "h1" && !have_heading) {
      have_heading = true;
      captures.push_back({.tag = "h1", .target = Capture::Target::kHeading});
    }
    if (!tag.self_closing && tag.attr("role") != nullptr && *tag.attr("role") == "alert" &&
        tag.name != "input") {
      captures.push_back({.tag = tag.name, .target = Capture::Target::kAlert});
    }
    if (captures.size() > 64) return fail(Errc::kLimitExceeded, "elements nested too deeply");
  }
  return page;
}

std::vector<std::pair<std::string, std::string>> formData(
    const HtmlForm& form, const std::map<std::string, std::string>& fill,
    const FormControl* submitter) {
  std::vector<std::pair<std::string, std::string>> out;
  std::map<std::string, bool> filled;
  for (const FormControl& c : form.controls) {
    if (c.disabled || c.name.empty()) continue;
    if (c.kind == FormControl::Kind::kButton || c.isSubmit()) {
      if (&c == submitter) out.emplace_back(c.name, c.value);
      continue;
    }
    if (c.kind == FormControl::Kind::kInput) {
      if (c.type == "button" || c.type == "reset" || c.type == "file") continue;
      if ((c.type == "checkbox" || c.type == "radio") && !c.checked) continue;
    }
    auto f = fill.find(c.name);
    if (f != fill.end() && !filled[c.name]) {
      filled[c.name] = true;
      out.emplace_back(c.name, f->second);
    } else {
      out.emplace_back(c.name, c.value);
    }
  }
  return out;
}

}  // namespace gridgate::client
