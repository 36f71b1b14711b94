#include "config/document.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace gridgate::config {

namespace {

constexpr std::int64_t kMaxDurationSeconds = 100LL * 365 * 24 * 3600;

std::vector<std::string> splitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::size_t end = dot == std::string_view::npos ? path.size() : dot;
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

std::optional<std::size_t> parseIndex(std::string_view s) {
  std::size_t value = 0;
  if (s.empty()) return std::nullopt;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return value;
}

std::string trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
  return std::string(s.substr(b, e - b));
}

}  // namespace

EnvLookup processEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe): start-up only
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<Seconds> parseDuration(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty()) return fail(Errc::kMalformed, "empty duration");
  std::size_t digits = 0;
  while (digits < t.size() && std::isdigit(static_cast<unsigned char>(t[digits])) != 0) ++digits;
  if (digits == 0) return fail(Errc::kMalformed, "duration must start with a number");
  std::int64_t n = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + digits, n);
  if (ec != std::errc() || ptr != t.data() + digits) {
    return fail(Errc::kMalformed, "duration number out of range");
  }
  const std::string unit = t.substr(digits);
  std::int64_t mult = 0;
  if (unit.empty() || unit == "s") {
    mult = 1;
  } else if (unit == "m") {
    mult = 60;
  } else if (unit == "h") {
    mult = 3600;
  } else if (unit == "d") {
    mult = 86400;
  } else {
    return fail(Errc::kMalformed, "duration unit must be s, m, h or d");
  }
  if (n > kMaxDurationSeconds / mult) return fail(Errc::kLimitExceeded, "duration too long");
  return Seconds(n * mult);
}

struct Document::Impl {
  toml::table root;
  std::string source;
  std::filesystem::path base_dir;
  Options options;
  std::map<std::string, std::string, std::less<>> overrides;
  mutable std::set<std::string, std::less<>> read;

  // The node at a dotted path, or nullptr.
  const toml::node* find(std::string_view path) const {
    const toml::node* cur = &root;
    for (const std::string& part : splitPath(path)) {
      if (const toml::table* t = cur->as_table()) {
        cur = t->get(part);
      } else if (const toml::array* a = cur->as_array()) {
        const auto index = parseIndex(part);
        if (!index || *index >= a->size()) return nullptr;
        cur = a->get(*index);
      } else {
        return nullptr;
      }
      if (cur == nullptr) return nullptr;
    }
    return cur;
  }

  void collectUnread(const toml::node& node, const std::string& path,
                     std::vector<std::string>& out) const {
    if (const toml::table* t = node.as_table()) {
      for (const auto& [key, child] : *t) {
        collectUnread(child, path.empty() ? std::string(key.str()) : path + "." + std::string(key),
                      out);
      }
      return;
    }
    if (const toml::array* a = node.as_array(); a != nullptr && a->is_array_of_tables()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        collectUnread(*a->get(i), path + "." + std::to_string(i), out);
      }
      return;
    }
    if (read.find(path) == read.end()) out.push_back(path);
  }
};

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Result<Document> Document::loadFile(const std::filesystem::path& file, Options options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(Errc::kIo, "cannot read configuration file " + file.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Errc::kIo, "cannot read configuration file " + file.string());
  std::filesystem::path base = file.parent_path();
  if (base.empty()) base = ".";
  return parse(ss.str(), file.string(), std::filesystem::absolute(base), std::move(options));
}

Result<Document> Document::parse(std::string_view toml_text, std::string source,
                                 std::filesystem::path base_dir, Options options) {
  auto impl = std::make_unique<Impl>();
  try {
    // Start-up only: toml++ reports errors by exception, converted here.
    impl->root = toml::parse(toml_text, std::string_view(source));
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return fail(Errc::kMalformed, msg.str());
  }
  impl->source = std::move(source);
  impl->base_dir = std::move(base_dir);
  impl->options = std::move(options);
  return Document(std::move(impl));
}

Document Document::empty(std::filesystem::path base_dir, Options options) {
  auto impl = std::make_unique<Impl>();
  impl->source = "(no configuration file)";
  impl->base_dir = std::move(base_dir);
  impl->options = std::move(options);
  return Document(std::move(impl));
}

void Document::setOverride(std::string key, std::string value) {
  impl_->overrides[std::move(key)] = std::move(value);
}

Section Document::root() const { return Section(impl_.get(), ""); }
Section Document::section(std::string_view dotted_path) const {
  return Section(impl_.get(), std::string(dotted_path));
}
const std::filesystem::path& Document::baseDir() const { return impl_->base_dir; }
const std::string& Document::source() const { return impl_->source; }

Status Document::checkAllRead() const {
  std::vector<std::string> unread;
  impl_->collectUnread(impl_->root, "", unread);
  for (const auto& [key, value] : impl_->overrides) {
    if (impl_->read.find(key) == impl_->read.end()) unread.push_back(key + " (override)");
  }
  if (unread.empty()) return ok();
  std::string msg = impl_->source + ": unknown configuration keys:";
  for (const std::string& k : unread) msg += " " + k;
  return fail(Errc::kInvalidArgument, msg);
}

// --- Section ---

struct Section::Raw {
  enum class Origin { kOverride, kEnv, kFile };
  Origin origin = Origin::kFile;
  std::string text;                  // override and environment values
  const toml::node* node = nullptr;  // file values
  std::string where;                 // for errors: "authz.issuer (from GRIDGATE_AUTHZ_ISSUER)"
};

std::string Section::keyPath(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

std::string Section::envName(std::string_view key) const {
  std::string name = "GRIDGATE_";
  for (char c : keyPath(key)) {
    name += (c == '.' || c == '-') ? '_'
                                   : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

bool Section::presentInFile() const {
  const toml::node* n = doc_->find(path_);
  return n != nullptr && n->is_table();
}

Result<std::optional<Section::Raw>> Section::raw(std::string_view key) const {
  const std::string kp = keyPath(key);
  doc_->read.insert(kp);
  if (auto it = doc_->overrides.find(kp); it != doc_->overrides.end()) {
    return Raw{Raw::Origin::kOverride, it->second, nullptr, kp + " (command line)"};
  }
  const std::string env = envName(key);
  if (auto v = doc_->options.env ? doc_->options.env(env) : std::nullopt) {
    return Raw{Raw::Origin::kEnv, *v, nullptr, kp + " (from " + env + ")"};
  }
  const toml::node* n = doc_->find(kp);
  if (n == nullptr) return std::optional<Raw>();
  if (n->is_table() || n->is_array_of_tables()) {
    return fail(Errc::kInvalidArgument, doc_->source + ": " + kp + " must be a value, not a table");
  }
  return Raw{Raw::Origin::kFile, {}, n, doc_->source + ": " + kp};
}

bool Section::has(std::string_view key) const {
  auto r = raw(key);
  return r && r->has_value();
}

Result<std::optional<std::string>> Section::optString(std::string_view key) const {
  GG_TRY(std::optional<Raw> r, raw(key));
  if (!r) return std::optional<std::string>();
  if (r->origin != Raw::Origin::kFile) return std::optional<std::string>(r->text);
  if (const auto* s = r->node->as_string()) return std::optional<std::string>(s->get());
  return fail(Errc::kInvalidArgument, r->where + " must be a string");
}

Result<std::string> Section::string(std::string_view key, std::string fallback) const {
  GG_TRY(std::optional<std::string> v, optString(key));
  return v ? *v : fallback;
}

Result<std::string> Section::requiredString(std::string_view key) const {
  GG_TRY(std::optional<std::string> v, optString(key));
  if (!v || v->empty()) {
    return fail(Errc::kInvalidArgument,
                doc_->source + ": " + keyPath(key) + " is required (or set " + envName(key) + ")");
  }
  return *v;
}

Result<std::int64_t> Section::integer(std::string_view key, std::int64_t fallback, std::int64_t min,
                                      std::int64_t max) const {
  GG_TRY(std::optional<Raw> r, raw(key));
  if (!r) return fallback;
  std::int64_t value = 0;
  if (r->origin != Raw::Origin::kFile) {
    const std::string t = trim(r->text);
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (t.empty() || ec != std::errc() || ptr != t.data() + t.size()) {
      return fail(Errc::kInvalidArgument, r->where + " must be an integer");
    }
  } else if (const auto* i = r->node->as_integer()) {
    value = i->get();
  } else {
    return fail(Errc::kInvalidArgument, r->where + " must be an integer");
  }
  if (value < min || value > max) {
    return fail(Errc::kInvalidArgument, r->where + " must be between " + std::to_string(min) +
                                            " and " + std::to_string(max));
  }
  return value;
}

Result<bool> Section::boolean(std::string_view key, bool fallback) const {
  GG_TRY(std::optional<Raw> r, raw(key));
  if (!r) return fallback;
  if (r->origin != Raw::Origin::kFile) {
    const std::string t = trim(r->text);
    if (t == "true" || t == "1" || t == "yes") return true;
    if (t == "false" || t == "0" || t == "no") return false;
    return fail(Errc::kInvalidArgument, r->where + " must be true or false");
  }
  if (const auto* b = r->node->as_boolean()) return b->get();
  return fail(Errc::kInvalidArgument, r->where + " must be true or false");
}

Result<Seconds> Section::duration(std::string_view key, Seconds fallback) const {
  GG_TRY(std::optional<Raw> r, raw(key));
  if (!r) return fallback;
  std::string text;
  if (r->origin != Raw::Origin::kFile) {
    text = r->text;
  } else if (const auto* s = r->node->as_string()) {
    text = s->get();
  } else if (const auto* i = r->node->as_integer()) {
    text = std::to_string(i->get());
  } else {
    return fail(Errc::kInvalidArgument, r->where + " must be a duration (\"90s\", \"5m\", 300)");
  }
  auto d = parseDuration(text);
  if (!d) return fail(Errc::kInvalidArgument, r->where + ": " + d.error().detail);
  return *d;
}

Result<std::vector<std::string>> Section::stringList(std::string_view key,
                                                     std::vector<std::string> fallback) const {
  GG_TRY(std::optional<Raw> r, raw(key));
  if (!r) return fallback;
  std::vector<std::string> out;
  if (r->origin != Raw::Origin::kFile) {
    std::string_view t = r->text;
    while (!t.empty()) {
      const std::size_t comma = t.find(',');
      std::string item = trim(t.substr(0, comma));
      if (!item.empty()) out.push_back(std::move(item));
      if (comma == std::string_view::npos) break;
      t.remove_prefix(comma + 1);
    }
    return out;
  }
  const toml::array* a = r->node->as_array();
  if (a == nullptr) return fail(Errc::kInvalidArgument, r->where + " must be an array of strings");
  for (const toml::node& n : *a) {
    const auto* s = n.as_string();
    if (s == nullptr) {
      return fail(Errc::kInvalidArgument, r->where + " must be an array of strings");
    }
    out.push_back(s->get());
  }
  return out;
}

Result<std::filesystem::path> Section::filePath(std::string_view key) const {
  GG_TRY(std::optional<std::string> v, optString(key));
  if (!v || v->empty()) return std::filesystem::path();
  std::filesystem::path p(*v);
  if (p.is_relative()) p = doc_->base_dir / p;
  return p.lexically_normal();
}

Section Section::child(std::string_view key) const { return Section(doc_, keyPath(key)); }

std::vector<std::string> Section::childTables() const {
  std::vector<std::string> names;
  const toml::node* n = doc_->find(path_);
  if (n == nullptr || !n->is_table()) return names;
  for (const auto& [key, value] : *n->as_table()) {
    if (value.is_table()) names.emplace_back(key.str());
  }
  return names;
}

Result<std::vector<Section>> Section::tableArray(std::string_view key) const {
  std::vector<Section> out;
  const std::string kp = keyPath(key);
  const toml::node* n = doc_->find(kp);
  if (n == nullptr) return out;
  const toml::array* a = n->as_array();
  if (a == nullptr || !(a->empty() || a->is_array_of_tables())) {
    return fail(Errc::kInvalidArgument,
                doc_->source + ": " + kp + " must be an array of tables ([[" + kp + "]])");
  }
  if (a->empty()) doc_->read.insert(kp);
  for (std::size_t i = 0; i < a->size(); ++i) {
    out.push_back(Section(doc_, kp + "." + std::to_string(i)));
  }
  return out;
}

}  // namespace gridgate::config
